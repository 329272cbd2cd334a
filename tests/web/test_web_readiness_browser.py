"""The readiness dashboard in a real browser on the CytoAssist demo: the score, the clause
heat map, a finding followed to its record, a superseded reference suppressed from the
document's page with a reason, and the check recorded so the next one shows the trend.
Screenshots 60-63 in test-artifacts/browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from qspine import open_spine
from qspine.demo import DEMO_PASSWORD

# test_web_browser skips this module at import when Chromium is missing (fails it in CI).
from .test_web_browser import LiveServer, browser_page, shot, sign_in  # noqa: F401
from helpers import DemoTemplate, demo_copy, settings_for


def test_readiness_dashboard_walk(
    browser_page: Page,  # noqa: F811
    tmp_path: Path,
    demo_template: DemoTemplate,
) -> None:
    page = browser_page
    url = demo_copy(demo_template, tmp_path)
    with open_spine(url, settings=settings_for(url, tmp_path)) as spine:
        with LiveServer(spine) as server:
            base = server.url
            sign_in(page, base, "dana", DEMO_PASSWORD)
            page.get_by_role("link", name="Readiness").click()
            expect(page.get_by_role("heading", name="Inspection readiness")).to_be_visible()
            score = spine.readiness.check(spine.users.get("dana"), record_run=False).score
            assert score is not None and 80 < score < 100
            expect(page.locator("#readiness-score")).to_have_text(f"{score:.1f}")
            expect(page.locator(".heat li.heat-bad").first).to_be_visible()
            expect(page.locator("tr.finding")).to_have_count(21)
            shot(page, "60-readiness-dashboard")

            # Record this check: the next one compares with it.
            page.get_by_role("button", name="Record this check").click()
            expect(page.get_by_role("status")).to_contain_text("Check recorded")

            # Follow a finding to its record: the SOP with superseded references.
            finding = page.locator('tr.finding[data-rule="DOC-NAME-001"]')
            finding.get_by_role("link", name="DOC-5").click()
            card = page.locator("#superseded-references")
            expect(card).to_contain_text("10 open")
            shot(page, "61-document-superseded-references")
            first = card.locator("tr.lint-finding").first
            first.locator("summary").click()
            first.get_by_label("Reason").fill("Quoted in the revision history on purpose")
            first.get_by_role("button", name="Suppress").click()
            expect(page.get_by_role("status")).to_contain_text("Finding suppressed")
            expect(page.locator("#superseded-references")).to_contain_text("9 open")
            shot(page, "62-occurrence-suppressed")

            # Back on the dashboard: one finding fewer, resolved since the recorded check.
            page.get_by_role("link", name="Readiness").click()
            expect(page.locator("tr.finding")).to_have_count(20)
            expect(page.locator("#trend")).to_contain_text("1 resolved")
            expect(page.get_by_role("table", name="Suppressed findings")).to_contain_text(
                "Quoted in the revision history on purpose"
            )
            page.get_by_label("Severity").select_option("blocking")
            page.get_by_role("button", name="Check", exact=True).click()
            expect(page.locator("tr.finding")).to_have_count(3)
            shot(page, "63-blocking-findings")
        events = [e.action for e in spine.audit.log("DOC-5") if e.action.startswith("finding")]
        assert events == ["finding.suppress"]
        assert spine.audit.verify().intact
