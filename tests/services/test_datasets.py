"""DatasetService on SQLite and PostgreSQL: registration pins the files, verification finds
what changed, lineage runs both ways, uploads land in the managed folder, and bad input
writes nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from qspine import Spine
from qspine.formats.dataset_manifest import build_manifest
from qspine.model.errors import Forbidden, InvalidInput, NotFound
from qspine.services import datasets
from qspine.services.dataset_files import (
    dataset_differences,
    load_manifest,
    managed_folder,
)

from helpers import PASSWORD, database_state, sample_fields

SOURCE = {"source": "Wisconsin diagnostic breast cancer data, UCI"}


@pytest.fixture
def dana(spine: Spine) -> str:
    spine.users.add("ada", "dana", "Dana Data", PASSWORD, ["data_scientist"])
    return "dana"


def write_dataset(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "train.csv").write_text("id,radius,label\n1,17.99,1\n2,20.57,1\n3,11.42,0\n")
    (folder / "test.csv").write_text("id,radius,label\n4,12.45,0\n5,18.25,1\n")
    (folder / "README.txt").write_text("Two splits of the same table.\n")
    return folder


def test_register_pins_the_files_in_one_audited_write(
    spine: Spine, dana: str, tmp_path: Path
) -> None:
    folder = write_dataset(tmp_path / "wdbc")
    seen: list[str] = []
    view = spine.datasets.register(
        dana,
        folder,
        {"title": "WDBC 1.0", "purpose": "training", "license": "CC BY 4.0", **SOURCE},
        progress=lambda name, _size: seen.append(name),
    )
    fields = view.version.fields
    expected = build_manifest(folder)
    assert seen == ["README.txt", "test.csv", "train.csv"]
    assert fields["manifest_sha256"] == expected.digest == fields["manifest"]
    assert fields["location"] == str(folder.absolute())
    assert (fields["file_count"], fields["row_count"]) == (3, 5)
    assert "| radius | float |" in fields["schema"]
    assert fields["license"] == "CC BY 4.0" and view.status == "proposed"
    stored = spine.blobs.read(fields["manifest"])
    assert hashlib.sha256(stored).hexdigest() == expected.digest
    assert (
        json.loads(stored)["files"][1]["sha256"]
        == hashlib.sha256((folder / "test.csv").read_bytes()).hexdigest()
    )
    actions = [e.action for e in spine.audit.log(view.key)]
    assert "record.create" in actions and "dataset.register" in actions
    (event,) = [e for e in spine.audit.log(view.key) if e.action == "dataset.register"]
    assert event.after == expected.digest and event.payload["rows"] == 5
    user = spine.users.get("vic")
    assert spine.datasets.manifest(user, view.key) == expected
    assert [r.key for r in spine.datasets.list(user)] == [view.key]


def test_verify_reports_exactly_what_changed(spine: Spine, dana: str, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "wdbc")
    key = spine.datasets.register(dana, folder, {"title": "WDBC", **SOURCE}).key
    vic = spine.users.get("vic")
    check = spine.datasets.verify(vic, key)
    assert check.matches and check.current_sha256 == check.manifest_sha256
    before = hashlib.sha256((folder / "test.csv").read_bytes()).hexdigest()[:12]
    size_before = (folder / "test.csv").stat().st_size
    (folder / "test.csv").write_text("id,radius,label\n4,12.45,0\n")
    (folder / "extra.csv").write_text("a\n1\n")
    (folder / "README.txt").unlink()
    after = hashlib.sha256((folder / "test.csv").read_bytes()).hexdigest()[:12]
    size_after = (folder / "test.csv").stat().st_size
    check = spine.datasets.verify(vic, key)
    assert not check.matches
    assert check.differences == (
        "file README.txt removed",
        "file extra.csv added",
        f"file test.csv: sha256 {before} -> {after}, size {size_before} -> {size_after} bytes, "
        "rows 2 -> 1",
    )
    assert check.current_sha256 == build_manifest(folder).digest
    shutil.rmtree(folder)
    gone = spine.datasets.verify(vic, key)
    assert gone.current_sha256 is None
    assert gone.differences == (f"location {folder.absolute()}: {folder}: no such file or folder",)


def test_dataset_differences_says_what_is_missing(spine: Spine, dana: str, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "wdbc")
    fields = spine.datasets.register(dana, folder, {"title": "WDBC", **SOURCE}).version.fields
    blob_dir = spine.context.blob_dir
    assert dataset_differences(blob_dir, fields) == []
    assert load_manifest(blob_dir, fields["manifest"]).digest == fields["manifest_sha256"]
    assert dataset_differences(blob_dir, {"manifest_sha256": fields["manifest_sha256"]}) == [
        "no manifest stored with this dataset version: nothing to compare",
        "no location recorded: the dataset's files cannot be checked",
    ]
    wrong = {**fields, "manifest_sha256": "0" * 64}
    assert dataset_differences(blob_dir, wrong) == [
        f"pinned manifest: its digest {fields['manifest'][:12]} is not the recorded "
        "manifest_sha256 000000000000"
    ]
    unknown = {**fields, "manifest": "f" * 64}
    (line,) = dataset_differences(blob_dir, unknown)
    assert line.startswith(f"pinned manifest: blob {'f' * 64} is not in the blob store")
    (folder / "train.csv").write_text("id,radius\n1\n")
    (line,) = dataset_differences(blob_dir, fields)
    assert line == (
        f"location {folder.absolute()}: train.csv: row 1 (line 2) has 1 fields; the header has 2"
    )


def test_lineage_both_ways_with_models_and_runs(spine: Spine, dana: str, tmp_path: Path) -> None:
    write_dataset(tmp_path / "raw")
    raw = spine.datasets.register(dana, tmp_path / "raw", {"title": "Raw", **SOURCE}).key
    train = spine.datasets.register(
        dana,
        tmp_path / "raw" / "train.csv",
        {
            "title": "Train",
            "purpose": "training",
            "transformation": "rows 1-3",
            "split": "60%, seed 7",
            **SOURCE,
        },
        derived_from=[raw],
    ).key
    test = spine.datasets.register(
        dana,
        tmp_path / "raw" / "test.csv",
        {"title": "Test", "purpose": "test", "transformation": "rows 4-5", **SOURCE},
        derived_from=[raw],
    ).key
    (tmp_path / "balanced").mkdir()
    (tmp_path / "balanced" / "test.csv").write_text("id,radius,label\n4,12.45,0\n")
    balanced = spine.datasets.register(
        dana,
        tmp_path / "balanced",
        {"title": "Balanced test", "transformation": "drop one positive", **SOURCE},
        derived_from=[test, train],
    ).key
    model = spine.records.create(
        "ada", "model_version", sample_fields(spine.profile, "model_version", "Model 1")
    ).key
    run = spine.records.create(
        "ada", "validation_run", sample_fields(spine.profile, "validation_run", "Run 1")
    ).key
    spine.links.link("ada", "trained_on", model, train)
    spine.links.link("ada", "uses_data", run, test)
    vic = spine.users.get("vic")

    down = spine.datasets.lineage(vic, raw)
    assert down.ancestors == []
    assert [(d.key, d.depth, d.via) for d in down.descendants] == [
        (train, 1, raw),
        (test, 1, raw),
        (balanced, 2, train),
    ]
    assert down.descendants[0].split == "60%, seed 7"

    up = spine.datasets.lineage(vic, balanced)
    assert [(a.key, a.depth, a.transformation) for a in up.ancestors] == [
        (train, 1, "rows 1-3"),
        (test, 1, "rows 4-5"),
        (raw, 2, ""),
    ]
    assert up.descendants == []

    trained = spine.datasets.lineage(vic, train)
    assert [(m.key, m.kind, m.title, m.version) for m in trained.models] == [
        (model, "model_version", "Model 1", 1)
    ]
    assert [r.key for r in spine.datasets.lineage(vic, test).runs] == [run]
    links = spine.records.show(balanced).links_out
    assert sorted((x.type, x.target) for x in links) == sorted(
        [("derived_from_dataset", test), ("derived_from_dataset", train)]
    )
    with pytest.raises(InvalidInput, match=f"{model} is a model_version, not a dataset"):
        spine.datasets.lineage(vic, model)


def test_upload_keeps_files_in_the_managed_folder(spine: Spine, dana: str, tmp_path: Path) -> None:
    files = [("split/a.csv", b"x,y\n1,2\n3,4\n"), ("notes.md", b"# notes\n")]
    view = spine.datasets.upload(dana, files, {"title": "Uploaded", **SOURCE})
    fields = view.version.fields
    home = managed_folder(spine.context.blob_dir)
    assert fields["location"] == str(home / fields["manifest_sha256"])
    assert (Path(fields["location"]) / "split" / "a.csv").read_bytes() == files[0][1]
    assert fields["row_count"] == 2 and fields["file_count"] == 2
    again = spine.datasets.upload(dana, list(reversed(files)), {"title": "Again", **SOURCE})
    assert again.version.fields["location"] == fields["location"]
    assert [p.name for p in home.iterdir()] == [fields["manifest_sha256"]]
    assert spine.datasets.verify(spine.users.get("vic"), view.key).matches


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "no files uploaded"),
        ([("../escape.csv", b"a\n")], "uploaded file 1 '../escape.csv': not a plain relative"),
        ([("/etc/x.csv", b"a\n")], "not a plain relative file name"),
        ([("a.csv", b"a\n"), ("./a.csv", b"b\n")], "the same file name is uploaded twice"),
        ([("bad.csv", b"a,b\n1\n")], "bad.csv: row 1 \\(line 2\\) has 1 fields"),
        # a .git folder is never part of a manifest: its files would be silently left out
        ([("a.csv", b"a\n"), ("sub/.git/x", b"b\n")], "uploaded file 2 'sub/.git/x': not a"),
        ([("a\x00.csv", b"a\n")], r"uploaded file 1 'a\\x00\.csv': not a plain relative"),
        (
            [("split", b"a\n"), ("split/a.csv", b"b\n")],
            "'split' is uploaded as a file and as a folder",
        ),
        (
            [("split/a.csv", b"b\n"), ("split", b"a\n")],
            "'split' is uploaded as a file and as a folder",
        ),
        ([("a.csv", b"a\n")], "field 'source'"),
    ],
)
def test_bad_uploads_write_nothing(
    spine: Spine, dana: str, files: list[tuple[str, bytes]], message: str
) -> None:
    before = database_state(spine)
    fields = {"title": "Bad"} if "source" in message else {"title": "Bad", **SOURCE}
    with pytest.raises(InvalidInput, match=message):
        spine.datasets.upload(dana, files, fields)
    assert database_state(spine) == before
    home = managed_folder(spine.context.blob_dir)
    assert not home.exists() or list(home.iterdir()) == []


def test_bad_registrations_write_nothing(spine: Spine, dana: str, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "wdbc")
    raw = spine.datasets.register(dana, folder, {"title": "Raw", **SOURCE}).key
    requirement = spine.records.create(
        "ada", "requirement", sample_fields(spine.profile, "requirement")
    ).key
    before = database_state(spine)
    blobs = sorted(p.name for p in spine.context.blob_dir.rglob("*"))
    cases: list[tuple[type[Exception], str, dict[str, object], list[str], Path]] = [
        (InvalidInput, "no transformation says how", {"title": "Split"}, [raw], folder),
        (NotFound, "DS-99", {"title": "Split", "transformation": "t"}, ["DS-99"], folder),
        (
            InvalidInput,
            "not a dataset",
            {"title": "S", "transformation": "t"},
            [requirement],
            folder,
        ),
        (
            InvalidInput,
            "manifest_sha256 are computed",
            {"title": "S", "manifest_sha256": "0"},
            [],
            folder,
        ),
        (InvalidInput, "no such file or folder", {"title": "S"}, [], tmp_path / "missing"),
        (InvalidInput, "field 'source'", {"title": "No source"}, [], folder),
        (InvalidInput, "purpose", {"title": "S", "purpose": "fun", **SOURCE}, [], folder),
    ]
    for error, message, fields, parents, path in cases:
        given = {**SOURCE, **fields} if "No source" not in str(fields) else fields
        with pytest.raises(error, match=message):
            spine.datasets.register(dana, path, given, derived_from=parents)
    with pytest.raises(Forbidden, match="eve"):
        spine.datasets.register("eve", folder, {"title": "S", **SOURCE})
    (folder / "broken.csv").write_text("a,b\n1,2,3\n")
    with pytest.raises(InvalidInput, match=r"broken.csv: row 1 \(line 2\) has 3 fields"):
        spine.datasets.register(dana, folder, {"title": "S", **SOURCE})
    assert database_state(spine) == before
    assert sorted(p.name for p in spine.context.blob_dir.rglob("*")) == blobs


def test_two_identical_uploads_racing_both_land_in_the_one_folder(
    spine: Spine, dana: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other upload moves the same files into place just before our move."""
    files = [("a.csv", b"x\n1\n")]
    home = managed_folder(spine.context.blob_dir)
    rename = Path.rename
    raced: list[Path] = []

    def other_upload_first(self: Path, target: Path) -> Path:
        if self.name.startswith(".incoming-") and not raced:
            raced.append(Path(target))
            shutil.copytree(self, target)
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", other_upload_first)
    view = spine.datasets.upload(dana, files, {"title": "Racing", **SOURCE})
    assert raced and view.version.fields["location"] == str(raced[0])
    assert sorted(p.name for p in home.iterdir()) == [raced[0].name]


def test_bad_fields_are_refused_before_any_file_is_hashed(
    spine: Spine, dana: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_dataset(tmp_path / "wdbc")

    def no_hashing(*_: object) -> None:
        raise AssertionError("the files were hashed before the fields were checked")

    monkeypatch.setattr(datasets, "build_manifest", no_hashing)
    with pytest.raises(InvalidInput, match="purpose"):
        spine.datasets.register(dana, folder, {"title": "S", "purpose": "fun", **SOURCE})
    with pytest.raises(InvalidInput, match="no_such_field"):
        spine.datasets.upload(dana, [("a.csv", b"a\n")], {"title": "S", "no_such_field": 1})


def test_lineage_reads_one_query_per_generation_not_per_dataset(
    spine: Spine, dana: str, tmp_path: Path
) -> None:
    def register(name: str, parents: list[str]) -> str:
        (tmp_path / name).mkdir()
        (tmp_path / name / "d.csv").write_text(f"name\n{name}\n")
        fields = {"title": name, **SOURCE}
        if parents:
            fields["transformation"] = "split"
        return spine.datasets.register(dana, tmp_path / name, fields, derived_from=parents).key

    raw = register("raw", [])
    children = [register(f"child{n}", [raw]) for n in range(6)]
    grandchild = register("grandchild", [children[3]])
    statements: list[str] = []

    def count(*arguments: object) -> None:
        statements.append(str(arguments[2]))

    vic = spine.users.get("vic")
    sa.event.listen(spine.context.engine, "before_cursor_execute", count)
    try:
        found = spine.datasets.lineage(vic, raw)
    finally:
        sa.event.remove(spine.context.engine, "before_cursor_execute", count)
    assert [(d.key, d.depth, d.via) for d in found.descendants] == [
        *[(child, 1, raw) for child in children],
        (grandchild, 2, children[3]),
    ]
    walked = [s for s in statements if "link" in s and "JOIN" in s]
    # descendants: one per generation and one finding none; ancestors, models, runs: one each
    assert len(walked) == 3 + 1 + 1 + 1
