"""How each management review input (ISO 13485:2016 5.6.2) is counted from the records read
for a period: one function per input, over a reader that knows the period's rules (see
`qspine.model.review` for the rules every section shares)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from qspine.model.cyber_metrics import CyberMetrics, summary_line
from qspine.model.deadlines import mdr_due
from qspine.model.records import key_order
from qspine.model.review import (
    CANCELLED,
    CLOSED,
    INPUTS,
    RAISED_ON,
    RETIRED,
    REVIEW,
    Figure,
    Item,
    ReviewInputs,
    ReviewSection,
)


def compile_inputs(
    start: dt.date,
    end: dt.date,
    prepared_at: dt.datetime,
    kinds: Iterable[str],
    items: Iterable[Item],
    found_in: Mapping[str, dt.date | None],
    previous: Item | None,
    actions: Sequence[Item],
    cyber: CyberMetrics | None = None,
) -> ReviewInputs:
    """The twelve inputs from the records read for the period.

    `kinds` are the kinds the profile declares; `items` the records that may count (any
    kind); `found_in` the audit date of each finding's audit; `previous` the review followed
    up and `actions` its actions; `cyber` the cyber metrics at period end (input a)."""
    reader = _Reader(start, end, frozenset(kinds), found_in, items)
    sections = (
        _feedback(reader, cyber),
        _complaints(reader),
        _reporting(reader),
        _audits(reader),
        _processes(reader),
        _product(reader),
        _capa(reader, "g", "corrective"),
        _capa(reader, "h", "preventive"),
        _follow_up(reader, previous, actions),
        _changes(reader),
        no_source(
            "k",
            "No record kind of the profile holds recommendations for improvement: none are "
            "counted. Bring them to the review and record them in its decisions.",
        ),
        no_source(
            "l",
            "No record kind of the profile tracks new or revised regulatory requirements: none "
            "are counted. Present them from the regulatory watch.",
        ),
    )
    return ReviewInputs(start, end, prepared_at, previous.record if previous else None, sections)


class _Reader:
    """The period's view of each record: raised when, ended when, open at the end."""

    def __init__(
        self,
        start: dt.date,
        end: dt.date,
        kinds: frozenset[str],
        found_in: Mapping[str, dt.date | None],
        items: Iterable[Item],
    ) -> None:
        self.start, self.end, self.kinds, self.found_in = start, end, kinds, found_in
        self.by_kind: dict[str, list[Item]] = {}
        for item in items:
            self.by_kind.setdefault(item.kind, []).append(item)

    def of(self, kind: str) -> list[Item]:
        return self.by_kind.get(kind, [])

    def declares(self, *kinds: str) -> bool:
        return any(kind in self.kinds for kind in kinds)

    def has(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def raised_on(self, item: Item) -> dt.date | None:
        if item.kind in RAISED_ON:
            return item.date(RAISED_ON[item.kind])
        if item.kind == "finding":
            return self.found_in.get(item.key) or item.created_on
        return item.created_on

    def by_end(self, item: Item, status: str) -> bool:
        """Entered `status` on or before the last day of the period."""
        day = item.first(status)
        return day is not None and day <= self.end

    def ended(self, item: Item) -> bool:
        return any(self.by_end(item, status) for status in (CLOSED, CANCELLED, RETIRED))

    def raised(self, item: Item) -> bool:
        """Raised in the period and not cancelled by its end."""
        return self.has(self.raised_on(item)) and not self.by_end(item, CANCELLED)

    def closed(self, item: Item) -> bool:
        return any(self.has(day) for day in item.entered.get(CLOSED, ()))

    def open(self, item: Item) -> bool:
        raised = self.raised_on(item)
        return raised is not None and raised <= self.end and not self.ended(item)

    def entered_in(self, item: Item, status: str) -> bool:
        return any(self.has(day) for day in item.entered.get(status, ()))


def _feedback(r: _Reader, cyber: CyberMetrics | None = None) -> ReviewSection:
    if not r.declares("post_market_signal", "vulnerability"):
        return no_source("a", "The profile has no post-market signal or vulnerability records.")
    signals, vulnerabilities = r.of("post_market_signal"), r.of("vulnerability")
    figures = counts(
        signals,
        ("signals_observed", "Post-market signals observed in the period", r.raised),
        ("signals_open", "Post-market signals open at period end", r.open),
    ) + counts(
        vulnerabilities,
        ("vulnerabilities_discovered", "Vulnerabilities discovered in the period", r.raised),
        ("vulnerabilities_open", "Vulnerabilities open at period end", r.open),
    )
    n = [f.value for f in figures]
    summary = (
        f"{plural(n[0], 'post-market signal')} observed, {n[1]} open at period end; "
        f"{plural(n[2], 'vulnerability', 'vulnerabilities')} discovered, "
        f"{n[3]} open at period end."
    )
    if cyber is not None:
        summary += " " + summary_line(cyber, components=False)
    return section("a", summary, figures, signals + vulnerabilities)


def _complaints(r: _Reader) -> ReviewSection:
    if not r.declares("complaint"):
        return no_source("b", "The profile has no complaint records.")
    complaints = r.of("complaint")
    figures = counts(
        complaints,
        ("received", "Complaints received in the period (awareness date)", r.raised),
        ("closed", "Complaints closed in the period", r.closed),
        ("open", "Complaints open at period end", r.open),
    )
    n = [f.value for f in figures]
    summary = (
        f"{plural(n[0], 'complaint')} received; {n[1]} closed in the period; "
        f"{n[2]} open at period end."
    )
    return section("b", summary, figures, complaints)


def _reporting(r: _Reader) -> ReviewSection:
    if not r.declares("complaint"):
        return no_source("c", "The profile has no complaint records to report from.")
    live = [c for c in r.of("complaint") if not r.by_end(c, CANCELLED)]
    end = r.end

    def reportable(c: Item) -> bool:
        return r.raised(c) and c.fields.get("mdr_reportable") == "yes"

    def submitted(c: Item) -> bool:
        return r.has(c.date("mdr_submitted_on"))

    def late(c: Item) -> bool:
        sent, due = c.date("mdr_submitted_on"), mdr_due(c.fields)
        return submitted(c) and sent is not None and due is not None and sent > due

    def due_passed(c: Item) -> bool:
        due, raised = mdr_due(c.fields), r.raised_on(c)
        return due is not None and due < end and raised is not None and raised <= end

    def undetermined(c: Item) -> bool:
        decided = c.date("mdr_decided_on")
        pending = c.fields.get("mdr_reportable") not in ("yes", "no")
        return due_passed(c) and (pending or (decided is not None and decided > end))

    def unsubmitted(c: Item) -> bool:
        sent = c.date("mdr_submitted_on")
        decided = c.fields.get("mdr_reportable") == "yes" and not undetermined(c)
        return decided and due_passed(c) and (sent is None or sent > end)

    figures = counts(
        live,
        ("reportable", "MDR-reportable complaints received in the period", reportable),
        ("submitted", "MDRs submitted in the period", submitted),
        ("submitted_late", "MDRs submitted in the period after their deadline", late),
        ("unsubmitted_past_deadline", "Reportable, not submitted by the deadline", unsubmitted),
        (
            "undetermined_past_deadline",
            "Reportability undetermined past the deadline",
            undetermined,
        ),
    )
    n = [f.value for f in figures]
    summary = (
        f"{plural(n[0], 'MDR-reportable complaint')} received; {plural(n[1], 'MDR')} "
        f"submitted, {n[2]} late; at period end {n[3]} reportable but unsubmitted and "
        f"{n[4]} undetermined past the deadline."
    )
    return section("c", summary, figures, live)


def _audits(r: _Reader) -> ReviewSection:
    if not r.declares("audit", "finding"):
        return no_source("d", "The profile has no audit or finding records.")
    audits, findings = r.of("audit"), r.of("finding")

    def graded(grade: str) -> Callable[[Item], bool]:
        return lambda f: r.raised(f) and f.fields.get("classification") == grade

    figures = counts(
        audits, ("audits_held", "Audits held in the period (audit date)", r.raised)
    ) + counts(
        findings,
        ("findings_raised", "Findings raised in the period", r.raised),
        ("findings_major", "Major findings", graded("major")),
        ("findings_minor", "Minor findings", graded("minor")),
        ("findings_observation", "Observations", graded("observation")),
        ("findings_open", "Findings open at period end", r.open),
    )
    n = [f.value for f in figures]
    summary = (
        f"{plural(n[0], 'audit')} held; {plural(n[1], 'finding')} raised ({n[2]} major, "
        f"{n[3]} minor, {plural(n[4], 'observation')}); {n[5]} open at period end."
    )
    return section("d", summary, figures, audits + findings)


def _processes(r: _Reader) -> ReviewSection:
    if not r.declares("supplier"):
        return no_source("e", "The profile has no supplier records to monitor.")
    suppliers = [s for s in r.of("supplier") if not r.ended(s)]

    def due(s: Item) -> bool:
        return r.has(s.date("reevaluation_due"))

    def overdue(s: Item) -> bool:
        due = s.date("reevaluation_due")
        return due is not None and due < r.end

    figures = counts(
        suppliers,
        ("reevaluations_due", "Supplier re-evaluations due in the period", due),
        ("reevaluations_overdue", "Supplier re-evaluations overdue at period end", overdue),
    )
    summary = (
        f"Purchasing: {plural(figures[0].value, 'supplier re-evaluation')} due in the period, "
        f"{figures[1].value} overdue at period end (by the suppliers' current due dates)."
    )
    return section("e", summary, figures, suppliers)


def _product(r: _Reader) -> ReviewSection:
    if not r.declares("nonconformance", "release"):
        return no_source("f", "The profile has no nonconformance or release records.")
    nonconformances, releases = r.of("nonconformance"), r.of("release")
    figures = counts(
        nonconformances,
        (
            "nonconformances_raised",
            "Nonconformances raised in the period (detection date)",
            r.raised,
        ),
        ("nonconformances_open", "Nonconformances open at period end", r.open),
    ) + counts(
        releases,
        ("releases", "Releases authorised in the period", lambda x: r.entered_in(x, "released")),
    )
    n = [f.value for f in figures]
    summary = (
        f"{plural(n[0], 'nonconformance')} raised, {n[1]} open at period end; "
        f"{plural(n[2], 'release')} authorised in the period."
    )
    return section("f", summary, figures, nonconformances + releases)


def _capa(r: _Reader, letter: str, capa_type: str) -> ReviewSection:
    if not r.declares("capa"):
        return no_source(letter, "The profile has no CAPA records.")
    capas = [c for c in r.of("capa") if c.fields.get("capa_type") == capa_type]

    def effectiveness_overdue(c: Item) -> bool:
        due = c.date("effectiveness_due")
        outcome = c.fields.get("effectiveness_outcome")
        return r.open(c) and due is not None and due < r.end and outcome != "effective"

    label = f"{capa_type.capitalize()} CAPAs"
    figures = counts(
        capas,
        ("opened", f"{label} opened in the period", r.raised),
        ("closed", f"{label} closed in the period", r.closed),
        ("open", f"{label} open at period end", r.open),
        (
            "effectiveness_overdue",
            "Effectiveness checks overdue, not effective",
            effectiveness_overdue,
        ),
    )
    n = [f.value for f in figures]
    summary = (
        f"{plural(n[0], f'{capa_type} action')} opened, {n[1]} closed in the period, {n[2]} "
        f"open at period end; {plural(n[3], 'effectiveness check')} overdue."
    )
    return section(letter, summary, figures, capas)


def _follow_up(r: _Reader, previous: Item | None, actions: Sequence[Item]) -> ReviewSection:
    if not r.declares(REVIEW):
        return no_source("i", "The profile has no management review records.")
    if previous is None:
        summary = f"No management review ended before {r.start}: nothing to follow up."
        return ReviewSection("i", title_of("i"), summary)
    known = [a for a in actions if a.created_on <= r.end]

    def overdue(a: Item) -> bool:
        due = a.date("due_date")
        return not r.ended(a) and due is not None and due < r.end

    figures = counts(
        known,
        ("actions", f"Actions of {previous.key}", lambda a: True),
        ("closed", "Closed by period end", lambda a: r.by_end(a, CLOSED)),
        ("open", "Open at period end", lambda a: not r.ended(a)),
        ("overdue", "Open and past their due date", overdue),
        ("cancelled", "Cancelled", lambda a: r.by_end(a, CANCELLED)),
    )
    n = [f.value for f in figures]
    summary = (
        f"{previous.key} ({previous.title}): {plural(n[0], 'action')}, {n[1]} closed, "
        f"{n[2]} open ({n[3]} overdue), {n[4]} cancelled."
    )
    return section("i", summary, figures, [previous, *known], also=[previous.key])


def _changes(r: _Reader) -> ReviewSection:
    if not r.declares("change_request", "document"):
        return no_source("j", "The profile has no change request or document records.")
    changes, documents = r.of("change_request"), r.of("document")
    figures = counts(
        changes,
        ("changes_raised", "Change requests raised in the period", r.raised),
        ("changes_closed", "Change requests closed in the period", r.closed),
        ("changes_open", "Change requests open at period end", r.open),
    ) + counts(
        documents,
        (
            "documents_effective",
            "Documents made effective in the period",
            lambda d: r.entered_in(d, "effective"),
        ),
    )
    n = [f.value for f in figures]
    summary = (
        f"{plural(n[0], 'change request')} raised, {n[1]} closed in the period, {n[2]} open "
        f"at period end; {plural(n[3], 'document')} made effective."
    )
    return section("j", summary, figures, changes + documents)


def counts(items: Sequence[Item], *rows: tuple[str, str, Callable[[Item], bool]]) -> list[Figure]:
    """One figure per (name, label, test): the items that pass the test, in key order."""
    return [figure(name, label, (i for i in items if test(i))) for name, label, test in rows]


def figure(name: str, label: str, items: Iterable[Item]) -> Figure:
    keys = tuple(sorted({i.key for i in items}, key=key_order))
    return Figure(name, label, len(keys), keys)


def section(
    letter: str,
    summary: str,
    figures: Sequence[Figure],
    items: Iterable[Item],
    also: Iterable[str] = (),
) -> ReviewSection:
    """A section listing the records of `items` its figures counted (and those `also`
    named), in key order."""
    counted = {key for f in figures for key in f.keys} | set(also)
    records = {i.key: i.record for i in items if i.key in counted}
    ordered = tuple(records[k] for k in sorted(records, key=key_order))
    return ReviewSection(letter, title_of(letter), summary, tuple(figures), ordered)


def no_source(letter: str, why: str) -> ReviewSection:
    return ReviewSection(letter, title_of(letter), why, source=False)


def title_of(letter: str) -> str:
    return dict(INPUTS)[letter]


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
