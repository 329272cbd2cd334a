"""`--as-of` on record show, trace, impact and matrix; the matrix filters, HTML and --all."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from qspine import load_profile

from cli_helpers import between, flat
from helpers import PASSWORD, Invoke, sign_cli


def test_record_show_as_of_before_a_revision_has_the_old_title(seeded: Invoke) -> None:
    q = seeded
    at, stamped = between()
    revised = q(
        "-u",
        "eve",
        "record",
        "revise",
        "REQ-1",
        "--set",
        "title=Show likelihood with a 95% CI",
        "--expect",
        "1",
        "--reason",
        "add CI",
    )
    assert revised.code == 0, revised.err
    then = json.loads(q("record", "show", "REQ-1", "--as-of", at, "--json").out)
    assert (then["title"], then["version"]["number"]) == ("Show likelihood", 1)
    assert then["next_transitions"] == [] and then["as_of"] is not None
    now = json.loads(q("record", "show", "REQ-1", "--json").out)
    assert (now["title"], now["version"]["number"], now["as_of"]) == (
        "Show likelihood with a 95% CI",
        2,
        None,
    )
    shown = q("record", "show", "REQ-1", "--as-of", at)
    assert shown.code == 0 and f"as of {stamped}" in flat(shown)
    assert "Show likelihood" in shown.out and "95% CI" not in shown.out
    assert "as of" not in q("record", "show", "REQ-1").out


def test_trace_and_impact_as_of_before_a_link_was_removed(seeded: Invoke) -> None:
    q = seeded
    assert q("-u", "eve", "link", "add", "REQ-1", "derives_from", "UN-1").code == 0
    at, stamped = between()
    removed = q(
        "-u", "eve", "link", "remove", "REQ-1", "derives_from", "UN-1", "--reason", "wrong need"
    )
    assert removed.code == 0, removed.err

    then = json.loads(q("-u", "eve", "trace", "UN-1", "--as-of", at, "--json").out)
    assert [(n["key"], n["depth"]) for n in then["nodes"]] == [("UN-1", 0), ("REQ-1", 1)]
    assert [(e["source"], e["type"], e["target"]) for e in then["edges"]] == [
        ("REQ-1", "derives_from", "UN-1")
    ]
    now = json.loads(q("-u", "eve", "trace", "UN-1", "--json").out)
    assert [n["key"] for n in now["nodes"]] == ["UN-1"] and now["edges"] == []
    shown = q("-u", "eve", "trace", "UN-1", "--as-of", at)
    assert "REQ-1" in shown.out and f"as of {stamped}" in flat(shown)

    impact = json.loads(q("-u", "eve", "impact", "UN-1", "--as-of", at, "--json").out)
    assert impact["total"] == 1 and impact["will_turn_suspect"][0]["source"] == "REQ-1"
    assert json.loads(q("-u", "eve", "impact", "UN-1", "--json").out)["total"] == 0
    assert f"as of {stamped}" in flat(q("-u", "eve", "impact", "UN-1", "--as-of", at))


def test_matrix_as_of_filters_html_and_every_matrix(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    matrix = ("-u", "eve", "matrix", "design_verification")
    assert q("-u", "eve", "record", "transition", "UN-1", "in_review", "--expect", "1").code == 0
    assert sign_cli(q, "quinn", "UN-1", "approved", 1, PASSWORD).code == 0
    assert q("-u", "eve", "link", "add", "REQ-1", "derives_from", "UN-1").code == 0
    at, stamped = between()
    assert (
        q(
            "-u",
            "eve",
            "record",
            "revise",
            "UN-1",
            "--set",
            "title=Faster triage",
            "--expect",
            "1",
            "--reason",
            "clinic feedback",
        ).code
        == 0
    )
    assert q("-u", "eve", "record", "transition", "UN-1", "in_review", "--expect", "2").code == 0
    assert sign_cli(q, "quinn", "UN-1", "approved", 2, PASSWORD).code == 0

    suspect = json.loads(q(*matrix, "-f", "json", "--suspect-only").out)
    assert [[c and (c["key"], c["suspect"]) for c in row["cells"]] for row in suspect["rows"]] == [
        [("UN-1", False), ("REQ-1", True), None, None]
    ]
    assert suspect["filters"] == {"suspect_only": True}
    then = json.loads(q(*matrix, "-f", "json", "--suspect-only", "--as-of", at).out)
    assert then["rows"] == [] and then["as_of"] is not None
    before = json.loads(q(*matrix, "-f", "json", "--as-of", at).out)
    assert [c and c["title"] for c in before["rows"][0]["cells"]][:2] == [
        "Fast triage",
        "Show likelihood",
    ]
    assert len(json.loads(q(*matrix, "-f", "json", "--text", "likelihood").out)["rows"]) == 1
    assert json.loads(q(*matrix, "-f", "json", "--text", "no such words").out)["rows"] == []
    shown = q(*matrix, "--as-of", at)
    assert shown.code == 0 and f"as of {stamped}" in flat(shown)

    page = tmp_path / "dv.html"
    written = q(*matrix, "-f", "html", "--as-of", at, "-o", str(page))
    assert written.code == 0 and f"as of {stamped}" in flat(written)
    html = page.read_text()
    assert html.startswith("<!doctype html>") and before["fingerprint"] in html
    assert "gap" in html and stamped in html
    assert q(*matrix, "-f", "html").out.startswith("<!doctype html>")

    book_path = tmp_path / "all.xlsx"
    every = q("-u", "eve", "matrix", "--all", "-f", "xlsx", "-o", str(book_path))
    assert every.code == 0, every.err
    names = list(load_profile().matrices)
    assert f"({len(names)} matrices" in flat(every)
    assert load_workbook(book_path, read_only=True).sheetnames == [
        "Cover",
        *(n[:31] for n in names),
    ]
