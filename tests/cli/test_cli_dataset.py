"""`qspine dataset register|verify|lineage|show|list` through the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cli_helpers import flat
from helpers import PASSWORD, Invoke

SOURCE = ("--source", "UCI breast cancer (Wisconsin diagnostic)")


def data_scientist(q: Invoke) -> None:
    added = q(
        "-u", "ada", "user", "add", "dana", "--name", "Dana Data", "--role", "data_scientist",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.code == 0, added.err


def test_register_verify_lineage_show(seeded: Invoke, tmp_path: Path) -> None:
    data_scientist(seeded)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "all.csv").write_text("id,radius,label\n1,17.99,1\n2,11.42,0\n3,20.57,1\n")
    made = seeded(
        "-u", "dana", "dataset", "register", str(raw), "--title", "WDBC raw", *SOURCE,
        "--purpose", "mixed", "--license", "CC BY 4.0", "--set", "contains_phi=false", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    raw_record = json.loads(made.out)
    raw_key = raw_record["key"]
    fields = raw_record["version"]["fields"]
    assert fields["row_count"] == 3 and fields["contains_phi"] is False
    assert fields["location"] == str(raw.absolute())

    split = tmp_path / "test.csv"
    split.write_text("id,radius,label\n3,20.57,1\n")
    made = seeded(
        "-u", "dana", "dataset", "register", str(split), "--title", "WDBC test", *SOURCE,
        "--purpose", "test", "--derived-from", raw_key, "--transformation", "row 3 held out",
        "--split", "1 of 3 rows, seed 7",
    )  # fmt: skip
    assert made.code == 0, made.err
    assert "registered DS-2 WDBC test: 1 file(s), 1 row(s)" in flat(made)

    verified = seeded("-u", "quinn", "dataset", "verify", "DS-2")
    assert verified.code == 0 and "match manifest" in flat(verified)

    lineage = seeded("-u", "dana", "dataset", "lineage", raw_key, "--json")
    assert lineage.code == 0, lineage.err
    descendants = json.loads(lineage.out)["descendants"]
    assert [(d["key"], d["transformation"], d["split"]) for d in descendants] == [
        ("DS-2", "row 3 held out", "1 of 3 rows, seed 7")
    ]
    text = flat(seeded("-u", "dana", "dataset", "lineage", "DS-2"))
    assert "derived from (ancestors)" in text and raw_key in text

    shown = seeded("-u", "dana", "dataset", "show", raw_key)
    digest = hashlib.sha256((raw / "all.csv").read_bytes()).hexdigest()
    assert shown.code == 0 and "all.csv" in shown.out and digest[:16] in flat(shown)
    as_json = json.loads(seeded("-u", "dana", "dataset", "show", raw_key, "--json").out)
    assert as_json["digest"] == fields["manifest_sha256"]
    assert as_json["manifest"]["files"][0]["sha256"] == digest
    listed = json.loads(seeded("-u", "dana", "dataset", "list", "--json").out)
    assert [d["key"] for d in listed] == ["DS-2", raw_key]

    before = hashlib.sha256(split.read_bytes()).hexdigest()[:12]
    split.write_text("id,radius,label\n3,20.57,0\n")
    after = hashlib.sha256(split.read_bytes()).hexdigest()[:12]
    changed = seeded("-u", "quinn", "dataset", "verify", "DS-2")
    assert changed.code == 1
    assert f"file test.csv: sha256 {before} -> {after}" in flat(changed)
    as_json = json.loads(seeded("-u", "quinn", "dataset", "verify", "DS-2", "--json").out)
    assert as_json["matches"] is False and len(as_json["differences"]) == 1


def test_register_refusals(seeded: Invoke, tmp_path: Path) -> None:
    data_scientist(seeded)
    (tmp_path / "bad.csv").write_text("a,b\n1\n")
    bad = seeded(
        "-u", "dana", "dataset", "register", str(tmp_path / "bad.csv"), "--title", "B", *SOURCE
    )
    assert bad.code == 2 and "bad.csv: row 1 (line 2) has 1 fields" in bad.err
    (tmp_path / "ok.csv").write_text("a\n1\n")
    lineage = seeded(
        "-u", "dana", "dataset", "register", str(tmp_path / "ok.csv"), "--title", "D", *SOURCE,
        "--derived-from", "DS-1",
    )  # fmt: skip
    assert lineage.code == 2 and "no transformation says how" in lineage.err
    forbidden = seeded(
        "-u", "eve", "dataset", "register", str(tmp_path / "ok.csv"), "--title", "D", *SOURCE
    )
    assert forbidden.code == 2 and "lacks write:dataset" in forbidden.err
    unknown = seeded(
        "-u", "dana", "dataset", "register", str(tmp_path / "ok.csv"), "--title", "D", *SOURCE,
        "--set", "colour=blue",
    )  # fmt: skip
    assert unknown.code == 2 and "unknown field 'colour'" in unknown.err
    listed = json.loads(seeded("-u", "dana", "dataset", "list", "--json").out)
    assert listed == []
    missing = seeded("-u", "dana", "dataset", "verify", "REQ-1")
    assert missing.code == 2 and "REQ-1 is a requirement, not a dataset" in missing.err


def test_brackets_in_a_title_or_path_are_printed_not_read_as_markup(
    seeded: Invoke, tmp_path: Path
) -> None:
    data_scientist(seeded)
    folder = tmp_path / "[bold]raw"
    folder.mkdir()
    (folder / "all [bold].csv").write_text("id,[/label]\n1,1\n")
    made = seeded(
        "-u", "dana", "dataset", "register", str(folder), "--title", "WDBC [/v2]", *SOURCE,
    )  # fmt: skip
    assert made.code == 0, made.err
    assert "registered DS-1 WDBC [/v2]: 1 file(s)" in flat(made)
    verified = seeded("-u", "dana", "dataset", "verify", "DS-1")
    assert verified.code == 0, verified.err
    # the path may wrap anywhere on a narrow console: compare without whitespace
    assert f"thefilesat{folder.absolute()}match" in "".join(verified.out.split())
    lineage = seeded("-u", "dana", "dataset", "lineage", "DS-1")
    assert lineage.code == 0 and "DS-1 WDBC [/v2]" in flat(lineage)
    shown = seeded("-u", "dana", "dataset", "show", "DS-1")
    assert shown.code == 0, shown.err
    assert "[bold].csv" in flat(shown) and "[/label]" in flat(shown)  # as text, not markup
    listed = seeded("-u", "dana", "dataset", "list")
    assert listed.code == 0 and "WDBC [/v2]" in flat(listed)
