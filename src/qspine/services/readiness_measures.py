"""The four self-assessment measures of QMSR readiness, from the live spine:

1. how long it takes to retrieve a controlled record with its whole chain (follow-a-signal
   from recent quality events, timed);
2. the share of CAPAs, changes and risks visibly linked (a CAPA to its source and to the risk
   file; a change to what it changes; a risk to a control verified by a test);
3. the share of management-review actions closed on time;
4. the share of lifecycle impacts shown without manual steps (released records revised since,
   whose revision a change request names, so its impact analysis shows them).

The shares ask SpineFacts which records of a kind have a link (with_link) and which were
released more than once (revised_keys) rather than reading every link of a type: at a
million records those are millions of links for a count over thousands of records.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from qspine.model.deadlines import as_date
from qspine.model.readiness import Measure
from qspine.rules.facts import Facts
from qspine.services.facts import SpineFacts

EVENT_KINDS = ("complaint", "capa", "nonconformance", "finding", "vulnerability")
SAMPLE = 10


def measures(facts: SpineFacts, retrieve: Callable[[str], object]) -> tuple[Measure, ...]:
    return (
        retrieval(facts, retrieve),
        linked_share(facts),
        actions_on_time(facts),
        impacts_shown(facts),
    )


def retrieval(facts: Facts, retrieve: Callable[[str], object]) -> Measure:
    kinds = [k for k in EVENT_KINDS if k in facts.profile.kinds]
    events = sorted(
        (r for kind in kinds for r in facts.records(kind)),
        key=lambda r: r.created_at,
        reverse=True,
    )[:SAMPLE]
    title = "Time to retrieve a controlled record with its chain"
    if not events:
        return Measure("retrieval", title, None, "ms", "no quality events to follow")
    timings = []
    for event in events:
        start = time.perf_counter()
        retrieve(event.key)
        timings.append((time.perf_counter() - start) * 1000)
    median = round(statistics.median(timings), 1)
    detail = (
        f"median of {len(timings)} follow-a-signal chains from the latest quality events "
        f"(slowest {max(timings):.1f} ms)"
    )
    return Measure("retrieval", title, median, "ms", detail)


def linked_share(facts: SpineFacts) -> Measure:
    title = "CAPAs, changes and risks visibly linked"

    def sources(kind: str, link_type: str) -> frozenset[str]:
        """The `kind` records among the sources of `link_type` links."""
        return facts.with_link(kind, link_type) if link_type in links else frozenset()

    def targets(kind: str, link_type: str) -> frozenset[str]:
        """The `kind` records among the targets of `link_type` links."""
        return facts.with_link(kind, link_type, inward=True) if link_type in links else frozenset()

    links = facts.profile.links
    parts: list[tuple[str, int, int]] = []
    if "capa" in facts.profile.kinds:
        capas = [r.key for r in facts.records("capa") if r.status not in ("cancelled",)]
        both = sources("capa", "addresses") & sources("capa", "assesses_risk")
        parts.append(("CAPAs to source and risk file", sum(k in both for k in capas), len(capas)))
    if "change_request" in facts.profile.kinds:
        changes = [r.key for r in facts.records("change_request") if r.status != "cancelled"]
        changing = sources("change_request", "changes")
        parts.append(
            ("changes to what they change", sum(k in changing for k in changes), len(changes))
        )
    if "risk_control" in facts.profile.kinds:
        controls = [r.key for r in facts.records("risk_control") if r.status not in ("obsolete",)]
        linked = sources("risk_control", "mitigates") & targets("risk_control", "verifies")
        parts.append(
            (
                "risk controls to a risk and a test",
                sum(k in linked for k in controls),
                len(controls),
            )
        )
    return _share("linked", title, parts)


def actions_on_time(facts: Facts) -> Measure:
    title = "Management-review actions closed on time"
    if "action" not in facts.profile.kinds or "action_of" not in facts.profile.links:
        return Measure("actions_on_time", title, None, "%", "the profile has no actions")
    reviews = {r.key for r in facts.records("management_review")}
    of_review = {link.source for link in facts.links("action_of") if link.target in reviews}
    due = on_time = 0
    for action in facts.records("action"):
        deadline = as_date(action.fields.get("due_date"))
        if action.key not in of_review or deadline is None or action.status == "cancelled":
            continue
        done = as_date(action.fields.get("completed_on"))
        if done is None and deadline >= facts.today:
            continue  # still running: not yet judged
        due += 1
        on_time += done is not None and done <= deadline
    return _share("actions_on_time", title, [("actions due", on_time, due)])


def impacts_shown(facts: SpineFacts) -> Measure:
    title = "Lifecycle impacts shown without manual steps"
    if "changes" not in facts.profile.links:
        return Measure("impacts_shown", title, None, "%", "the profile has no change links")
    changeable = facts.profile.links["changes"].to
    revised_of = {kind: facts.revised_keys(kind) for kind in changeable}
    revised = [key for kind in changeable for key in revised_of[kind]]
    # The revised records among the targets of changes links.
    named = frozenset[str]().union(
        *(facts.with_link(k, "changes", inward=True, among=v) for k, v in revised_of.items() if v)
    )
    parts = [
        (
            "released records revised under a change request",
            sum(k in named for k in revised),
            len(revised),
        )
    ]
    return _share("impacts_shown", title, parts)


def _share(ident: str, title: str, parts: list[tuple[str, int, int]]) -> Measure:
    good = sum(p[1] for p in parts)
    total = sum(p[2] for p in parts)
    detail = "; ".join(f"{name}: {ok} of {count}" for name, ok, count in parts)
    if not total:
        return Measure(ident, title, None, "%", detail or "nothing to measure")
    return Measure(ident, title, round(100 * good / total, 1), "%", detail)
