"""`qspine model register|show|list|gate|release` through the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from qspine import open_spine

import ai_scene
from cli_helpers import flat
from helpers import PASSWORD, Invoke


def test_register_show_and_list(seeded: Invoke, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "pre.py").write_text("def scale(x):\n    return x\n")
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"weights")
    config = tmp_path / "config.json"
    config.write_text('{"b": 2, "a": 1}')
    done = seeded(
        "-u", "quinn", "model", "register", str(weights), "--title", "Detector",
        "--version-label", "1.0", "--preprocessing", f"{repo}:src/pre.py", "--threshold", "0.4",
        "--config", str(config), "--package", "typer", "--package", "numpy==2.0.0",
        "--implements", "REQ-1", "--set", "intended_use=Triage", "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    record = json.loads(done.out)
    fields = record["version"]["fields"]
    assert record["key"] == "MV-1"
    assert fields["weights_sha256"] == hashlib.sha256(b"weights").hexdigest()
    assert fields["configuration"] == '{"a":1,"b":2}' and fields["intended_use"] == "Triage"
    assert "numpy==2.0.0" in fields["packages"]
    shown = seeded("-u", "eve", "model", "show", "MV-1")
    assert shown.code == 0, shown.err
    text = flat(shown)
    assert "MV-1 Detector" in text and "path=src/pre.py" in text and "REQ-1 v1" in text
    assert "release gate of MV-1 v1: blocked" in text and "✗" in text
    listed = seeded("-u", "eve", "model", "list", "--json")
    (row,) = json.loads(listed.out)
    assert row["key"] == "MV-1" and row["gate_passed"] is False and row["gate_open"] == 5
    system = json.loads(seeded("-u", "eve", "model", "show", "MV-1", "--json").out)
    assert system["preprocessing"]["path"] == "src/pre.py"
    assert system["gate"]["passed"] is False and len(system["gate"]["conditions"]) == 5


def test_bad_arguments_are_one_line_errors(seeded: Invoke, tmp_path: Path) -> None:
    missing = seeded(
        "-u", "quinn", "model", "register", str(tmp_path / "nope.bin"), "--title", "T",
        "--version-label", "1",
    )  # fmt: skip
    assert missing.code == 2 and "weights: no file at" in missing.err
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"w")
    bad_ref = seeded(
        "-u", "quinn", "model", "register", str(weights), "--title", "T", "--version-label", "1",
        "--preprocessing", "no-path-here",
    )  # fmt: skip
    assert bad_ref.code == 2 and "--preprocessing 'no-path-here': write REPO:PATH" in bad_ref.err
    unknown = seeded(
        "-u", "quinn", "model", "register", str(weights), "--title", "T", "--version-label", "1",
        "--trained-on", "DS-7",
    )  # fmt: skip
    assert unknown.code == 2 and "trained_on: no dataset DS-7" in unknown.err


def test_gate_then_release(seeded: Invoke, tmp_path: Path) -> None:
    scenes = ai_scene
    with open_spine() as spine:  # the CLI's own database and blob folder (environment)
        blocked = scenes.ready_model(spine, tmp_path / "a", rerun=False)
        ready = scenes.ready_model(spine, tmp_path / "b")
    refused = seeded("-u", "quinn", "model", "gate", blocked.model)
    assert refused.code == 1
    assert f"{blocked.run} v1 was never rerun" in flat(refused)
    release = seeded(
        "-u", "quinn", "model", "release", blocked.model, "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert release.code == 2 and f"{blocked.model} cannot move to released" in release.err

    passing = seeded("-u", "quinn", "model", "gate", ready.model, "--json")
    assert passing.code == 0 and json.loads(passing.out)["passed"] is True
    release = seeded(
        "-u", "quinn", "model", "release", ready.model, "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert release.code == 0, release.err
    text = flat(release)
    assert f"released {ready.model} v1" in text and "passes" in text
    shown = json.loads(seeded("-u", "eve", "model", "show", ready.model, "--json").out)
    assert shown["status"] == "released" and shown["recorded_gate"]["passed"] is True


def test_a_version_label_with_brackets_is_printed_not_read_as_markup(
    seeded: Invoke, tmp_path: Path
) -> None:
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"weights")
    done = seeded(
        "-u", "quinn", "model", "register", str(weights), "--title", "Detector",
        "--version-label", "2.0 [/rc1]",
    )  # fmt: skip
    assert done.code == 0, done.err
    shown = seeded("-u", "eve", "model", "show", "MV-1")
    assert shown.code == 0, shown.err
    assert "· 2.0 [/rc1]" in flat(shown)
