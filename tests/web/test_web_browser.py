"""End to end in a real browser: Debian's Chromium driven by Playwright against uvicorn.

One story, a screenshot after each step (test-artifacts/browser/NN-name.png): an engineer
writes a requirement and a test case and links them; QA approves with re-authentication
(a wrong password first); a revision makes the link suspect; confirming it clears the mark.
A second test renders the CytoAssist demo's dashboard, a record page and a trace matrix.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from qspine import Spine, open_spine
from qspine.app import create_app

from .web_helpers import four_users
from helpers import PASSWORD, DemoTemplate, demo_copy, settings_for

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI, but {CHROMIUM} is missing", pytrace=False)
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install chromium); browser tests skipped",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


class LiveServer:
    """The real ASGI app under uvicorn on 127.0.0.1, in a background thread."""

    def __init__(self, spine: Spine) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(
            create_app(spine), log_level="warning", lifespan="off", ws="none", http="h11"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)
        self._socket.close()


@pytest.fixture
def browser_page() -> Iterator[Page]:
    """A Chromium page; a script error or a console error (a CSP violation, say) fails the
    test. Refusals answered with 4xx (a wrong password is a 401) are expected, not errors."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error"
                and not message.text.startswith("Failed to load resource")
                else None
            ),
        )
        yield page
        context.close()
        browser.close()
    assert problems == []


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to QSpine")).to_be_visible()


def approve(page: Page, base: str, key: str) -> None:
    page.goto(f"{base}/records/{key}")
    page.get_by_role("link", name="Approve").click()
    expect(page.get_by_role("heading", name=f"Sign {key}")).to_be_visible()


def test_requirement_story_in_a_browser(tmp_path: Path, browser_page: Page) -> None:
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    page = browser_page
    with (
        four_users(open_spine(url, settings=settings_for(url, tmp_path))) as spine,
        LiveServer(spine) as server,
    ):
        base = server.url
        page.goto(f"{base}/records")
        expect(page).to_have_url(f"{base}/login?next=%2Frecords&reason=required")
        shot(page, "01-login")

        sign_in(page, base, "eve")
        shot(page, "02-dashboard-eve")

        page.goto(f"{base}/records/new?kind=requirement")
        page.get_by_label("Title").fill("Show the malignancy likelihood")
        page.get_by_label("Statement").fill(
            "The system shall show the calibrated likelihood of malignancy\n"
            "with its category (Elevated / Low likelihood)."
        )
        page.get_by_label("Category").select_option("functional")
        shot(page, "03-new-requirement-form")
        page.get_by_role("button", name="Create record").click()
        expect(page).to_have_url(f"{base}/records/REQ-1?done=created")
        expect(
            page.get_by_role("heading", name="REQ-1 Show the malignancy likelihood")
        ).to_be_visible()
        shot(page, "04-requirement-created")

        page.goto(f"{base}/records/new?kind=test_case")
        page.get_by_label("Title").fill("Likelihood and category are displayed")
        page.locator("#f-method").select_option("test")
        page.get_by_label("Procedure").fill("1. Submit case WDBC-17.\n2. Read the result screen.")
        page.get_by_label("Acceptance criteria").fill("Likelihood and category are both shown.")
        page.get_by_role("button", name="Create record").click()
        expect(page).to_have_url(f"{base}/records/TC-1?done=created")
        page.get_by_label("Link type").select_option("verifies")
        page.get_by_label("Target record key").fill("REQ-1")
        page.get_by_role("button", name="Add link").click()
        expect(page).to_have_url(f"{base}/records/TC-1?done=linked#links")
        expect(page.locator(".link-list").get_by_role("link", name="REQ-1")).to_be_visible()
        shot(page, "05-test-case-linked")

        page.goto(f"{base}/records")
        expect(page.locator("#results")).to_contain_text("2 records")
        page.get_by_label("Search").press_sequentially("malignancy")  # htmx: filter as you type
        expect(page.locator("#results")).to_contain_text("1 record")
        expect(page).to_have_url(f"{base}/records?kind=&status=&q=malignancy")
        page.get_by_role("link", name="REQ-1").click()
        page.get_by_role("button", name="Submit for review").click()
        expect(page).to_have_url(f"{base}/records/REQ-1?done=transition")
        expect(page.locator(".record-head .badge").first).to_have_text("In review")
        shot(page, "06-requirement-in-review")
        sign_out(page)

        sign_in(page, base, "quinn")
        approve(page, base, "REQ-1")
        expect(page.get_by_text(spine.profile.meanings["approved"].statement)).to_be_visible()
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign: Approved").click()
        expect(page.get_by_role("alert")).to_contain_text("Not signed.")
        assert spine.records.show("REQ-1").signatures == []
        assert spine.records.show("REQ-1").status == "in_review"
        shot(page, "07-sign-wrong-password")

        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign: Approved").click()
        expect(page).to_have_url(f"{base}/records/REQ-1?done=signed#signatures")
        signature = page.locator(".signature").first
        expect(signature).to_contain_text("Quinn Quality (quinn) — Approved — ")
        expect(signature).to_contain_text("Verifies")
        (signed,) = spine.records.show("REQ-1").signatures
        expect(signature).to_contain_text(signed.manifestation)
        shot(page, "08-approved-with-signature")
        sign_out(page)

        sign_in(page, base, "eve")
        page.goto(f"{base}/records/REQ-1/edit")
        page.get_by_label("Statement").fill(
            "The system shall show the calibrated likelihood of malignancy to two decimals\n"
            "with its category (Elevated / Low likelihood)."
        )
        page.get_by_label("Reason for this change").fill("CR-2: show two decimals")
        page.get_by_role("button", name="Save version 2").click()
        expect(page).to_have_url(f"{base}/records/REQ-1?done=revised")
        page.get_by_role("button", name="Submit for review").click()
        expect(page).to_have_url(f"{base}/records/REQ-1?done=transition")
        shot(page, "09-revised-in-review")
        sign_out(page)

        sign_in(page, base, "quinn")
        approve(page, base, "REQ-1")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign: Approved").click()
        expect(page).to_have_url(f"{base}/records/REQ-1?done=signed#signatures")
        expect(page.locator(".diff")).to_contain_text("two decimals")
        shot(page, "10-v2-approved-history")

        page.goto(f"{base}/records/TC-1")
        links_out = page.locator(".link-list").first
        expect(links_out.get_by_text("SUSPECT")).to_be_visible()
        expect(page.locator("svg .edge.suspect")).to_have_count(1)
        shot(page, "11-link-suspect")

        links_out.get_by_role("button", name="Confirm").click()
        expect(page).to_have_url(f"{base}/records/TC-1?done=confirmed")
        expect(page.locator(".link-list").first.get_by_text("SUSPECT")).to_have_count(0)
        expect(page.locator("svg .edge.suspect")).to_have_count(0)
        assert spine.links.suspect() == []
        shot(page, "12-link-confirmed")

        page.goto(f"{base}/audit")
        page.get_by_role("button", name="Verify the chain now").click()  # htmx swaps #verify
        expect(page.locator("#verify")).to_contain_text("Intact.")
        expect(page).to_have_url(f"{base}/audit")
        shot(page, "13-audit-verified")


def test_demo_pages_in_a_browser(
    tmp_path: Path, browser_page: Page, demo_template: DemoTemplate
) -> None:
    from qspine.demo import DEMO_PASSWORD

    url = demo_copy(demo_template, tmp_path)
    page = browser_page
    with (
        open_spine(url, settings=settings_for(url, tmp_path)) as spine,
        LiveServer(spine) as server,
    ):
        sign_in(page, server.url, "lena", DEMO_PASSWORD)
        expect(page.locator(".stat-alert")).to_be_visible()
        expect(page.locator(".worklist li").first).to_be_visible()
        shot(page, "demo-dashboard")
        page.goto(f"{server.url}/records/REQ-2")
        expect(page.locator(".signature").first).to_be_visible()
        expect(page.locator("svg .edge.suspect")).to_have_count(1)
        shot(page, "demo-record-REQ-2")
        page.goto(f"{server.url}/records")
        page.get_by_label("Kind").select_option("requirement")  # htmx: a select refilters
        expect(page.locator("#results")).to_contain_text("20 records")
        expect(page).to_have_url(f"{server.url}/records?kind=requirement&status=&q=")
        shot(page, "demo-records")
        page.goto(f"{server.url}/links/suspect")
        shot(page, "demo-suspect-links")
        page.goto(f"{server.url}/matrices/design_verification")
        expect(page.locator("table.matrix td.gap").first).to_be_visible()
        shot(page, "matrix-design_verification")
        page.get_by_label("Gaps only").check()  # htmx: a checkbox refilters
        expect(page).to_have_url(re.compile(r"gaps_only=1"))
        expect(page.locator("#matrix-results td.gap").first).to_be_visible()


def test_baseline_capture_and_comparison_in_a_browser(tmp_path: Path, browser_page: Page) -> None:
    from .web_helpers import reapprove, traced_requirement

    url = f"sqlite:///{tmp_path / 'baselines.db'}"
    page = browser_page
    with (
        four_users(open_spine(url, settings=settings_for(url, tmp_path))) as spine,
        LiveServer(spine) as server,
    ):
        base = server.url
        traced_requirement(spine)
        sign_in(page, base, "eve")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Baselines").click()
        expect(page.get_by_role("heading", name="Baselines", level=1)).to_be_visible()
        page.get_by_label("Title").fill("Design baseline 1")
        page.get_by_label("Requirement (design input)").check()
        page.get_by_label("Description").fill("Baseline for design review 1.")
        shot(page, "20-baseline-capture-form")
        page.get_by_role("button", name="Capture baseline").click()
        expect(page).to_have_url(f"{base}/baselines/BL-1?done=baseline")
        expect(page.locator("#members").get_by_role("link", name="REQ-1")).to_be_visible()
        expect(page.get_by_text("Intact: the stored member versions match")).to_be_visible()
        shot(page, "21-baseline-captured")

        reapprove(spine, "REQ-1", {"statement": "The label shall be readable at 40 cm."})
        page.get_by_role("button", name="Compare", exact=True).click()
        expect(page).to_have_url(f"{base}/baselines/BL-1/compare?as_of=")
        changed = page.locator("#changed")
        expect(changed.get_by_text("v1 → v2")).to_be_visible()
        expect(changed.locator("td.after")).to_contain_text("readable at 40 cm")
        expect(page.locator(".stats .stat-value").nth(2)).to_have_text("1")
        shot(page, "22-baseline-compared-with-now")
