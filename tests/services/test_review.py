"""Management review preparation on a hand-built spine: every 5.6.2 input's figures known,
counted as at the end of the period (records raised before, during and after it; closed,
cancelled and overdue ones), the review record it creates, and the refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from qspine import Forbidden, InvalidInput, Spine, load_profile
from qspine.model.review import INPUTS, ReviewInputs, check_period, to_markdown
from qspine.services.review import ReviewService

from helpers import PASSWORD, Clock, database_state, sample_fields

PROFILE = load_profile()
D = dt.date
START, END = D(2026, 1, 1), D(2026, 6, 30)


class Story:
    """Writes records as quinn (ada signs) with the clock set to the day each happens."""

    def __init__(self, spine: Spine) -> None:
        self.spine = spine
        self.clock = Clock()
        spine.context.clock = self.clock

    def on(self, day: str) -> Story:
        self.clock.now = dt.datetime.fromisoformat(f"{day}T09:00:00+00:00")
        return self

    def create(self, kind: str, title: str, **fields: Any) -> str:
        values = {**sample_fields(PROFILE, kind, title), **fields}
        return self.spine.records.create("quinn", kind, values).key

    def link(self, type: str, source: str, target: str) -> None:
        self.spine.links.link("quinn", type, source, target)

    def version(self, key: str) -> int:
        return self.spine.records.show(key).latest_version

    def sign(self, key: str, meaning: str) -> None:
        self.spine.signing.sign("ada", PASSWORD, key, meaning, self.version(key))

    def move(self, key: str, *states: str) -> None:
        for state in states:
            self.spine.records.transition("quinn", key, state, self.version(key))

    def close(self, key: str) -> None:
        self.move(key, "investigating", "pending_closure")
        self.sign(key, "closed")

    def make_effective(self, key: str) -> None:
        self.move(key, "in_review")
        self.sign(key, "approved")
        self.sign(key, "released")


def complaint(aware: str, reportable: str, **fields: Any) -> dict[str, Any]:
    return {"awareness_date": aware, "mdr_reportable": reportable, **fields}


DONE = {"completed_on": "2026-01-30", "completion_evidence": "Done as planned."}
"""What an action needs before it may close (the action_closure checklist)."""


@pytest.fixture
def story(spine: Spine) -> Story:
    """Before, during and after the first half of 2026 (the period reviewed)."""
    s = Story(spine)
    s.on("2025-06-01").create(
        "management_review", "MR H1 2025", period_start="2025-01-01", period_end="2025-06-30"
    )
    s.create("action", "Old action", owner="quinn", due_date="2025-08-01")
    s.link("action_of", "ACT-1", "MR-1")
    s.on("2025-08-01").create("document", "Complaint SOP", doc_number="SOP-7")
    s.make_effective("DOC-1")
    s.on("2025-10-01").create("audit", "Audit 2025", audit_date="2025-10-01")
    s.on("2025-10-02").create("finding", "Old observation", classification="observation")
    s.link("found_in", "FND-1", "AUD-1")
    s.on("2025-11-01").create(
        "complaint",
        "Closed before",
        **complaint("2025-11-01", "no", mdr_decided_on="2025-11-05"),
        mdr_decision_rationale="No death, injury or malfunction.",
        investigation_summary="Use error; labeling is adequate.",
    )
    s.on("2025-12-01").create("capa", "Old corrective", capa_type="corrective")
    s.create(
        "nonconformance",
        "Scratched housing",
        detected_on="2025-12-01",
        evaluation="Cosmetic only.",
        disposition="use_as_is",
        disposition_rationale="No effect on function.",
        capa_required=False,
    )
    s.on("2025-12-10").create(
        "complaint",
        "Open from before",
        **complaint("2025-12-10", "no"),
        mdr_decided_on="2025-12-15",
    )
    s.on("2025-12-15").create(
        "capa",
        "Preventive, closed in period",
        capa_type="preventive",
        risk_impact="none",
        no_risk_impact_rationale="Training only.",
        root_cause="Unclear instruction.",
        effectiveness_criteria="No repeat in 3 months.",
        effectiveness_outcome="effective",
    )
    s.create("action", "Retrain", owner="quinn", due_date="2026-01-31", **DONE)
    s.link("action_of", "ACT-2", "CAPA-2")
    s.on("2025-12-20").close("CMP-1")
    s.on("2026-01-02")
    s.create("supplier", "Overdue", reevaluation_due="2026-03-31", evaluation_date="2025-03-31")
    s.create("supplier", "Not due", reevaluation_due="2026-08-31")
    s.create("supplier", "Due on the last day", reevaluation_due="2026-06-30")
    s.on("2026-01-05").create(
        "management_review", "MR H2 2025", period_start="2025-07-01", period_end="2025-12-31"
    )
    for title, due in [("Closed", "2026-02-01"), ("Open", "2026-09-30"), ("Late", "2026-03-31")]:
        key = s.create("action", title, owner="quinn", due_date=due, **DONE)
        s.link("action_of", key, "MR-2")
    s.on("2026-01-10").create("change_request", "Revise SOP-7")
    s.link("changes", "CR-1", "DOC-1")
    s.on("2026-01-20").close("NC-1")
    s.on("2026-02-01").create(
        "complaint",
        "Late MDR",
        **complaint("2026-02-01", "yes", mdr_decided_on="2026-02-10"),
        mdr_submitted_on="2026-03-20",
        mdr_report_number="3001234-2026-00001",
        late_mdr_justification="Report delayed by the portal outage.",
        investigation_summary="Sensor drift.",
    )
    s.spine.records.revise("quinn", "DOC-1", {"change_summary": "CR-1"}, 1, "CR-1")
    s.on("2026-02-02").create("nonconformance", "Wrong label", detected_on="2026-02-02")
    s.on("2026-02-05").create(
        "capa",
        "Corrective, check overdue",
        capa_type="corrective",
        effectiveness_due="2026-05-31",
        effectiveness_outcome="pending",
    )
    s.on("2026-02-20").create("complaint", "Duplicate", **complaint("2026-02-20", "undetermined"))
    s.on("2026-02-25").sign("CMP-4", "approved")  # open -> cancelled
    s.on("2026-03-01").create(
        "capa", "Preventive, open", capa_type="preventive", effectiveness_due="2026-12-31"
    )
    s.on("2026-03-05").create(
        "complaint",
        "MDR on time",
        **complaint("2026-03-05", "yes", mdr_clock="5_work_days", mdr_decided_on="2026-03-06"),
        mdr_submitted_on="2026-03-09",
        mdr_report_number="3001234-2026-00002",
    )
    s.on("2026-03-10").close("ACT-3")
    s.on("2026-03-15").create("audit", "Internal audit Q1", audit_date="2026-03-15")
    s.on("2026-03-16").create("finding", "Major finding", classification="major")
    s.link("found_in", "FND-2", "AUD-2")
    s.on("2026-04-01").create(
        "complaint", "MDR not sent", **complaint("2026-04-01", "yes", mdr_decided_on="2026-04-05")
    )
    s.on("2026-04-04").create("post_market_signal", "Drift", observed_on="2026-04-04")
    s.on("2026-04-15").close("CMP-3")
    s.on("2026-04-20").create("release", "CytoAssist 2.1")
    s.move("REL-1", "in_review")
    s.sign("REL-1", "released")
    s.on("2026-05-05").make_effective("DOC-1")
    s.create("vulnerability", "CVE in parser", discovered_on="2026-05-05")
    s.on("2026-05-10").close("CR-1")
    s.on("2026-05-20").create("complaint", "Undecided", **complaint("2026-05-20", "undetermined"))
    s.on("2026-06-01").close("ACT-2")
    s.sign("CAPA-2", "effectiveness_verified")
    s.close("CAPA-2")
    s.create("change_request", "Open change")
    s.on("2026-07-02").create("finding", "Minor, entered late", classification="minor")
    s.link("found_in", "FND-3", "AUD-2")
    s.on("2026-07-15").create("complaint", "After the period", **complaint("2026-07-15", "no"))
    s.on("2026-07-20").close("ACT-5")  # after the period: still open and overdue at its end
    s.on("2026-07-21")
    return s


def service(spine: Spine) -> ReviewService:
    return ReviewService(spine.context, spine.users, spine.records)


def figures(inputs: ReviewInputs, letter: str) -> dict[str, tuple[int, list[str]]]:
    return {f.name: (f.value, list(f.keys)) for f in inputs.section(letter).figures}


def test_every_input_counted_as_at_the_end_of_the_period(story: Story) -> None:
    spine = story.spine
    inputs = service(spine).prepare(spine.users.get("vic"), START, END)
    assert [(s.letter, s.title) for s in inputs.sections] == list(INPUTS)
    assert inputs.previous_review is not None and inputs.previous_review.key == "MR-2"
    assert figures(inputs, "a") == {
        "signals_observed": (1, ["PMS-1"]),
        "signals_open": (1, ["PMS-1"]),
        "vulnerabilities_discovered": (1, ["VULN-1"]),
        "vulnerabilities_open": (1, ["VULN-1"]),
    }
    assert figures(inputs, "b") == {
        "received": (4, ["CMP-3", "CMP-5", "CMP-6", "CMP-7"]),
        "closed": (1, ["CMP-3"]),
        "open": (4, ["CMP-2", "CMP-5", "CMP-6", "CMP-7"]),
    }
    assert figures(inputs, "c") == {
        "reportable": (3, ["CMP-3", "CMP-5", "CMP-6"]),
        "submitted": (2, ["CMP-3", "CMP-5"]),
        "submitted_late": (1, ["CMP-3"]),
        "unsubmitted_past_deadline": (1, ["CMP-6"]),
        "undetermined_past_deadline": (1, ["CMP-7"]),
    }
    assert figures(inputs, "d") == {
        "audits_held": (1, ["AUD-2"]),
        "findings_raised": (2, ["FND-2", "FND-3"]),
        "findings_major": (1, ["FND-2"]),
        "findings_minor": (1, ["FND-3"]),
        "findings_observation": (0, []),
        "findings_open": (3, ["FND-1", "FND-2", "FND-3"]),
    }
    assert figures(inputs, "e") == {
        "reevaluations_due": (2, ["SUP-1", "SUP-3"]),
        "reevaluations_overdue": (1, ["SUP-1"]),
    }
    assert figures(inputs, "f") == {
        "nonconformances_raised": (1, ["NC-2"]),
        "nonconformances_open": (1, ["NC-2"]),
        "releases": (1, ["REL-1"]),
    }
    assert figures(inputs, "g") == {
        "opened": (1, ["CAPA-3"]),
        "closed": (0, []),
        "open": (2, ["CAPA-1", "CAPA-3"]),
        "effectiveness_overdue": (1, ["CAPA-3"]),
    }
    assert figures(inputs, "h") == {
        "opened": (1, ["CAPA-4"]),
        "closed": (1, ["CAPA-2"]),
        "open": (1, ["CAPA-4"]),
        "effectiveness_overdue": (0, []),
    }
    assert figures(inputs, "i") == {
        "actions": (3, ["ACT-3", "ACT-4", "ACT-5"]),
        "closed": (1, ["ACT-3"]),
        "open": (2, ["ACT-4", "ACT-5"]),
        "overdue": (1, ["ACT-5"]),
        "cancelled": (0, []),
    }
    assert figures(inputs, "j") == {
        "changes_raised": (2, ["CR-1", "CR-2"]),
        "changes_closed": (1, ["CR-1"]),
        "changes_open": (1, ["CR-2"]),
        "documents_effective": (1, ["DOC-1"]),
    }
    for letter in "kl":
        section = inputs.section(letter)
        assert not section.source and section.figures == () and section.records == ()
        assert "none are counted" in section.summary


def test_sections_list_their_records_and_say_it_in_a_line(story: Story) -> None:
    spine = story.spine
    inputs = service(spine).prepare(spine.users.get("vic"), START, END)
    follow_up = inputs.section("i")
    assert [(r.key, r.status) for r in follow_up.records] == [
        ("ACT-3", "closed"),
        ("ACT-4", "open"),
        ("ACT-5", "closed"),  # the status now; it was open at the period's end
        ("MR-2", "open"),
    ]
    assert follow_up.summary == (
        "MR-2 (MR H2 2025): 3 actions, 1 closed, 2 open (1 overdue), 0 cancelled."
    )
    assert follow_up.clause == "ISO 13485:2016 5.6.2 i)"
    assert [r.key for r in inputs.section("b").records] == [
        "CMP-2",
        "CMP-3",
        "CMP-5",
        "CMP-6",
        "CMP-7",
    ]
    assert inputs.section("b").summary == (
        "4 complaints received; 1 closed in the period; 4 open at period end."
    )
    assert inputs.section("c").summary == (
        "3 MDR-reportable complaints received; 2 MDRs submitted, 1 late; at period end "
        "1 reportable but unsubmitted and 1 undetermined past the deadline."
    )
    assert inputs.section("d").summary == (
        "1 audit held; 2 findings raised (1 major, 1 minor, 0 observations); 3 open at period end."
    )
    assert inputs.section("g").figure("open") == 2


def test_earlier_and_later_periods(story: Story) -> None:
    spine, vic = story.spine, story.spine.users.get("vic")
    reviews = service(spine)
    h2_2025 = reviews.prepare(vic, D(2025, 7, 1), D(2025, 12, 31))
    assert h2_2025.previous_review is not None and h2_2025.previous_review.key == "MR-1"
    assert figures(h2_2025, "i")["open"] == (1, ["ACT-1"])
    assert figures(h2_2025, "b") == {
        "received": (2, ["CMP-1", "CMP-2"]),
        "closed": (1, ["CMP-1"]),
        "open": (1, ["CMP-2"]),
    }
    assert figures(h2_2025, "g")["open"] == (1, ["CAPA-1"])
    first = reviews.prepare(vic, D(2024, 1, 1), D(2024, 12, 31))
    assert first.previous_review is None
    assert first.section("i").figures == () and "nothing to follow up" in first.section("i").summary
    assert all(f.value == 0 for s in first.sections for f in s.figures)


def test_create_records_the_inputs_and_follows_up_the_previous_review(story: Story) -> None:
    spine = story.spine
    reviews = service(spine)
    key = reviews.create("quinn", START, END)
    assert key == "MR-3"
    made = spine.records.show(key)
    fields = made.version.fields
    assert (made.title, made.status, made.created_by) == (
        "Management review 2026-01-01 to 2026-06-30",
        "open",
        "quinn",
    )
    assert (fields["period_start"], fields["period_end"]) == ("2026-01-01", "2026-06-30")
    expected = to_markdown(reviews.prepare(spine.users.get("quinn"), START, END))
    summary = fields["inputs_summary"]
    # The compile instant differs by the clock's tick; everything else is the same text.
    assert summary.splitlines()[3:] == expected.splitlines()[3:]
    assert summary.startswith("## Management review inputs: 2026-01-01 to 2026-06-30\n")
    headings = [line for line in summary.splitlines() if line.startswith("### ")]
    assert headings == [f"### {letter}) {title}" for letter, title in INPUTS]
    assert (
        "- Complaints received in the period (awareness date): 4 (CMP-3, CMP-5, CMP-6, CMP-7)"
        in summary
    )
    assert "- MDRs submitted in the period after their deadline: 1 (CMP-3)" in summary
    assert "- Open and past their due date: 1 (ACT-5)" in summary
    assert "Previous review: MR-2 (MR H2 2025)." in summary
    outgoing, _ = spine.links.of(key)
    assert [(x.type, x.target) for x in outgoing] == [("follows_up", "MR-2")]

    # The next half year follows up MR-3; this period still follows up MR-2.
    vic = spine.users.get("vic")
    later = reviews.prepare(vic, D(2026, 7, 1), D(2026, 12, 31))
    assert later.previous_review is not None and later.previous_review.key == "MR-3"
    assert figures(later, "i")["actions"] == (0, [])
    again = reviews.prepare(vic, START, END)
    assert again.previous_review is not None and again.previous_review.key == "MR-2"
    named = reviews.create("quinn", D(2026, 7, 1), D(2026, 12, 31), "  Management review H2  ")
    assert spine.records.show(named).title == "Management review H2"


def test_a_review_of_the_same_period_names_the_review_it_follows_up(story: Story) -> None:
    spine, vic = story.spine, story.spine.users.get("vic")
    story.create("management_review", "Redo", period_start="2026-01-01", period_end="2026-06-30")
    story.link("follows_up", "MR-3", "MR-1")
    inputs = service(spine).prepare(vic, START, END)
    assert inputs.previous_review is not None and inputs.previous_review.key == "MR-1"
    assert figures(inputs, "i")["open"] == (1, ["ACT-1"])


def test_preparing_writes_nothing_and_takes_a_handful_of_queries(story: Story) -> None:
    spine = story.spine
    before = database_state(spine)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(spine.context.engine, "before_cursor_execute", count)
    try:
        service(spine).prepare(spine.users.get("vic"), START, END)
    finally:
        sa.event.remove(spine.context.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 8, selects
    assert database_state(spine) == before


def test_refusals(story: Story) -> None:
    spine = story.spine
    reviews = service(spine)
    vic = spine.users.get("vic")
    before = database_state(spine)
    with pytest.raises(
        InvalidInput, match=r"^review period: start 2026-07-01 is after end 2026-06-30$"
    ):
        reviews.prepare(vic, D(2026, 7, 1), END)
    with pytest.raises(InvalidInput, match="2023-01-01 to 2026-01-01 is longer than 3 years"):
        reviews.create("quinn", D(2023, 1, 1), D(2026, 1, 1))
    with pytest.raises(Forbidden):
        reviews.create("vic", START, END)
    assert database_state(spine) == before
    reviews.prepare(vic, D(2023, 1, 1), D(2025, 12, 31))  # exactly three years


def test_period_bounds() -> None:
    check_period(D(2024, 2, 29), D(2027, 2, 28))
    with pytest.raises(InvalidInput, match="longer than 3 years"):
        check_period(D(2024, 2, 29), D(2027, 3, 1))
    check_period(D(9998, 1, 1), D(9999, 12, 31))
    check_period(D(2026, 1, 1), D(2026, 1, 1))
