"""The quality flow end to end in a real browser: complaint -> CAPA -> change request ->
risk update -> re-verification -> closure, with a screenshot at each step
(test-artifacts/browser/4N-name.png).

An approved slice of the risk file is set up through the services (HS-1 mitigated by RC-1,
verified by TC-1 with a signed passing result TR-1). Everything else happens in the pages,
each step by someone whose role allows it and who did not author what they sign:

- marco (quality engineer) logs complaint CMP-1, decides it is not MDR-reportable, opens
  CAPA-1 (addresses CMP-1, assesses the risk of RC-1) with its action ACT-1, and raises
  change request CR-1 (changes RC-1, originates from CAPA-1), whose closure checklist at
  once says RC-1 has not been revised;
- eve (design engineer) revises RC-1 and dan (design engineer) approves it, signing with
  his password: TC-1's verifies link turns suspect, and CR-1's checklist now names the
  suspect link and the test with no result since, and the server refuses the closure;
- tess (test engineer) records TR-2 (signed 'verified') and confirms the suspect link;
- marco completes the action and records the CAPA's effectiveness and the complaint's
  investigation; quinn (QA/RA lead) signs the CAPA's effectiveness ('effectiveness
  verified', no status change) and closes CR-1, ACT-1, CAPA-1 and CMP-1, each with a
  'closed' signature.

The change request is raised before the risk control is revised: its closure guard counts
only revisions made after the request (a revision that predates it is not "its" change).

The database then shows every record closed, the signatures, no suspect link but the change
request's own `changes` link (event links pin their version, ADR 0012), and an intact audit
chain.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from qspine import InvalidInput, Spine, open_spine

# test_web_browser skips this module at import when Chromium is missing (fails it in CI).
from .test_web_browser import LiveServer, browser_page, shot, sign_in, sign_out  # noqa: F401
from helpers import PASSWORD, settings_for

TODAY = dt.datetime.now(dt.UTC).date()


def staff(spine: Spine) -> Spine:
    """An admin and the five people of the story, each with only their job's access role."""
    spine.users.add("bootstrap", "ada", "Ada Admin", PASSWORD, ["admin"])
    for username, name, role in (
        ("marco", "Marco Quality", "quality_engineer"),
        ("eve", "Eve Engineer", "design_engineer"),
        ("dan", "Dan Designer", "design_engineer"),
        ("tess", "Tess Tester", "test_engineer"),
        ("quinn", "Quinn Quality", "qa_ra_lead"),
    ):
        spine.users.add("ada", username, name, PASSWORD, [role])
    return spine


def risk_file(spine: Spine) -> None:
    """HS-1 <-mitigates- RC-1 <-verifies- TC-1 <-result_of- TR-1: approved, and TR-1 recorded."""
    records, links = spine.records, spine.links
    records.create(
        "eve",
        "hazardous_situation",
        {
            "title": "Malignant lesion reported as low likelihood",
            "sequence_of_events": "Blurred image -> model under-calls -> no biopsy ordered.",
        },
    )
    records.create(
        "eve",
        "risk_control",
        {
            "title": "Image quality gate",
            "description": "Refuse images below the focus threshold instead of scoring them.",
            "control_type": "protective_measure",
        },
    )
    records.create(
        "eve",
        "test_case",
        {
            "title": "Blurred images are refused",
            "method": "test",
            "procedure": "Submit the 40 blurred images of set QG-1.",
            "acceptance_criteria": "Every image is refused with the focus message.",
        },
    )
    links.link("eve", "mitigates", "RC-1", "HS-1")
    links.link("eve", "verifies", "TC-1", "RC-1")
    for key in ("HS-1", "RC-1", "TC-1"):
        records.transition("eve", key, "in_review", 1)
        spine.signing.sign("quinn", PASSWORD, key, "approved", 1)
    records.create(
        "tess",
        "test_result",
        {
            "title": "QG-1 run 1",
            "outcome": "pass",
            "executed_on": "2026-01-15T10:00:00Z",
            "executed_by": "tess",
        },
    )
    links.link("tess", "result_of", "TR-1", "TC-1")
    spine.signing.sign("tess", PASSWORD, "TR-1", "verified", 1)


# ----- driving the pages --------------------------------------------------------------------


def fill(page: Page, texts: dict[str, str], choices: dict[str, str] | None = None) -> None:
    """Type into the profile-generated controls (#f-NAME); `choices` are <select>s."""
    for name, value in texts.items():
        page.locator(f"#f-{name}").fill(value)
    for name, value in (choices or {}).items():
        page.locator(f"#f-{name}").select_option(value)


def create(
    page: Page,
    base: str,
    kind: str,
    key: str,
    texts: dict[str, str],
    choices: dict[str, str] | None = None,
) -> None:
    page.goto(f"{base}/records/new?kind={kind}")
    fill(page, texts, choices)
    page.get_by_role("button", name="Create record").click()
    expect(page).to_have_url(f"{base}/records/{key}?done=created")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{key} {texts['title']}")


def revise(
    page: Page,
    base: str,
    key: str,
    version: int,
    reason: str,
    texts: dict[str, str],
    choices: dict[str, str] | None = None,
) -> None:
    """Edit -> version `version`, with the reason for the change."""
    page.goto(f"{base}/records/{key}")
    page.get_by_role("link", name="Edit (new version)").click()
    expect(page).to_have_url(f"{base}/records/{key}/edit")
    fill(page, texts, choices)
    page.get_by_label("Reason for this change").fill(reason)
    page.get_by_role("button", name=f"Save version {version}").click()
    expect(page).to_have_url(f"{base}/records/{key}?done=revised")
    expect(page.locator("#fields-h")).to_contain_text(f"v{version}")


def link(page: Page, base: str, source: str, link_type: str, target: str) -> None:
    page.goto(f"{base}/records/{source}")
    page.get_by_label("Link type").select_option(link_type)
    page.get_by_label("Target record key").fill(target)
    page.get_by_role("button", name="Add link").click()
    expect(page).to_have_url(f"{base}/records/{source}?done=linked#links")
    expect(page.locator(".link-list").first.get_by_role("link", name=target)).to_be_visible()


def status(page: Page, title: str) -> None:
    expect(page.locator(".record-head .badge").first).to_have_text(title)


def move(page: Page, base: str, key: str, action: str, to: str) -> None:
    """A plain (unsigned) transition: the lifecycle card's button."""
    page.goto(f"{base}/records/{key}")
    page.locator(".actions-stack").get_by_role("button", name=action).click()
    expect(page).to_have_url(f"{base}/records/{key}?done=transition")
    status(page, to)


def sign(page: Page, base: str, key: str, action: str, meaning: str) -> None:
    """Open the signing page from the lifecycle card, re-enter the password, sign."""
    page.goto(f"{base}/records/{key}")
    page.locator(".actions-stack").get_by_role("link", name=action).click()
    expect(page).to_have_url(f"{base}/records/{key}/sign?meaning={meaning}")
    expect(page.locator(".sign-form")).to_be_visible()  # the form, not a refusal
    sign_here(page, base, key)


def sign_here(page: Page, base: str, key: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Sign {key}")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator(".sign-form").get_by_role("button", name="Sign: ").click()
    expect(page).to_have_url(f"{base}/records/{key}?done=signed#signatures")


def blockers(page: Page, action: str) -> Locator:
    """The checklist shown under a guarded next step that cannot be taken yet."""
    return page.get_by_role("group", name=f"{action}: blocked").locator(".blockers")


# ----- the story ----------------------------------------------------------------------------


def test_quality_flow_from_complaint_to_closure_in_a_browser(
    tmp_path: Path,
    browser_page: Page,  # noqa: F811  (the fixture imported above)
) -> None:
    url = f"sqlite:///{tmp_path / 'quality.db'}"
    page = browser_page
    today = TODAY.isoformat()
    with (
        staff(open_spine(url, settings=settings_for(url, tmp_path))) as spine,
        LiveServer(spine) as server,
    ):
        base = server.url
        risk_file(spine)

        # 1. The complaint, its MDR decision, and the start of the investigation.
        sign_in(page, base, "marco")
        create(
            page,
            base,
            "complaint",
            "CMP-1",
            {
                "title": "Blurred slide scored as low likelihood",
                "awareness_date": today,
                "description": "Site B reports a blurred image scored 'Low likelihood'; "
                "the lesion was malignant on biopsy.",
            },
            {"event_type": "malfunction"},
        )
        status(page, "Open")
        expect(page.locator(".fields")).to_contain_text("Undetermined")
        revise(
            page,
            base,
            "CMP-1",
            2,
            "MDR reportability decided",
            {
                "mdr_decision_rationale": "No injury: the biopsy was taken on clinical grounds; "
                "decided by marco with quinn.",
                "mdr_decided_on": today,
            },
            {"mdr_reportable": "no"},
        )
        move(page, base, "CMP-1", "Start investigation", "Investigating")
        checklist = blockers(page, "Submit for closure")
        expect(checklist).to_contain_text(
            "investigation: no summary, and no documented reason why none is needed"
        )
        expect(checklist).not_to_contain_text("MDR")
        shot(page, "40-complaint-investigating")

        # 2. The CAPA that addresses it, assesses the risk control, and carries an action.
        create(
            page,
            base,
            "capa",
            "CAPA-1",
            {
                "title": "Blurred images are scored",
                "problem_statement": "CMP-1: the model scored an out-of-focus image.",
                "root_cause": "No image quality check before inference (5 whys, see CMP-1).",
            },
            {
                "capa_type": "corrective",
                "source_type": "complaint",
                "root_cause_method": "five_whys",
                "risk_impact": "risk_control_changed",
            },
        )
        link(page, base, "CAPA-1", "addresses", "CMP-1")
        link(page, base, "CAPA-1", "assesses_risk", "RC-1")
        move(page, base, "CAPA-1", "Start investigation", "Investigating")
        expect(blockers(page, "Submit for closure")).to_contain_text(
            "actions: none linked (an action record 'is an action of' this CAPA)"
        )
        due = (TODAY + dt.timedelta(days=30)).isoformat()
        create(
            page,
            base,
            "action",
            "ACT-1",
            {"title": "Tighten the focus threshold", "owner": "eve", "due_date": due},
            {"action_type": "corrective"},
        )
        link(page, base, "ACT-1", "action_of", "CAPA-1")
        page.goto(f"{base}/records/CAPA-1")
        expect(blockers(page, "Submit for closure")).to_contain_text(
            f"action ACT-1 is open (owner eve, due {due})"
        )
        shot(page, "41-capa-with-action")

        # 3. The change request, raised from the CAPA against the risk control.
        create(
            page,
            base,
            "change_request",
            "CR-1",
            {
                "title": "Raise the image focus threshold",
                "description": "RC-1: refuse images below the new focus threshold of 0.8.",
                "justification": "CAPA-1: blurred images were scored (CMP-1).",
            },
            {"change_type": "software"},
        )
        link(page, base, "CR-1", "changes", "RC-1")
        link(page, base, "CR-1", "originates_from", "CAPA-1")
        move(page, base, "CR-1", "Start investigation", "Investigating")
        expect(blockers(page, "Submit for closure")).to_have_text(
            "RC-1: not revised since CR-1 was raised"
        )
        shot(page, "42-change-request-raised")
        sign_out(page)

        # 4. Risk update: eve revises the control, dan approves it with his password.
        sign_in(page, base, "eve")
        revise(
            page,
            base,
            "RC-1",
            2,
            "CR-1: focus threshold raised to 0.8",
            {"description": "Refuse images whose focus score is below 0.8; never score them."},
        )
        status(page, "Draft")
        expect(page.get_by_text("v1 is in force")).to_be_visible()
        move(page, base, "RC-1", "Submit for review", "In review")
        sign_out(page)

        sign_in(page, base, "dan")
        page.goto(f"{base}/records/RC-1")
        page.locator(".actions-stack").get_by_role("link", name="Approve").click()
        expect(page).to_have_url(f"{base}/records/RC-1/sign?meaning=approved")
        expect(page.get_by_text(spine.profile.meanings["approved"].statement)).to_be_visible()
        shot(page, "43-risk-control-signing")
        sign_here(page, base, "RC-1")
        status(page, "Approved")
        expect(page.locator(".signature").first).to_contain_text("Dan Designer (dan)")
        expect(page.locator(".diff")).to_contain_text("below 0.8")

        page.goto(f"{base}/records/TC-1")
        expect(page.locator(".link-list").first.locator("li.is-suspect")).to_contain_text("RC-1")
        page.goto(f"{base}/records/CR-1")
        checklist = blockers(page, "Submit for closure")
        expect(checklist.locator("li")).to_have_text(
            [
                "suspect link: TC-1 verifies RC-1 (reviewed against v1, now v2)",
                "TC-1 verifies RC-1 but has no result since RC-1 v2: re-run it or name it in "
                "the re-verification justification",
            ]
        )
        expect(
            page.get_by_role("group", name="Submit for closure: blocked").get_by_role("button")
        ).to_be_disabled()
        shot(page, "44-change-request-checklist")
        # The button is disabled; a hand-made POST from this session is refused by the server.
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        refused = page.request.post(
            f"{base}/records/CR-1/transition",
            form={"csrf_token": token or "", "to": "pending_closure", "expected_version": "1"},
            max_redirects=0,
        )
        assert refused.status == 422
        assert "CR-1 cannot move to pending_closure: suspect link: TC-1 verifies RC-1" in (
            refused.text()
        )
        assert spine.records.show("CR-1").status == "investigating"
        sign_out(page)

        # 5. Re-verification: tess re-runs TC-1, signs the result, confirms the link.
        sign_in(page, base, "tess")
        create(
            page,
            base,
            "test_result",
            "TR-2",
            {
                "title": "QG-1 run 2 against RC-1 v2",
                "executed_on": f"{today}T08:00:00",
                "executed_by": "tess",
                "item_version": "2.4.1",
                "actual_results": "All 40 blurred images refused with the focus message.",
            },
            {"outcome": "pass"},
        )
        link(page, base, "TR-2", "result_of", "TC-1")
        sign(page, base, "TR-2", "Record", "verified")
        status(page, "Recorded")
        expect(page.locator(".signature").first).to_contain_text("Tess Tester (tess) — Verified")

        page.goto(f"{base}/records/TC-1")
        links_out = page.locator(".link-list").first
        expect(links_out.get_by_text("SUSPECT")).to_be_visible()
        shot(page, "45-test-case-suspect")
        links_out.get_by_role("button", name="Confirm").click()
        expect(page).to_have_url(f"{base}/records/TC-1?done=confirmed")
        expect(page.locator(".link-list").first.get_by_text("SUSPECT")).to_have_count(0)
        expect(page.locator(".link-list").nth(1)).to_contain_text("TR-2")
        sign_out(page)

        # 6. Closure: the change, the action, the CAPA's effectiveness, the complaint.
        sign_in(page, base, "marco")
        page.goto(f"{base}/records/CR-1")
        expect(page.get_by_role("group", name="Submit for closure: blocked")).to_have_count(0)
        move(page, base, "CR-1", "Submit for closure", "Pending closure")
        shot(page, "46-change-request-pending-closure")

        move(page, base, "ACT-1", "Start investigation", "Investigating")
        revise(
            page,
            base,
            "ACT-1",
            2,
            "Done under CR-1",
            {
                "completed_on": today,
                "completion_evidence": "RC-1 v2 approved; TC-1 re-run as TR-2 (pass).",
            },
        )
        move(page, base, "ACT-1", "Submit for closure", "Pending closure")

        revise(
            page,
            base,
            "CAPA-1",
            2,
            "Effectiveness checked",
            {
                "effectiveness_criteria": "No blurred image scored in 500 consecutive cases.",
                "effectiveness_result": "0 of 512 blurred images scored since RC-1 v2.",
            },
            {"effectiveness_outcome": "effective"},
        )
        expect(blockers(page, "Submit for closure").locator("li")).to_have_text(
            [
                "action ACT-1 is pending_closure (owner eve, due " + due + ")",
                "effectiveness: no 'effectiveness_verified' signature on v2",
            ]
        )
        shot(page, "47-capa-effectiveness-recorded")

        revise(
            page,
            base,
            "CMP-1",
            3,
            "Investigation complete",
            {
                "investigation_summary": "Root cause: no focus check (CAPA-1); fixed by CR-1.",
                "correction_or_corrective_action": "CAPA-1, CR-1.",
            },
        )
        move(page, base, "CMP-1", "Submit for closure", "Pending closure")
        sign_out(page)

        sign_in(page, base, "quinn")
        sign(page, base, "CR-1", "Close", "closed")
        status(page, "Closed")
        sign(page, base, "ACT-1", "Close", "closed")
        status(page, "Closed")

        page.goto(f"{base}/records/CAPA-1")
        page.get_by_text("Sign without a status change").click()
        page.get_by_role("link", name="Effectiveness verified").click()
        expect(page).to_have_url(f"{base}/records/CAPA-1/sign?meaning=effectiveness_verified")
        expect(
            page.get_by_text("No status change: the signature is recorded on v2.")
        ).to_be_visible()
        shot(page, "48-capa-effectiveness-signing")
        sign_here(page, base, "CAPA-1")
        status(page, "Investigating")
        expect(page.locator(".signature").first).to_contain_text(
            "Quinn Quality (quinn) — Effectiveness verified"
        )
        expect(page.get_by_role("group", name="Submit for closure: blocked")).to_have_count(0)

        sign(page, base, "CMP-1", "Close", "closed")
        status(page, "Closed")
        sign_out(page)

        sign_in(page, base, "marco")
        move(page, base, "CAPA-1", "Submit for closure", "Pending closure")
        sign_out(page)
        sign_in(page, base, "quinn")
        sign(page, base, "CAPA-1", "Close", "closed")
        status(page, "Closed")
        expect(page.get_by_text("No further steps from this state.")).to_be_visible()
        shot(page, "49-capa-closed")

        page.goto(f"{base}/audit")
        page.get_by_role("button", name="Verify the chain now").click()
        expect(page.locator("#verify")).to_contain_text("Intact.")
        shot(page, "50-audit-verified")

        # 7. The database agrees.
        for key in ("CMP-1", "CAPA-1", "ACT-1", "CR-1"):
            assert spine.records.show(key).status == "closed", key
        meanings = {
            key: [(s.meaning, s.signer, s.version) for s in spine.records.show(key).signatures]
            for key in ("RC-1", "TR-2", "CR-1", "ACT-1", "CAPA-1", "CMP-1")
        }
        assert ("approved", "dan", 2) in meanings["RC-1"]
        assert meanings["TR-2"] == [("verified", "tess", 1)]
        assert meanings["CR-1"] == [("closed", "quinn", 1)]
        assert meanings["ACT-1"] == [("closed", "quinn", 2)]
        assert meanings["CAPA-1"] == [
            ("effectiveness_verified", "quinn", 2),
            ("closed", "quinn", 2),
        ]
        assert meanings["CMP-1"] == [("closed", "quinn", 3)]
        assert all(s.valid for key in meanings for s in spine.records.show(key).signatures)
        assert spine.records.show("RC-1").released_version == 2
        # Event links pin the version they were made against (ADR 0012): only the CR's
        # `changes` link, which its author may confirm, is left stamped with RC-1 v1.
        suspect = spine.links.suspect()
        assert [(s.type, s.source, s.target) for s in suspect] == [("changes", "CR-1", "RC-1")]
        with pytest.raises(InvalidInput, match="is closed"):
            spine.records.transition("marco", "CAPA-1", "investigating", 2)
        report = spine.audit.verify()
        assert report.intact, report
        assert report.events_checked > 50
