"""Dataset manifests on real files: digests checked against hashlib, rows, inferred column
types, differences in words, and the errors for malformed input."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from qspine.formats import dataset_manifest
from qspine.formats.dataset_manifest import (
    FORMAT,
    Column,
    Manifest,
    build_manifest,
    manifest_differences,
)
from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json

from helpers import SHARED_DATA

needs_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"the shared data folder {SHARED_DATA} is absent"
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def real_csv_files() -> list[Path]:
    if not SHARED_DATA.is_dir():
        return []
    return sorted(p for p in SHARED_DATA.rglob("*") if p.suffix in (".csv", ".tsv"))


@needs_data
@pytest.mark.parametrize("path", real_csv_files(), ids=lambda p: p.name)
def test_real_csv_files_digest_and_rows(path: Path) -> None:
    manifest = build_manifest(path)
    (item,) = manifest.files
    assert item.path == path.name
    assert item.sha256 == sha256_of(path)
    assert item.size == path.stat().st_size
    delimiter = "\t" if path.suffix == ".tsv" else ","
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [r for r in csv.reader(handle, delimiter=delimiter) if r]
    assert item.rows == len(rows) - 1
    assert [c.name for c in item.columns or ()] == rows[0]


@needs_data
def test_real_csv_types_are_inferred() -> None:
    nfr = build_manifest(SHARED_DATA / "req-promise-nfr" / "nfr.csv")
    assert nfr.rows == 625
    assert nfr.files[0].columns == (
        Column("ProjectID", "int"),
        Column("RequirementText", "text"),
        Column("class", "text"),
    )
    modified = SHARED_DATA / "req-doorstop-yaml-tree/doorstop/core/tests/files"
    columns = dict(
        (c.name, c.type)
        for c in build_manifest(modified / "exported-modified.csv").files[0].columns or ()
    )
    # True/"False"/FALSE values are booleans; the empty 'additional' column has no value
    assert columns["active"] == "bool" and columns["normative"] == "bool"
    assert columns["text"] == "text"
    matrix = build_manifest(modified / "testmatrix.csv").files[0]
    assert matrix.rows == 3 and dict((c.name, c.type) for c in matrix.columns or ())["SYS"] == (
        "empty"
    )


@needs_data
def test_real_folder_is_walked_sorted_with_every_digest() -> None:
    folder = SHARED_DATA / "req-doorstop-yaml-tree/doorstop/core/tests/files"
    manifest = build_manifest(folder)
    expected = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    )
    assert [f.path for f in manifest.files] == expected
    for item in manifest.files:
        assert item.sha256 == sha256_of(folder / item.path)
    tabular = [f for f in manifest.files if f.rows is not None]
    assert {f.path for f in tabular} == {
        "exported-modified.csv",
        "exported.csv",
        "exported.tsv",
        "testmatrix.csv",
    }
    assert manifest.rows == sum(f.rows or 0 for f in tabular) == 5 + 7 + 7 + 3


def test_folder_manifest_digest_types_and_round_trip(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "images").mkdir(parents=True)
    (data / ".git").mkdir()
    (data / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (data / "train.csv").write_text(
        "id,age,weight,smoker,seen,note,empty\n"
        '1,40,71.5,yes,2024-01-02,"a, quoted\nnote",\n'
        "2,51,80,no,2024-03-04T10:00:00Z,plain,\n"
        "\n"
        "3,-7,1e3,TRUE,2024-05-06,x,\n"
    )
    (data / "events.jsonl").write_text(
        '{"id": 1, "score": 0.5, "ok": true, "at": "2024-01-01"}\n'
        "\n"
        '{"id": 2, "score": 1, "ok": false, "tags": ["a"], "at": null}\n'
    )
    (data / "images" / "a.png").write_bytes(bytes(range(256)) * 5000)
    manifest = build_manifest(data)
    assert [f.path for f in manifest.files] == ["events.jsonl", "images/a.png", "train.csv"]
    for item in manifest.files:
        assert item.sha256 == sha256_of(data / item.path)
        assert item.size == (data / item.path).stat().st_size
    events, image, train = manifest.files
    assert train.rows == 3 and events.rows == 2 and image.rows is None
    assert image.columns is None
    assert [(c.name, c.type) for c in train.columns or ()] == [
        ("id", "int"),
        ("age", "int"),
        ("weight", "float"),
        ("smoker", "bool"),
        ("seen", "date"),
        ("note", "text"),
        ("empty", "empty"),
    ]
    assert [(c.name, c.type) for c in events.columns or ()] == [
        ("id", "int"),
        ("score", "float"),
        ("ok", "bool"),
        ("at", "date"),
        ("tags", "text"),
    ]
    assert manifest.rows == 5
    document = manifest.to_json()
    assert document["format"] == FORMAT
    expected = hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()
    assert manifest.digest == expected
    assert Manifest.from_json(json.loads(json.dumps(document))) == manifest
    assert "| weight | float |" in manifest.schema_markdown()
    assert "images/a.png" not in manifest.schema_markdown()


def test_types_are_those_of_every_value_across_chunks(tmp_path: Path) -> None:
    """Columns are typed a chunk of rows at a time: a value far past the first chunk still
    widens the type, and a quoted value holding a newline is judged as one value."""
    rows = 3 * dataset_manifest._CHUNK + 5
    lines = ["id,count,flag,when,multi,late_text"]
    for index in range(rows):
        last = index == rows - 1
        count = "2.5" if last else str(index)
        flag = "no" if index % 2 else "yes"
        multi = '"1\n2"' if index == 7 else str(index)
        lines.append(
            f"{index},{count},{flag},2024-01-0{1 + index % 9},{multi},{'x' if last else 3}"
        )
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n")
    found = build_manifest(tmp_path / "big.csv").files[0]
    assert found.rows == rows
    assert [(c.name, c.type) for c in found.columns or ()] == [
        ("id", "int"),
        ("count", "float"),
        ("flag", "bool"),
        ("when", "date"),
        ("multi", "text"),
        ("late_text", "text"),
    ]


def test_a_known_unchanged_file_is_hashed_not_parsed(tmp_path: Path) -> None:
    """Verifying against a pinned manifest re-hashes every file but parses only those whose
    bytes changed: an unchanged file keeps the pinned rows and columns (here deliberately
    different from what parsing would give, to show they were not recomputed)."""
    (tmp_path / "a.csv").write_text("id,x\n1,2\n")
    (tmp_path / "b.csv").write_text("id,x\n1,2\n")
    first = build_manifest(tmp_path)
    marked = Manifest(tuple(dataclasses.replace(f, rows=99) for f in first.files))
    (tmp_path / "b.csv").write_text("id,x\n1,2\n3,4\n")
    again = build_manifest(tmp_path, known=marked)
    a, b = again.files
    assert (a.rows, a.sha256) == (99, first.files[0].sha256)  # kept: the bytes are the same
    assert (b.rows, b.sha256) == (2, sha256_of(tmp_path / "b.csv"))  # changed: parsed afresh
    assert build_manifest(tmp_path, known=first).files[1] == build_manifest(tmp_path).files[1]


def test_the_same_files_elsewhere_pin_to_the_same_digest(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "t.csv").write_text("a,b\n1,2\n")
    assert build_manifest(tmp_path / "one").digest == build_manifest(tmp_path / "two").digest
    single = build_manifest(tmp_path / "one" / "t.csv")
    assert single.digest == build_manifest(tmp_path / "one").digest


def test_progress_reports_each_file_with_its_size(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(b"x" * 10)
    (tmp_path / "a.txt").write_bytes(b"y" * 3)
    seen: list[tuple[str, int]] = []
    build_manifest(tmp_path, lambda name, size: seen.append((name, size)))
    assert seen == [("a.txt", 3), ("b.txt", 10)]


def test_differences_in_words(tmp_path: Path) -> None:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    for folder in (old_dir, new_dir):
        folder.mkdir()
    (old_dir / "train.csv").write_text("id,label\n1,0\n2,1\n3,1\n")
    (new_dir / "train.csv").write_text("id,label\n1,0\n2,1\n")
    (old_dir / "t.csv").write_text("id,name\n1,a\n")
    (new_dir / "t.csv").write_text("name,age\na,3\n")
    (old_dir / "y.csv").write_text("a\n1\n")
    (new_dir / "x.csv").write_text("a\n1\n")
    (old_dir / "same.bin").write_bytes(b"\0\1")
    (new_dir / "same.bin").write_bytes(b"\0\1")
    old, new = build_manifest(old_dir), build_manifest(new_dir)
    old_train = sha256_of(old_dir / "train.csv")[:12]
    new_train = sha256_of(new_dir / "train.csv")[:12]
    old_t, new_t = sha256_of(old_dir / "t.csv")[:12], sha256_of(new_dir / "t.csv")[:12]
    assert manifest_differences(old, new) == [
        f"file t.csv: sha256 {old_t} -> {new_t}, size 12 -> 13 bytes",
        "file t.csv: columns changed: + age (int), - id",
        f"file train.csv: sha256 {old_train} -> {new_train}, size 21 -> 17 bytes, rows 3 -> 2",
        "file x.csv added",
        "file y.csv removed",
    ]
    assert manifest_differences(old, old) == []
    retyped = tmp_path / "retyped"
    retyped.mkdir()
    (retyped / "t.csv").write_text("id,name\n1.5,a\n")
    (retyped / "train.csv").write_bytes((old_dir / "train.csv").read_bytes())
    lines = manifest_differences(build_manifest(old_dir), build_manifest(retyped))
    assert "file t.csv: columns changed: id (int -> float)" in lines


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", b"a,b\n1,2\n3\n", "bad.csv: row 2 (line 3) has 1 fields; the header has 2"),
        ("bad.tsv", b"a\tb\n1\t2\t3\n", "bad.tsv: row 1 (line 2) has 3 fields"),
        ("latin.csv", b"a,b\n1,2\ncaf\xe9,3\n", "latin.csv: row 2 (line 3) is not valid UTF-8"),
        ("bad.jsonl", b'{"a": 1}\n{"a": \n', "bad.jsonl: line 2 is not JSON"),
        ("list.ndjson", b"[1, 2]\n", "list.ndjson: line 1 is not a JSON object"),
    ],
)
def test_malformed_tabular_files_are_refused_naming_file_and_row(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / "ok.txt").write_text("fine")
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InvalidInput, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        build_manifest(tmp_path)


def test_undecodable_csv_names_utf8(tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes(b"a,b\n1,2\ncaf\xe9,3\n")
    with pytest.raises(InvalidInput, match="not valid UTF-8"):
        build_manifest(tmp_path / "latin.csv")


def test_missing_path_and_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=f"^{tmp_path / 'nope'}: no such file or folder"):
        build_manifest(tmp_path / "nope")
    (tmp_path / "empty" / ".git").mkdir(parents=True)
    (tmp_path / "empty" / ".git" / "config").write_text("x")
    with pytest.raises(InvalidInput, match=f"^{tmp_path / 'empty'}: the folder holds no files"):
        build_manifest(tmp_path / "empty")


def test_empty_and_header_only_csv(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_text("a,b\n")
    empty, header = build_manifest(tmp_path).files
    assert (empty.rows, empty.columns) == (0, ())
    assert header.rows == 0 and [c.type for c in header.columns or ()] == ["empty", "empty"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format": "other"}, "not a qspine-dataset-manifest/1 document"),
        ({"format": FORMAT, "files": {}}, "'files' must be a list"),
        ({"format": FORMAT, "files": [{"path": "a", "sha256": "xyz", "size": 1}]}, "'sha256'"),
        (
            {"format": FORMAT, "files": [{"path": "a", "sha256": "0" * 64, "size": -1}]},
            "'size' must be a whole number",
        ),
        (
            {
                "format": FORMAT,
                "files": [{"path": "a", "sha256": "0" * 64, "size": 1, "columns": [{"name": "x"}]}],
            },
            "each column needs",
        ),
        (
            {
                "format": FORMAT,
                "files": [
                    {"path": "b", "sha256": "0" * 64, "size": 1},
                    {"path": "a", "sha256": "0" * 64, "size": 1},
                ],
            },
            "unique and sorted",
        ),
    ],
)
def test_bad_manifest_documents_are_refused(document: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Manifest.from_json(document)


def test_a_subfolder_that_cannot_be_listed_is_refused_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.csv").write_text("x\n2\n")
    listing = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InvalidInput, match=r"locked: cannot be listed: .*Permission denied"):
        build_manifest(tmp_path)


@pytest.mark.parametrize("name", ["one-line.csv", "one-line.jsonl"])
def test_a_line_longer_than_the_limit_is_refused_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(dataset_manifest, "MAX_LINE", 1000)
    (tmp_path / "fine.csv").write_text("a\n" + "x" * 900 + "\n")
    assert build_manifest(tmp_path / "fine.csv").rows == 1
    # an old Mac CSV ends its lines with CR only: to a line reader it is one huge line
    (tmp_path / name).write_bytes(b"a,b\r" + b"1,2\r" * 400)
    with pytest.raises(InvalidInput, match=f"^{name}: line 1 is longer than 1000 bytes"):
        build_manifest(tmp_path / name)
