"""`qspine monitor ingest|series` through the CLI: a breach opens a signal and a CAPA candidate,
re-ingesting adds nothing, a bad file is refused with its row and field. The series are
simulated (CSV files written into tmp_path)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import flat
from helpers import Invoke, sign_cli


def deployed_model(q: Invoke) -> str:
    """REQ-3 (monitoring: rolling_sensitivity >= 0.9) implemented by an approved MV-1."""
    made = q(
        "-u", "quinn", "record", "create", "requirement", "--set", "title=Sensitivity in use",
        "--set", "statement=The model shall stay sensitive in use.",
        "--set", "monitoring_criteria=rolling_sensitivity >= 0.9", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    requirement = json.loads(made.out)["key"]
    made = q(
        "-u", "quinn", "record", "create", "model_version", "--set", "title=CytoAssist model",
        "--set", "version_label=1.0", "--set", f"weights_sha256={'c' * 64}", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    model = str(json.loads(made.out)["key"])
    assert q("-u", "quinn", "link", "add", model, "implements", requirement).code == 0
    moved = q("-u", "quinn", "record", "transition", model, "in_review", "--expect", "1")
    assert moved.code == 0, moved.err
    signed = sign_cli(q, "ada", model, "approved", 1)
    assert signed.code == 0, signed.err
    return model


def series_file(path: Path, values: list[float]) -> Path:
    rows = [f"2026-05-{day:02d},site-A,rolling_sensitivity,{v}" for day, v in enumerate(values, 1)]
    path.write_text("observed_at,site,metric,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_ingest_and_series(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    model = deployed_model(q)
    data = series_file(tmp_path / "week.csv", [0.95, 0.91, 0.87, 0.85, 0.93])

    done = q("-u", "quinn", "monitor", "ingest", model, str(data))

    assert done.code == 0, done.err
    text = flat(done)
    assert f"week.csv (csv) -> {model} v1: 5 point(s) added, 0 unchanged, 1 series" in text
    assert "1 breach episode(s), 1 new: 1 signal(s) and 1 CAPA candidate(s) created" in text
    assert "opened PMS-1, CAPA-1" in text
    again = q("-u", "quinn", "monitor", "ingest", model, str(data), "--version", "1", "--json")
    assert again.code == 0, again.err
    report = json.loads(again.out)
    assert (report["points_added"], report["points_unchanged"]) == (0, 5)
    assert report["signals_created"] == [] and report["breaches"][0]["signal"] == "PMS-1"

    shown = q("-u", "eve", "monitor", "series", model)
    assert shown.code == 0, shown.err
    assert "1 monitored series" in shown.out and "PMS-1" in shown.out
    listed = json.loads(q("-u", "eve", "monitor", "series", model, "--json").out)
    assert [(s["site"], len(s["points"]), len(s["breaches"])) for s in listed] == [("site-A", 5, 1)]
    assert listed[0]["signals"][0]["capas"][0]["key"] == "CAPA-1"


def test_bad_file_and_undeployed_model_are_refused(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    model = deployed_model(q)
    bad = tmp_path / "bad.csv"
    bad.write_text("observed_at,site,metric,value\n2026-05-01,site-A,sens,x\n", encoding="utf-8")
    refused = q("-u", "quinn", "monitor", "ingest", model, str(bad))
    assert refused.code == 2 and "bad.csv: row 2: value: 'x' is not a number" in refused.err
    data = series_file(tmp_path / "a.csv", [0.5])
    refused = q("-u", "quinn", "monitor", "ingest", "REQ-1", str(data))
    assert refused.code == 2 and "REQ-1 is a requirement, not a model_version" in refused.err
    refused = q("-u", "eve", "monitor", "ingest", model, str(data))
    assert refused.code != 0 and "lacks write:post_market_signal" in refused.err
    assert json.loads(q("-u", "eve", "monitor", "series", model, "--json").out) == []


def test_site_names_are_printed_as_text_not_markup(seeded: Invoke, tmp_path: Path) -> None:
    """A site is the data's own text: brackets in it are printed, not read as rich markup
    (an unmatched closing tag made the command fail after the ingest had committed)."""
    q = seeded
    model = deployed_model(q)
    data = tmp_path / "ward.csv"
    data.write_text(
        "observed_at,site,metric,value\n2026-05-01,ward [/] [bold]B[/bold],rolling_sensitivity,"
        "0.5\n",
        encoding="utf-8",
    )
    done = q("-u", "quinn", "monitor", "ingest", model, str(data))
    assert done.code == 0, done.err
    assert "ward [/] [bold]B[/bold] rolling_sensitivity" in flat(done)
    shown = q("-u", "eve", "monitor", "series", model)
    assert shown.code == 0, shown.err
    assert "[/]" in shown.out and "[bold]" in shown.out  # the table wraps the cell
