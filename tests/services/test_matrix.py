"""Trace matrices on a hand-built spine with known rows, gaps and suspect marks; exports."""

from __future__ import annotations

import csv
import hashlib
import io
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from qspine import NewLink, NewRecord, NotFound, ProfileError, Spine, load_profile
from qspine.model.asof import stamp
from qspine.model.matrix import CSV_TEXT, Matrix, cell_values
from qspine.model.matrix_rows import GroupedRows
from qspine.model.profile import build_profile
from qspine.profiles import _builtin_raw
from qspine.reports.matrix_export import to_csv, to_html, to_xlsx

from helpers import PASSWORD, approve, sample_fields

PROFILE = load_profile()


@pytest.fixture
def chain(spine: Spine) -> Spine:
    # UN-1 <- REQ-1 <- TC-1 <- TR-1 ; UN-1 <- REQ-2 (no test: gap) ; UN-2 (no requirement: gap)
    # REQ-3 derives from nothing (orphan: gap) <- TC-2 (no result: gap)
    spine.records.create_many(
        "quinn",
        [
            NewRecord(kind, sample_fields(PROFILE, kind))
            for kind in ["user_need"] * 2
            + ["requirement"] * 3
            + ["test_case"] * 2
            + ["test_result"]
        ],
    )
    spine.links.link_many(
        "quinn",
        [
            NewLink("derives_from", "REQ-1", "UN-1"),
            NewLink("derives_from", "REQ-2", "UN-1"),
            NewLink("verifies", "TC-1", "REQ-1"),
            NewLink("result_of", "TR-1", "TC-1"),
            NewLink("verifies", "TC-2", "REQ-3"),
        ],
    )
    return spine


def keys(matrix: object) -> list[tuple[str | None, ...]]:
    return [tuple(None if c is None else c.key for c in row.cells) for row in matrix.rows]  # type: ignore[attr-defined]


def test_rows_gaps_and_orphans(chain: Spine) -> None:
    built = chain.matrices.build(chain.users.get("vic"), "design_verification")
    assert keys(built) == [
        ("UN-1", "REQ-1", "TC-1", "TR-1"),
        ("UN-1", "REQ-2", None, None),
        ("UN-2", None, None, None),
        (None, "REQ-3", "TC-2", None),
    ]
    assert built.gaps == 3 and built.columns[0].title == "User need"
    only = chain.matrices.build(chain.users.get("vic"), "design_verification", gaps_only=True)
    assert len(only.rows) == 3 and all(row.gap for row in only.rows)


def test_suspect_marks_follow_the_link(chain: Spine) -> None:
    key = "REQ-1"
    chain.records.transition("quinn", key, "in_review", 1)
    chain.signing.sign("ada", PASSWORD, key, "approved", 1)
    chain.records.revise("quinn", key, {"title": "Sharper"}, 1, "wording")
    chain.records.transition("quinn", key, "in_review", 2)
    chain.signing.sign("ada", PASSWORD, key, "approved", 2)
    built = chain.matrices.build(chain.users.get("vic"), "design_verification")
    first = built.rows[0]
    assert first.suspect and first.cells[2] is not None and first.cells[2].suspect
    assert first.cells[1] is not None and not first.cells[1].suspect
    assert built.suspects == 1


def test_fingerprint_changes_with_content_only(chain: Spine) -> None:
    vic = chain.users.get("vic")
    first = chain.matrices.build(vic, "design_verification")
    assert chain.matrices.build(vic, "design_verification").fingerprint == first.fingerprint
    chain.links.link("quinn", "verifies", "TC-2", "REQ-2")
    assert chain.matrices.build(vic, "design_verification").fingerprint != first.fingerprint


def test_xlsx_and_csv_exports_read_back(chain: Spine) -> None:
    built = chain.matrices.build(chain.users.get("vic"), "design_verification")
    book = load_workbook(io.BytesIO(to_xlsx(built)))
    assert book.sheetnames == ["Cover", "design_verification"]
    cover = {row[0].value: row[1].value for row in book["Cover"].iter_rows()}
    assert cover["Content fingerprint (SHA-256)"] == built.fingerprint
    assert cover["Rows with gaps"] == "3"
    sheet = book["design_verification"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    assert sheet["A2"].value == "UN-1 v1" and sheet["D2"].value == "REQ-1 v1"
    assert sheet["G3"].fill.start_color.rgb.endswith("FDE2E1"), "a gap cell is highlighted"
    assert sheet.max_row == len(built.rows) + 1
    rows = list(csv.reader(io.StringIO(to_csv(built))))
    assert rows[0][0] == "User need key" and rows[0][-2:] == ["gap", "suspect"]
    assert [row[-2] for row in rows[1:]] == ["", "yes", "yes", "yes"]


def test_workbook_of_every_matrix_and_as_of_cover(chain: Spine) -> None:
    vic = chain.users.get("vic")
    at = chain.context.clock()
    built = [chain.matrices.build(vic, name, at=at) for name in PROFILE.matrices]
    book = load_workbook(io.BytesIO(to_xlsx(built)))
    assert book.sheetnames == ["Cover", *PROFILE.matrices]
    labels = [row[0].value for row in book["Cover"].iter_rows()]
    assert labels.count("Content fingerprint (SHA-256)") == len(built)
    stamps = [row[1].value for row in book["Cover"].iter_rows() if row[0].value == "As of (UTC)"]
    assert stamps == [stamp(at)] * len(built)
    assert book["requirement_verification"].max_row == len(built[1].rows) + 1


def test_standalone_html_export(chain: Spine) -> None:
    built = chain.matrices.build(chain.users.get("vic"), "design_verification", gaps_only=True)
    page = to_html(built)
    tree = ElementTree.fromstring(page.replace("<!doctype html>", ""))
    body = tree.find("body")
    assert body is not None and body.find("h1") is not None
    rows = tree.findall(".//table[@class='matrix']/tbody/tr")
    assert len(rows) == len(built.rows) == 3
    assert built.fingerprint in page and "gaps_only=True" in page
    assert "<script" not in page and "http" not in page, "standalone: nothing fetched"
    gaps = [td for td in rows[1].findall("td") if td.get("class") == "gap"]
    assert len(gaps) == 9 and gaps[0].text == "— gap —"


def test_unknown_matrix_and_profile_errors(chain: Spine) -> None:
    with pytest.raises(NotFound, match="no matrix 'nope'"):
        chain.matrices.build(chain.users.get("vic"), "nope")
    data = _builtin_raw("qmsr")
    data["matrices"]["broken"] = {
        "title": "x",
        "columns": [{"kind": "user_need"}, {"kind": "test_result", "link": "verifies"}],
    }
    with pytest.raises(
        ProfileError,
        match=r"matrices\.broken\.columns\.1\.link: 'verifies' "
        "does not connect user_need and test_result",
    ):
        build_profile(data)


def test_shared_tails_keep_each_links_mark_and_read_like_a_list(chain: Spine) -> None:
    # TC-1 (with TR-1) verifies REQ-1 and REQ-2; REQ-2 is then revised and approved with a
    # title a CSV must quote: the link to REQ-2 turns suspect, the one to REQ-1 does not.
    chain.links.link("quinn", "verifies", "TC-1", "REQ-2")
    key, title = "REQ-2", 'Dose, "max" 5\nmg'
    chain.records.transition("quinn", key, "in_review", 1)
    chain.signing.sign("ada", PASSWORD, key, "approved", 1)
    chain.records.revise("quinn", key, {"title": title}, 1, "wording")
    chain.records.transition("quinn", key, "in_review", 2)
    chain.signing.sign("ada", PASSWORD, key, "approved", 2)
    built = chain.matrices.build(chain.users.get("vic"), "design_verification")
    assert keys(built) == [
        ("UN-1", "REQ-1", "TC-1", "TR-1"),
        ("UN-1", "REQ-2", "TC-1", "TR-1"),
        ("UN-2", None, None, None),
        (None, "REQ-3", "TC-2", None),
    ]
    marks = [[c is not None and c.suspect for c in row.cells] for row in built.rows]
    assert marks[0] == [False] * 4 and marks[1] == [False, False, True, False]
    assert (built.gaps, built.suspects) == (2, 1) and len(built.rows) == 4
    assert built.rows[-1] == built.rows[3] and built.rows[1:3] == list(built.rows)[1:3]
    with pytest.raises(IndexError):
        built.rows[4]
    # the fingerprint is the SHA-256 of the CSV export, read first or after writing the CSV
    text = to_csv(built)
    assert built.fingerprint == hashlib.sha256(text.encode()).hexdigest()
    fresh = chain.matrices.build(chain.users.get("vic"), "design_verification")
    assert fresh.fingerprint == built.fingerprint and to_csv(fresh) == text
    rows = list(csv.reader(io.StringIO(to_csv(built))))
    assert rows[2][:6] == ["UN-1 v1", *rows[1][1:3], "REQ-2 v2", title, "approved"]
    assert rows[2][6] == "TC-1 v1 (SUSPECT)" and rows[2][-2:] == ["", "yes"]
    assert rows[1][6] == "TC-1 v1" and rows[1][-2:] == ["", ""]
    assert rows[4][:3] == ["", "", ""] and rows[4][-2] == "yes"


def _written_by_csv_module(matrix: Matrix) -> str:
    """The matrix as Python's csv module writes its iterated rows (the reference)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(matrix.header_row())
    for row in matrix.rows:
        values = [value for cell in row.cells for value in cell_values(cell)]
        writer.writerow([*values, "yes" if row.gap else "", "yes" if row.suspect else ""])
    return out.getvalue()


def test_chain_lines_read_as_the_rows_do(chain: Spine) -> None:
    # Shared and suspect tails below a full lead and below orphans of two columns:
    # TC-1 verifies REQ-1 and REQ-2 (REQ-2 re-approved: that link turns suspect);
    # TC-3 verifies nothing (orphan) and its result TR-2's link turns suspect; TR-3 is an
    # orphan result; UN-2 has nothing below it.
    spine = chain
    spine.records.create_many(
        "quinn", [NewRecord(kind, sample_fields(PROFILE, kind)) for kind in ("test_case",)]
    )
    spine.records.create_many(
        "quinn", [NewRecord("test_result", sample_fields(PROFILE, "test_result"))] * 2
    )
    spine.links.link_many(
        "quinn",
        [
            NewLink("verifies", "TC-1", "REQ-2"),
            NewLink("result_of", "TR-2", "TC-3"),
        ],
    )
    for key in ("REQ-2", "TC-3"):
        approve(spine, key)
        spine.records.revise("quinn", key, {"title": f'{key}, "revised"'}, 1, "wording")
        approve(spine, key, 2)
    vic = spine.users.get("vic")
    built = spine.matrices.build(vic, "design_verification")
    assert keys(built)[-3:] == [
        (None, "REQ-3", "TC-2", None),
        (None, None, "TC-3", "TR-2"),
        (None, None, None, "TR-3"),
    ]
    assert [row.suspect for row in built.rows] == [False, True, False, False, True, False]
    assert (len(built.rows), built.gaps, built.suspects) == (6, 4, 2)
    text = to_csv(built)
    assert text == _written_by_csv_module(built)
    assert "".join(GroupedRows(built.rows.groups).lines(CSV_TEXT)) in text
    filtered = spine.matrices.build(vic, "design_verification", suspect_only=True)
    assert keys(filtered) == [("UN-1", "REQ-2", "TC-1", "TR-1"), (None, None, "TC-3", "TR-2")]
    assert to_csv(filtered) == _written_by_csv_module(filtered)
