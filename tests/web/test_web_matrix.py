"""The trace matrix pages: the list, one matrix with gaps and suspect marks, the gaps-only,
suspect-only and text filters, as-of views, the XLSX/CSV/JSON/HTML downloads and the workbook
of every matrix, the JSON twin, errors and read-only access."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from qspine import Spine
from qspine.cli.output import jsonable
from qspine.model.asof import stamp

from .web_helpers import Browser, extend, reapprove, traced_requirement
from helpers import Clock

#   UN-1 <-derives_from- REQ-1 <-verifies- TC-1 <-result_of- TR-1   (complete; TC-1 suspect)
#   UN-2                                                            (no requirement: a gap)
ROWS = [["UN-1", "REQ-1", "TC-1", "TR-1"], ["UN-2", None, None, None]]
URL = "/matrices/design_verification"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def then(web_spine: Spine) -> str:
    """Builds the chain; returns the instant (as `as_of` text) before REQ-1's reapproval,
    when no link was suspect yet."""
    clock = Clock()
    web_spine.context.clock = clock
    traced_requirement(web_spine)
    extend(
        web_spine,
        [("user_need", "Easy to read"), ("user_need", "Quiet at night"), ("test_result", "Passed")],
        [("derives_from", "REQ-1", "UN-1"), ("result_of", "TR-1", "TC-1")],
    )
    instant = clock.mark()
    reapprove(web_spine, "REQ-1", {"statement": "The label shall be readable at 40 cm."})
    return stamp(instant)


@pytest.fixture
def chain(web_spine: Spine, then: str) -> Spine:
    return web_spine


@pytest.fixture
def eve(signed_in: Callable[[str], Browser], chain: Spine) -> Browser:
    return signed_in("eve")


def row_keys(rows: list[dict[str, Any]]) -> list[list[str | None]]:
    return [[None if c is None else c["key"] for c in row["cells"]] for row in rows]


def test_matrices_list_links_every_matrix(eve: Browser, chain: Spine) -> None:
    response = eve.get("/matrices")
    assert response.status_code == 200, response.text
    assert 'href="/matrices"' in response.text and 'aria-current="page">Matrices' in response.text
    for name, title in chain.matrices.names().items():
        assert f'href="/matrices/{name}"' in response.text and title in response.text
    assert "User need → Requirement" in response.text and "7.3.6" in response.text
    listed = eve.get("/matrices?format=json").json()["matrices"]
    assert [item["name"] for item in listed] == list(chain.matrices.names())


def test_matrix_page_marks_gaps_and_suspects(eve: Browser) -> None:
    response = eve.get(URL)
    assert response.status_code == 200, response.text
    body = response.text.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    assert len(rows) == 2
    assert all(f'href="/records/{key}"' in rows[0] for key in ROWS[0] if key)
    assert "SUSPECT" in rows[0] and 'class="nowrap first suspect"' in rows[0]
    assert rows[1].count('class="gap first"') == 3 and "SUSPECT" not in rows[1]
    assert "Easy to read" in rows[0] and 'class="badge tone-' in rows[0]
    assert "<strong>2</strong> rows" in response.text
    assert "<strong>1</strong> with gaps" in response.text
    assert "<strong>1</strong> with suspect links" in response.text
    for fmt in ("xlsx", "csv", "json"):
        assert f'href="{URL}/export.{fmt}"' in response.text


def test_gaps_only_filters_page_and_downloads(eve: Browser) -> None:
    data = eve.get(f"{URL}?gaps_only=1&format=json").json()
    assert data["gaps_only"] is True and row_keys(data["rows"]) == [ROWS[1]]
    page = eve.get(f"{URL}?gaps_only=1").text
    assert f'href="{URL}/export.csv?gaps_only=1"' in page
    lines = list(csv.reader(io.StringIO(eve.get(f"{URL}/export.csv?gaps_only=1").text)))
    assert len(lines) == 2 and lines[1][0].startswith("UN-2")


def test_xlsx_download_opens(eve: Browser) -> None:
    response = eve.get(f"{URL}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert 'filename="design_verification.xlsx"' in response.headers["content-disposition"]
    assert response.headers["content-disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Cover", "design_verification"]
    sheet = book["design_verification"]
    assert sheet.max_row == 3 and str(sheet.cell(2, 1).value).startswith("UN-1")


def test_csv_and_json_downloads(eve: Browser, chain: Spine) -> None:
    response = eve.get(f"{URL}/export.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="design_verification.csv"' in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0][0] == "User need key" and lines[0][-2:] == ["gap", "suspect"]
    assert [line[-2:] for line in lines[1:]] == [["", "yes"], ["yes", ""]]

    exported = eve.get(f"{URL}/export.json")
    assert exported.headers["content-type"] == "application/json"
    assert 'filename="design_verification.json"' in exported.headers["content-disposition"]
    body = exported.json()
    assert row_keys(body["rows"]) == ROWS and body["gaps"] == 1 and body["suspects"] == 1
    built = chain.matrices.build(chain.users.get("eve"), "design_verification")
    assert body["fingerprint"] == built.fingerprint


def test_json_twin_matches_the_service(eve: Browser, chain: Spine) -> None:
    data = eve.get(f"{URL}?format=json").json()
    built = chain.matrices.build(chain.users.get("eve"), "design_verification")
    assert data["fingerprint"] == built.fingerprint and data["total"] == 2
    assert data["gaps"] == 1 and data["suspects"] == 1 and data["capped"] is False
    assert data["columns"] == jsonable(list(built.columns))
    assert data["rows"][0]["cells"] == jsonable(list(built.rows[0].cells))
    assert [row["gap"] for row in data["rows"]] == [False, True]


def test_unknown_matrix_gives_the_404_page(eve: Browser) -> None:
    response = eve.get("/matrices/nope")
    assert response.status_code == 404 and "Not found" in response.text
    assert "no matrix" in response.text
    assert eve.get("/matrices/nope/export.csv").status_code == 404
    assert eve.get("/matrices/nope?format=json").json()["error"]["code"]


def test_a_viewer_can_read_and_download(signed_in: Callable[[str], Browser], chain: Spine) -> None:
    vic = signed_in("vic")
    assert vic.get("/matrices").status_code == 200
    assert vic.get(URL).status_code == 200
    assert vic.get(f"{URL}/export.xlsx").status_code == 200


def test_signed_out_is_sent_to_login(client: TestClient) -> None:
    response = client.get(URL, follow_redirects=False)
    assert response.status_code == 303 and "/login" in response.headers["location"]


def test_suspect_and_text_filters_narrow_rows_and_downloads(eve: Browser) -> None:
    suspect = eve.get(f"{URL}?suspect_only=1&format=json").json()
    assert row_keys(suspect["rows"]) == [ROWS[0]] and suspect["filters"]["suspect_only"] is True
    found = eve.get(f"{URL}?text=quiet&format=json").json()
    assert row_keys(found["rows"]) == [ROWS[1]] and found["filters"]["text"] == "quiet"
    assert eve.get(f"{URL}?text=UN-1&suspect_only=1&format=json").json()["total"] == 1
    assert eve.get(f"{URL}?text=nothing-like-this&format=json").json()["total"] == 0

    page = eve.get(f"{URL}?suspect_only=1&text=check").text
    assert 'id="suspect_only" name="suspect_only" value="1" checked' in page
    assert 'id="gaps_only" name="gaps_only" value="1">' in page and 'value="check"' in page
    assert "(suspect links only, containing “check”)" in page
    for fmt in ("xlsx", "csv", "json", "html"):
        assert f'href="{URL}/export.{fmt}?suspect_only=1&amp;text=check"' in page
    assert "No rows match these filters" in eve.get(f"{URL}?text=zzz").text

    lines = list(csv.reader(io.StringIO(eve.get(f"{URL}/export.csv?text=quiet").text)))
    assert len(lines) == 2 and lines[1][0].startswith("UN-2")
    exported = eve.get(f"{URL}/export.json?suspect_only=1").json()
    assert row_keys(exported["rows"]) == [ROWS[0]]
    assert exported["filters"] == {"suspect_only": True}


def test_matrix_as_of_shows_the_chain_before_the_reapproval(eve: Browser, then: str) -> None:
    data = eve.get(f"{URL}?as_of={then}&format=json").json()
    assert row_keys(data["rows"]) == ROWS and data["suspects"] == 0
    assert data["as_of"] is not None
    now = eve.get(f"{URL}?format=json").json()
    assert now["suspects"] == 1 and now["fingerprint"] != data["fingerprint"]

    page = eve.get(f"{URL}?as_of={then}").text
    assert "Viewing as of" in page and f'href="{URL}">Back to now</a>' in page
    assert f'href="{URL}/export.xlsx?as_of={then}"' in page
    assert f'href="/records/REQ-1?as_of={then}"' in page and "SUSPECT</span>" not in page
    assert (
        f'href="{URL}?gaps_only=1">Back to now' in eve.get(f"{URL}?gaps_only=1&as_of={then}").text
    )

    response = eve.get(f"{URL}/export.xlsx?as_of={then}")
    assert (
        'filename="design_verification-as-of-20260302T' in response.headers["content-disposition"]
    )
    cover = load_workbook(io.BytesIO(response.content))["Cover"]
    facts = {row[0]: row[1] for row in cover.iter_rows(values_only=True)}
    assert (
        facts["As of (UTC)"] == then
        and facts["Content fingerprint (SHA-256)"] == data["fingerprint"]
    )

    bad = eve.get(f"{URL}?as_of=last+week")
    assert bad.status_code == 422 and "as-of &#39;last week&#39;" in bad.text
    assert eve.get(f"{URL}/export.csv?as_of=2099-01-01").status_code == 422


def test_html_download_is_a_standalone_document(eve: Browser, chain: Spine) -> None:
    response = eve.get(f"{URL}/export.html?gaps_only=1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'filename="design_verification.html"' in response.headers["content-disposition"]
    document = response.text
    built = chain.matrices.build(chain.users.get("eve"), "design_verification", gaps_only=True)
    assert document.startswith("<!doctype html>") and document.rstrip().endswith("</html>")
    assert built.fingerprint in document and "gaps_only=True" in document
    assert "UN-2" in document and "UN-1" not in document
    assert "<script" not in document and "/static/" not in document and "<link" not in document


def test_every_matrix_in_one_workbook(eve: Browser, chain: Spine) -> None:
    assert 'href="/matrices/export.xlsx"' in eve.get("/matrices").text
    response = eve.get("/matrices/export.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert 'filename="trace-matrices.xlsx"' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Cover", *chain.matrices.names()]
    titles = [
        row[1] for row in book["Cover"].iter_rows(values_only=True) if row[0] == "Trace matrix"
    ]
    assert titles == list(chain.matrices.names().values())
