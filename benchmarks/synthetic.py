"""Synthetic spine generator: N records and about 3N links in a realistic shape.

Everything goes through the service layer (permissions, validation, fingerprints, audit
events), in batches as an importer would. Shape: user needs -> requirements -> software items
and test cases -> test results; harms <- hazardous situations <- hazards, risk controls that
mitigate situations and are specified by requirements and verified by tests; complaints ->
CAPAs -> risks; change requests -> requirements. Reused by later benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from qspine import NewLink, NewRecord, Spine

# kind, share of N, {link type: (target kind, links per record)}; in creation order.
SHAPE: list[tuple[str, float, dict[str, tuple[str, int]]]] = [
    ("harm", 0.01, {}),
    ("user_need", 0.02, {}),
    ("requirement", 0.20, {"derives_from": ("user_need", 1)}),
    ("software_item", 0.05, {"implements": ("requirement", 5)}),
    ("hazardous_situation", 0.06, {"leads_to": ("harm", 3)}),
    ("hazard", 0.02, {"causes": ("hazardous_situation", 3)}),
    (
        "risk_control",
        0.07,
        {"mitigates": ("hazardous_situation", 3), "specified_by": ("requirement", 2)},
    ),
    ("test_case", 0.20, {"verifies": ("requirement", 5)}),
    ("test_result", 0.30, {"result_of": ("test_case", 1)}),
    ("complaint", 0.03, {}),
    ("capa", 0.02, {"addresses": ("complaint", 1), "assesses_risk": ("hazardous_situation", 3)}),
    ("change_request", 0.02, {"changes": ("requirement", 5), "originates_from": ("capa", 1)}),
]
EXTRA_LINKS = {
    "requirement": ("derives_from", "requirement", 1),
    "test_case": ("verifies", "risk_control", 1),
}
BATCH = 2_000
LEVELS = 3
WINDOW = 30
ACTOR = "bench"


@dataclass
class Built:
    records: int
    links: int
    keys: dict[str, list[str]]


def fields_for(kind: str, index: int, rng: random.Random) -> dict[str, object]:
    """Plausible field values of every required field (varied, so fingerprints differ)."""
    title = f"{kind.replace('_', ' ').capitalize()} {index}"
    common = {"title": title}
    by_kind: dict[str, dict[str, object]] = {
        "harm": {"severity": rng.choice(["minor", "serious", "critical"])},
        "user_need": {"statement": f"Clinicians need capability {index} during triage."},
        "requirement": {
            "statement": f"The system shall satisfy behaviour {index} within "
            f"{rng.randint(1, 500)} ms.",
            "category": rng.choice(["functional", "performance", "safety"]),
        },
        "software_item": {"safety_class": rng.choice(["A", "B", "C"])},
        "hazardous_situation": {"sequence_of_events": f"Sequence {index}: input misread."},
        "hazard": {"hazard_type": "software"},
        "risk_control": {
            "description": f"Control {index}: validate input range.",
            "control_type": "protective_measure",
        },
        "test_case": {
            "method": "test",
            "procedure": f"Run scenario {index}.",
            "acceptance_criteria": "All assertions pass.",
        },
        "test_result": {
            "outcome": rng.choice(["pass", "pass", "pass", "fail"]),
            "executed_on": "2026-10-01T09:00:00Z",
        },
        "complaint": {
            "awareness_date": "2026-09-01",
            "description": f"Report {index}.",
            "mdr_reportable": "no",
        },
        "capa": {
            "capa_type": "corrective",
            "source_type": "complaint",
            "problem_statement": f"Problem {index}.",
        },
        "change_request": {
            "change_type": "design",
            "description": f"Change {index}.",
            "justification": "Corrective action.",
        },
    }
    return {**common, **by_kind[kind]}


def build(
    spine: Spine,
    n: int,
    seed: int = 7,
    progress: Callable[[str, int], None] = lambda phase, done: None,
) -> Built:
    """Create the synthetic spine; `progress(phase, count)` is called after each batch."""
    rng = random.Random(seed)
    keys: dict[str, list[str]] = {}
    total_links = 0
    for kind, share, links in SHAPE:
        count = max(1, round(n * share))
        made: list[str] = []
        for start in range(0, count, BATCH):
            batch = [
                NewRecord(kind, fields_for(kind, i, rng))
                for i in range(start, min(count, start + BATCH))
            ]
            made += spine.records.create_many(ACTOR, batch, "synthetic benchmark data")
            progress("records", len(batch))
        keys[kind] = made
        plan = [(link_type, target, per) for link_type, (target, per) in links.items()]
        if kind in EXTRA_LINKS:
            plan.append(EXTRA_LINKS[kind])
        for batch_links in _batches(_links_for(kind, made, plan, keys, rng)):
            total_links += spine.links.link_many(ACTOR, batch_links, "synthetic")
            progress("links", len(batch_links))
    return Built(sum(len(v) for v in keys.values()), total_links, keys)


def _links_for(
    kind: str,
    sources: list[str],
    plan: list[tuple[str, str, int]],
    keys: dict[str, list[str]],
    rng: random.Random,
) -> Iterator[NewLink]:
    for index, source in enumerate(sources):
        for link_type, target_kind, per in plan:
            pool = keys[target_kind] if target_kind != kind else _parents(sources, index)
            if not pool:
                continue
            for target in rng.sample(pool, min(per, len(pool))):
                yield NewLink(link_type, source, target)


def _parents(sources: list[str], index: int) -> list[str]:
    """Candidate parents of a derived record: nearby records one level or more up.

    Records sit on LEVELS levels (system, subsystem, software requirement) by index, and a
    record derives from one of the WINDOW records before it on a higher level: bounded depth,
    local hierarchies, as in a requirements document. (Deriving from any earlier record made
    a random recursive tree in which the first requirement was the ancestor of nearly all.)
    """
    level = index % LEVELS
    start = max(0, index - WINDOW)
    return [key for j, key in enumerate(sources[start:index], start) if j % LEVELS < level]


def _batches(links: Iterator[NewLink]) -> Iterator[list[NewLink]]:
    batch: list[NewLink] = []
    for item in links:
        batch.append(item)
        if len(batch) == BATCH * 2:
            yield batch
            batch = []
    if batch:
        yield batch
