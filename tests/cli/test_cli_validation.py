"""`qspine validation run|rerun|show` through the CLI: a run, a reproduced rerun, a rerun on
changed data (exit code 1), and a refused run."""

from __future__ import annotations

import json
from pathlib import Path

from qspine import open_spine

import ai_scene
from cli_helpers import flat
from helpers import Invoke


def test_run_rerun_and_show(seeded: Invoke, tmp_path: Path) -> None:
    scenes = ai_scene
    with open_spine() as spine:  # the CLI's own database and blob folder (environment)
        scene = scenes.build_scene(spine, tmp_path)
    q = seeded
    done = q(
        "-u", "quinn", "validation", "run", "--model", scene.model, "--data", scene.dataset,
        "--command", scene.command, "--title", "Locked test set",
    )  # fmt: skip
    assert done.code == 0, done.err
    text = flat(done)
    assert f"VR-1: {scene.model} v1 on {scene.dataset}: outcome pass" in text
    assert "sensitivity │ 0.8947 │ 0.6861 to 0.9706" in text
    assert "auc >= 0.8" in text and "met" in text

    again = q("-u", "quinn", "validation", "rerun", "VR-1", "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["verdict"] == "reproduced"

    rows = scenes.dataset_rows()
    rows[0] = (rows[0][0], rows[0][1], 1)
    scenes.write_dataset(scene.data, rows)
    changed = q("-u", "quinn", "validation", "rerun", "VR-1")
    assert changed.code == 1
    assert f"differs: dataset {scene.dataset} v1 file test.csv: sha256" in flat(changed)
    refused = q(
        "-u", "quinn", "validation", "run", "--model", scene.model, "--data", scene.dataset,
        "--command", scene.command, "--title", "On changed data",
    )  # fmt: skip
    assert refused.code == 2 and "file test.csv: sha256" in refused.err

    shown = q("-u", "eve", "validation", "show", "VR-1", "--json")
    assert shown.code == 0, shown.err
    view = json.loads(shown.out)
    assert view["record"]["outcome"] == "pass"
    assert [(e["purpose"], e["verdict"]) for e in view["executions"]] == [
        ("run", "pass"),
        ("rerun", "reproduced"),
        ("rerun", "not_reproduced"),
    ]
    table = flat(q("-u", "eve", "validation", "show", "VR-1"))
    assert "not_reproduced" in table and "sensitivity" in table
