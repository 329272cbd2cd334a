"""The follow-a-signal pages on the CytoAssist demo: the timeline of six hops (state in words,
records linked, signatures, what is missing), the JSON twin, the start page and its redirect,
as-of, and errors as pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qspine import Spine, open_spine
from qspine.app import create_app
from qspine.cli.output import jsonable
from qspine.demo import DEMO_PASSWORD
from qspine.model.asof import stamp

from .web_helpers import login
from helpers import DemoTemplate, demo_copy, settings_for

STEPS = ["event", "investigation", "risk", "design_change", "verification", "release"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Iterator[Spine]:
    """The demo, seeded once for the module: these pages only read."""
    folder: Path = tmp_path_factory.mktemp("signal-web")
    url = demo_copy(demo_template, folder)
    spine = open_spine(url, settings=settings_for(url, folder))
    yield spine
    spine.close()


@pytest.fixture(scope="module")
def dana(demo: Spine) -> Iterator[TestClient]:
    with TestClient(create_app(demo)) as client:
        login(client, "dana", DEMO_PASSWORD)
        yield client


def hops(html: str) -> dict[str, str]:
    """Each hop's card, by step."""
    parts = re.split(r'<li class="hop state-\w+" id="hop-', html)[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def state_word(card: str) -> str:
    """The state a hop's badge says in words (its symbol is hidden from screen readers)."""
    match = re.search(r'hop-state"><span aria-hidden="true">.</span> ([\w ]+)<', card)
    return match.group(1) if match else ""


def test_the_chain_as_a_timeline_of_six_hops(dana: TestClient) -> None:
    response = dana.get("/signals/CMP-5")
    assert response.status_code == 200, response.text
    html = response.text
    head = html.split("</head>", 1)[0]
    assert '<link rel="stylesheet" href="/static/signal.css">' in head
    assert "Delayed diagnosis after a low-likelihood estimate" in html
    summary = html.split('class="alert error signal-summary"', 1)[1].split("</div>", 1)[0]
    assert "3 broken hops" in summary
    assert '<a href="#hop-design_change">Design change</a> (partial)' in summary

    cards = hops(html)
    assert list(cards) == STEPS
    assert {step: state_word(card) for step, card in cards.items()} == {
        "event": "OK",
        "investigation": "OK",
        "risk": "OK",
        "design_change": "Partial",
        "verification": "Partial",
        "release": "Missing",
    }
    assert 'class="hop state-missing" id="hop-release"' in html

    investigation = cards["investigation"]
    assert '<a class="key" href="/records/CAPA-3">CAPA-3</a>' in investigation
    assert "via</span> CAPA-3 addresses CMP-5" in investigation
    risk = cards["risk"]
    for key in ("HAZ-1", "HS-1", "RC-1", "HARM-1"):
        assert f'href="/records/{key}"' in risk
    assert "Lena Kowalski (lena) — Approved — " in risk and " UTC" in risk

    change = cards["design_change"]
    assert '<span class="muted">v1</span>' in change and 'href="/records/MV-2"' in change
    assert "<strong>Problem:</strong> not revised since CR-2 was raised" in change
    missing = change.split('class="hop-findings is-gap"', 1)[1]
    assert "What is missing" in missing
    assert "<li>MV-2 v1: not revised since CR-2 was raised</li>" in missing
    assert "no released version ships REQ-2, MV-2" in cards["release"]
    assert "not released yet" in cards["release"]


def test_json_twin_is_the_service_chain(dana: TestClient, demo: Spine) -> None:
    data = dana.get("/signals/CMP-5?format=json").json()
    assert data["chain"] == jsonable(demo.signals.follow(demo.users.get("dana"), "CMP-5"))
    assert "complaint" in data["event_kinds"] and "capa" in data["event_kinds"]
    headers = {"Accept": "application/json"}
    assert dana.get("/signals/CMP-5", headers=headers).json() == data


def test_an_uninvestigated_complaint_and_a_complete_chain(dana: TestClient) -> None:
    html = dana.get("/signals/CMP-4").text
    cards = hops(html)
    assert "1 broken hop</strong>" in html and "Missing" in cards["investigation"]
    assert "no CAPA addresses CMP-4" in cards["investigation"]
    for step in STEPS[2:]:
        assert "Not reached" in cards[step] and "Why it was not reached" in cards[step]
    complete = dana.get("/signals/CMP-1").text
    assert "<strong>Complete</strong>" in complete and "4 hops not reached" in complete


def test_start_page_lists_event_kinds_and_redirects_to_the_chain(dana: TestClient) -> None:
    start = dana.get("/signals")
    assert start.status_code == 200
    for title in ("Complaint", "Nonconformance", "Corrective or preventive action"):
        assert f">{title}</a>" in start.text
    assert 'href="/signals/CMP-5"' in start.text and 'action="/signals"' in start.text
    assert dana.get("/signals?key=").status_code == 200

    asked = dana.get("/signals?key=+cmp-5+", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/signals/CMP-5"
    dated = dana.get("/signals?key=CMP-5&as_of=2026-03-01", follow_redirects=False)
    assert dated.headers["location"] == "/signals/CMP-5?as_of=2026-03-01"
    twin = dana.get("/signals?key=CMP-5&format=json", follow_redirects=False)
    assert twin.headers["location"] == "/signals/CMP-5?format=json"
    data = dana.get("/signals?format=json").json()
    assert [k["kind"] for k in data["kinds"]][:2] == ["complaint", "nonconformance"]


def test_as_of_banner_and_links_that_stay_in_that_history(dana: TestClient) -> None:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(microseconds=1)
    html = dana.get("/signals/CMP-5", params={"as_of": stamp(moment)}).text
    assert "Viewing as of" in html and "read-only history" in html
    assert f'href="/records/CAPA-3?as_of={stamp(moment)}"' in html
    data = dana.get("/signals/CMP-5", params={"as_of": stamp(moment), "format": "json"}).json()
    assert data["chain"]["as_of"] == moment.isoformat().replace("+00:00", "Z")


def test_errors_render_as_pages(dana: TestClient) -> None:
    wrong_kind = dana.get("/signals/REQ-1")
    assert wrong_kind.status_code == 422
    assert "REQ-1 is a requirement; follow a quality event" in wrong_kind.text
    bad_instant = dana.get("/signals/CMP-5?as_of=yesterday")
    assert bad_instant.status_code == 422 and "as-of &#39;yesterday&#39;" in bad_instant.text
    too_early = dana.get("/signals/CMP-5?as_of=2020-01-01")
    assert too_early.status_code == 404 and "did not exist yet" in too_early.text
    unknown = dana.get("/signals/CMP-99?format=json")
    assert unknown.status_code == 404
    assert unknown.json() == {"error": {"code": "not_found", "message": "no record CMP-99"}}


def test_signed_out_readers_are_sent_to_login(demo: Spine) -> None:
    with TestClient(create_app(demo)) as client:
        response = client.get("/signals/CMP-5", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        assert client.get("/static/signal.css").status_code == 200
