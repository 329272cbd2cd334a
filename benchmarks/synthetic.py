"""Synthetic spine generator: N records and about 3N links in a realistic shape.

Everything goes through the service layer (permissions, validation, fingerprints, audit
events), in batches as an importer would. Shape: user needs -> requirements -> software items
and test cases -> test results; harms <- hazardous situations <- hazards, risk controls that
mitigate situations and are specified by requirements and verified by tests; complaints ->
CAPAs -> risks; change requests -> requirements. Reused by later benchmarks.

`build(..., qms=True)` (bench_rules) makes the spine a quality system the readiness rules can
work on: about 4 % of the N records become the other QMS kinds (controlled documents with
bodies, roles with holders and their training records, suppliers and SBOM components,
vulnerabilities, releases with their baselines, threats and security risks, design
validations, audits and findings, nonconformances, management reviews and their actions,
AI datasets, model versions and validation runs), the base kinds carry the fields the rules
read (risk estimates, control verifications, MDR decisions, CAPA effectiveness), most records
are moved along their lifecycles (approved, effective, recorded, closed), and a few released
records are revised and approved again. The lifecycle moves write what signing and transitions
write (signature rows, transitions, audit events) in batches, without the signing service's
re-authentication, guard and training checks: a million signatures one by one would take
hours. Without `qms` the spine is exactly what it was.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from qspine import NewLink, NewRecord, Spine
from qspine.model.profile import LifecycleSpec
from qspine.model.signatures import signature_binding
from qspine.services.audit import NewEvent, append
from qspine.services.lifecycle import change_status
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import link, record, signature, transition, version

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
    qms: bool = False,
    signer: str = ACTOR,
) -> Built:
    """Create the synthetic spine; `progress(phase, count)` is called after each batch.

    With `qms`, the spine also gets the other quality-system kinds and lifecycle states
    (module docstring); `signer` is the user named on the generated signatures."""
    rng = random.Random(seed)
    extra = _Quality(spine, n, random.Random(seed + 1), progress, signer) if qms else None
    scale = 1 - QMS_SHARE if qms else 1.0
    keys: dict[str, list[str]] = {}
    total_links = 0
    for kind, share, links in SHAPE:
        count = max(1, round(n * share * scale))
        made: list[str] = []
        for start in range(0, count, BATCH):
            batch = []
            for i in range(start, min(count, start + BATCH)):
                fields = fields_for(kind, i, rng)
                if extra is not None:
                    fields.update(extra.base_fields(kind))
                batch.append(NewRecord(kind, fields))
            made += spine.records.create_many(ACTOR, batch, "synthetic benchmark data")
            progress("records", len(batch))
        keys[kind] = made
        plan = [(link_type, target, per) for link_type, (target, per) in links.items()]
        if kind in EXTRA_LINKS:
            plan.append(EXTRA_LINKS[kind])
        for batch_links in _batches(_links_for(kind, made, plan, keys, rng)):
            total_links += spine.links.link_many(ACTOR, batch_links, "synthetic")
            progress("links", len(batch_links))
    if extra is not None:
        total_links += extra.build(keys)
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


# -- the rest of a quality system (qms=True) ------------------------------------------------

QMS_SHARE = 0.04
"""Share of N the quality-system kinds take; the base kinds are scaled down by it."""

# kind, share of N, at least (training records follow from roles, holders and documents).
QMS_SHAPE: list[tuple[str, float, int]] = [
    ("document", 0.004, 40),
    ("supplier", 0.0005, 5),
    ("sbom_component", 0.002, 20),
    ("threat", 0.001, 10),
    ("security_risk", 0.001, 10),
    ("validation", 0.006, 60),
    ("dataset", 0.0002, 4),
    ("model_version", 0.0001, 2),
    ("validation_run", 0.0003, 4),
    ("release", 0.00005, 3),
    ("vulnerability", 0.001, 10),
    ("audit", 0.0002, 3),
    ("finding", 0.001, 10),
    ("nonconformance", 0.001, 10),
    ("management_review", 0.00002, 3),
    ("action", 0.004, 40),
    ("role", 0.0001, 4),
]

DESIGN_MIX = [("approved", 85), ("in_review", 5), ("draft", 10)]
"""Where design records stand: a mature product, most of its design file approved."""
STATUS_MIX: dict[str, list[tuple[str, int]]] = {
    "test_result": [("recorded", 95), ("draft", 5)],
    "validation": [("recorded", 95), ("draft", 5)],
    "validation_run": [("recorded", 90), ("draft", 10)],
    "training_record": [("recorded", 97), ("draft", 3)],
    "complaint": [("closed", 70), ("investigating", 20), ("open", 8), ("cancelled", 2)],
    "capa": [("closed", 60), ("pending_closure", 5), ("investigating", 25), ("open", 10)],
    "change_request": [("closed", 70), ("investigating", 20), ("open", 10)],
    "nonconformance": [("closed", 75), ("investigating", 15), ("open", 10)],
    "audit": [("closed", 85), ("investigating", 15)],
    "finding": [("closed", 70), ("investigating", 20), ("open", 10)],
    "vulnerability": [("closed", 60), ("investigating", 25), ("open", 15)],
    "document": [("effective", 85), ("approved", 5), ("in_review", 3), ("draft", 7)],
    "supplier": [("approved", 90), ("proposed", 10)],
    "sbom_component": [("approved", 90), ("proposed", 10)],
    "dataset": [("approved", 90), ("proposed", 10)],
    "role": [("approved", 95), ("proposed", 5)],
    "release": [("released", 80), ("planned", 20)],
    "management_review": [("closed", 90), ("pending_closure", 5), ("open", 5)],
    "action": [("closed", 85), ("investigating", 7), ("open", 6), ("cancelled", 2)],
}
DOCUMENT_TYPES = [
    ("sop", 30),
    ("work_instruction", 30),
    ("form", 15),
    ("report", 10),
    ("plan", 5),
    ("template", 5),
    ("policy", 3),
    ("external", 2),
]
SUPERSEDED = [
    "Design changes are reviewed as 21 CFR 820.30(i) requires.",
    "The Design History File (DHF) holds every design review record.",
    "Complaints are handled under the Quality System Regulation.",
    "Records follow 21 CFR 820.180 and the Device Master Record (DMR).",
    "Each build is traced in the Device History Record.",
]
TRAINED = 0.88
"""Share of holder x required document cells with a training record on the version in force."""


class _Quality:
    """The quality-system part of a qms spine: records, links, lifecycles, revisions."""

    def __init__(
        self,
        spine: Spine,
        n: int,
        rng: random.Random,
        progress: Callable[[str, int], None],
        signer: str,
    ) -> None:
        self.spine = spine
        self.n = n
        self.rng = rng
        self.progress = progress
        self.signer = signer
        self.today = spine.context.clock().date()
        self.target: dict[str, str] = {}  # key -> status it ends in
        self.pending: list[str] = []  # target statuses of the records being built
        self.links = 0

    # -- dates and mixes ----------------------------------------------------------------

    def day(self, low: int, high: int) -> str:
        """An ISO date between `low` and `high` days from today."""
        return (self.today + dt.timedelta(days=self.rng.randint(low, high))).isoformat()

    def pick(self, mix: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([m[0] for m in mix], [m[1] for m in mix])[0]

    def status_for(self, kind: str) -> str:
        lifecycle = self.spine.profile.lifecycle_of(kind)
        mix = STATUS_MIX.get(kind, DESIGN_MIX if lifecycle.supersede == "superseded" else [])
        return self.pick(mix) if mix else lifecycle.initial

    # -- fields of the base kinds -------------------------------------------------------

    def base_fields(self, kind: str) -> dict[str, object]:
        """What the rules read on the base kinds, consistent with the status it will reach."""
        status = self.status_for(kind)
        self.pending.append(status)
        rng = self.rng
        found: dict[str, object] = {}
        if kind == "hazardous_situation" and rng.random() < 0.96:
            risky = rng.random() < 0.2
            found |= {
                "initial_probability": rng.choice(["probable", "occasional", "remote"]),
                "initial_severity": rng.choice(["minor", "serious", "critical"]),
                "initial_risk": "unacceptable" if risky else "acceptable",
            }
            if risky and rng.random() < 0.95:
                residual = "unacceptable" if rng.random() < 0.05 else "acceptable"
                found |= {
                    "residual_probability": "improbable",
                    "residual_severity": found["initial_severity"],
                    "residual_risk": residual,
                }
                if residual == "unacceptable" and rng.random() < 0.8:
                    found["benefit_risk"] = "Clinical benefit outweighs the residual risk."
        elif kind == "risk_control" and rng.random() < 0.95:
            found |= {
                "implementation_verification": "Verified by the linked test cases.",
                "effectiveness_verification": "Residual risk re-estimated after testing.",
            }
        elif kind == "complaint":
            aware = self.day(-900, -1)
            found |= {"awareness_date": aware, "event_type": "malfunction"}
            roll = rng.random()
            if roll < 0.08:
                found |= {"mdr_reportable": "yes", "mdr_clock": "30_calendar_days"}
                late = rng.random() < 0.04
                if status != "open" or rng.random() < 0.5:
                    delay = rng.randint(31, 45) if late else rng.randint(5, 28)
                    submitted = dt.date.fromisoformat(aware) + dt.timedelta(days=delay)
                    found["mdr_submitted_on"] = min(submitted, self.today).isoformat()
                    found["mdr_report_number"] = f"MDR-{rng.randint(10_000, 99_999)}"
            elif roll < 0.95 or status == "closed":
                found |= {"mdr_reportable": "no", "mdr_decision_rationale": "No adverse event."}
            else:
                found["mdr_reportable"] = "undetermined"
        elif kind == "capa" and status in ("closed", "pending_closure"):
            outcome = self.pick([("effective", 96), ("not_effective", 2), ("pending", 2)])
            found |= {"effectiveness_outcome": outcome, "root_cause": "Input range unchecked."}
        elif kind == "change_request" and status == "closed":
            found["implemented_on"] = self.day(-700, -1)
        return found

    # -- the build ----------------------------------------------------------------------

    def build(self, keys: dict[str, list[str]]) -> int:
        """Records, links, lifecycles and revisions of the quality system; returns links."""
        self._claim(keys, [kind for kind, _, _ in SHAPE])
        for kind, share, least in QMS_SHAPE:
            if kind == "role":
                continue  # after the documents are in force (they name their versions)
            count = max(least, round(self.n * share))
            keys[kind] = self._create(kind, [self.fields(kind, i) for i in range(count)])
        self._link(self._qms_links(keys))
        self._advance_all(keys)
        self._revise(keys)
        self._releases(keys)
        self._training(keys)
        return self.links

    def _claim(self, keys: dict[str, list[str]], kinds: list[str]) -> None:
        made = [key for kind in kinds for key in keys[kind]]
        self.target.update(zip(made, self.pending, strict=True))
        self.pending = []

    def _create(self, kind: str, rows: list[dict[str, Any]]) -> list[str]:
        made: list[str] = []
        for start in range(0, len(rows), BATCH):
            batch = [NewRecord(kind, fields) for fields in rows[start : start + BATCH]]
            made += self.spine.records.create_many(ACTOR, batch, "synthetic benchmark data")
            self.progress("records", len(batch))
        self.target.update(zip(made, self.pending, strict=True))
        self.pending = []
        return made

    def _link(self, items: Iterator[NewLink]) -> None:
        for batch in _batches(items):
            self.links += self.spine.links.link_many(ACTOR, batch, "synthetic")
            self.progress("links", len(batch))

    def fields(self, kind: str, i: int) -> dict[str, Any]:
        """Field values of record `i` of a quality-system kind, consistent with its status."""
        rng = self.rng
        status = self.status_for(kind)
        self.pending.append(status)
        done = status in ("closed", "effective", "approved", "recorded", "released")
        title = f"{kind.replace('_', ' ').capitalize()} {i}"
        if kind == "document":
            doc_type = self.pick(DOCUMENT_TYPES)
            title = f"{doc_type.replace('_', ' ').title()} {i}: handling of process {i % 97}"
            if rng.random() < 0.03:
                title += rng.choice([" final", " v2", " copy", " (2)", " revised"])
            effective = self.day(-1500, -30)
            body = [f"{n}. Step {n} of process {i % 97}: record the result." for n in range(30)]
            if rng.random() < 0.1:
                for _ in range(rng.randint(1, 3)):
                    body[rng.randrange(len(body))] = rng.choice(SUPERSEDED)
            found: dict[str, Any] = {
                "title": title,
                "doc_number": f"DOC-{i:05d}",
                "document_type": doc_type,
                "revision": "A",
                "owner": "quality",
                "body": "\n".join(body),
                "training_required": doc_type in ("sop", "work_instruction"),
            }
            if status == "effective" and rng.random() < 0.97:
                due = dt.date.fromisoformat(effective) + dt.timedelta(days=730)
                if rng.random() < 0.05:
                    due = self.today - dt.timedelta(days=rng.randint(1, 200))
                found |= {"effective_date": effective, "next_review_due": due.isoformat()}
            return found
        if kind == "supplier":
            approval = self.pick(
                [("approved", 70), ("conditionally_approved", 10), ("pending", 15)]
            )
            found = {
                "title": f"Supplier {i}",
                "scope": "Components and services.",
                "supplier_type": rng.choice(["component", "software_vendor", "cloud_service"]),
                "criticality": rng.choice(["critical", "major", "minor"]),
                "approval_status": approval,
            }
            if approval != "pending" and rng.random() < 0.95:
                found |= {
                    "evaluation_method": "questionnaire",
                    "evaluation_date": self.day(-700, -30),
                    "reevaluation_due": self.day(-60, 700),
                }
            return found
        if kind == "sbom_component":
            return {
                "title": f"Component {i}",
                "name": f"lib{i}",
                "version": f"{rng.randint(0, 9)}.{rng.randint(0, 20)}",
                "support_level": self.pick([("maintained", 90), ("unmaintained", 10)]),
            }
        if kind == "threat":
            return {"title": title, "stride_category": "tampering", "asset": f"asset {i % 50}"}
        if kind == "security_risk":
            return {
                "title": title,
                "exploitability": rng.choice(["high", "moderate", "low"]),
                "impact": rng.choice(["high", "moderate", "low"]),
                "safety_impact": rng.random() < 0.3,
            }
        if kind == "validation":
            return {
                "title": title,
                "validation_type": "simulated_use",
                "product_configuration": "Release build",
                "outcome": self.pick([("pass", 95), ("fail", 5)]),
            }
        if kind == "dataset":
            return {
                "title": title,
                "purpose": rng.choice(["training", "test"]),
                "manifest_sha256": f"{i:064x}",
                "source": "Site registry",
            }
        if kind == "model_version":
            return {"title": title, "version_label": f"1.{i}", "weights_sha256": f"{i:064x}"}
        if kind == "validation_run":
            return {"title": title, "metrics": "AUC 0.93", "outcome": rng.choice(["pass", "fail"])}
        if kind == "release":
            return {"title": title, "version_label": f"{i}.0", "cyber_device": True}
        if kind == "vulnerability":
            found = {
                "title": title,
                "identifier": f"CVE-2026-{i:05d}",
                "discovered_on": self.day(-700, -1),
                "triage_state": "under_investigation",
            }
            if done or status == "investigating" or rng.random() < 0.5:
                found["triage_state"] = rng.choice(["affected", "not_affected", "fixed"])
            return found
        if kind == "audit":
            return {
                "title": title,
                "audit_type": "internal",
                "scope": "Design controls.",
                "lead_auditor": "auditor",
                "audit_date": self.day(-1000, -10),
            }
        if kind == "finding":
            return {"title": title, "classification": "minor", "statement": "Gap observed."}
        if kind == "nonconformance":
            return {
                "title": title,
                "description": "Out of tolerance.",
                "detected_on": self.day(-900, -1),
            }
        if kind == "management_review":
            start = self.today - dt.timedelta(days=183 * (i + 1))
            cyber = rng.random() < 0.5
            return {
                "title": title,
                "period_start": start.isoformat(),
                "period_end": (start + dt.timedelta(days=182)).isoformat(),
                "held_on": (start + dt.timedelta(days=190)).isoformat(),
                "inputs_summary": "Complaints, CAPA, audits"
                + (", cybersecurity metrics" if cyber else "")
                + ".",
            }
        if kind == "action":
            due = self.today + dt.timedelta(days=rng.randint(-500, 120))
            found = {"title": title, "owner": f"user{i % 300:04d}", "due_date": due.isoformat()}
            if status == "closed":
                late = rng.random() < 0.1
                completed = due + dt.timedelta(
                    days=rng.randint(1, 30) if late else -rng.randint(0, 30)
                )
                found["completed_on"] = min(completed, self.today).isoformat()
            return found
        raise AssertionError(kind)

    def _qms_links(self, keys: dict[str, list[str]]) -> Iterator[NewLink]:
        rng = self.rng

        def some(pool: list[str], count: int) -> list[str]:
            return rng.sample(pool, min(count, len(pool)))

        for key in keys["sbom_component"]:
            if rng.random() < 0.9:
                yield NewLink("supplied_by", key, rng.choice(keys["supplier"]))
        for key in keys["threat"]:
            for target in some(keys["security_risk"], rng.randint(1, 2)):
                yield NewLink("poses", key, target)
        for key in keys["security_risk"]:
            if rng.random() < 0.3:
                yield NewLink("may_cause", key, rng.choice(keys["hazardous_situation"]))
            if rng.random() < 0.85:
                yield NewLink("verifies", rng.choice(keys["test_case"]), key)
        for key in keys["validation"]:
            for target in some(keys["user_need"], 3):
                yield NewLink("validates", key, target)
        for key in keys["model_version"]:
            if rng.random() < 0.9:
                yield NewLink("trained_on", key, rng.choice(keys["dataset"]))
        for index, key in enumerate(keys["validation_run"]):
            yield NewLink(
                "evaluates", key, keys["model_version"][index % len(keys["model_version"])]
            )
            if rng.random() < 0.9:
                yield NewLink("uses_data", key, rng.choice(keys["dataset"]))
        for key in keys["vulnerability"]:
            for target in some(keys["sbom_component"], rng.randint(1, 2)):
                yield NewLink("affects", key, target)
        for key in keys["finding"]:
            if rng.random() < 0.95:
                yield NewLink("found_in", key, rng.choice(keys["audit"]))
        for key in keys["nonconformance"]:
            yield NewLink("concerns", key, rng.choice(keys["software_item"]))
        reviews = keys["management_review"]  # newest first
        for index, key in enumerate(reviews):
            if index + 1 < len(reviews) and rng.random() < 0.9:
                yield NewLink("follows_up", key, reviews[index + 1])
            inputs = ("complaint", "capa", "audit", "change_request", "vulnerability")
            for kind in inputs if rng.random() < 0.95 else ():
                for target in some(keys[kind], 5 if kind == "vulnerability" else 20):
                    yield NewLink("reviews", key, target)
        for key in keys["action"]:
            owner = self.pick([("capa", 60), ("management_review", 15), ("finding", 25)])
            yield NewLink("action_of", key, rng.choice(keys[owner]))
        yield from self._addresses(keys)

    def _addresses(self, keys: dict[str, list[str]]) -> Iterator[NewLink]:
        """Most MDR-reportable complaints get a CAPA that addresses them."""
        with read_connection(self.spine.context.engine) as connection:
            target = record.alias("target")
            reportable = set(
                connection.execute(
                    sa.select(record.c.key)
                    .join(version, version.c.record_id == record.c.id)
                    .where(
                        record.c.kind == "complaint",
                        version.c.fields["mdr_reportable"].as_string() == "yes",
                    )
                ).scalars()
            )
            taken = set(
                connection.execute(
                    sa.select(target.c.key)
                    .join(link, link.c.target_id == target.c.id)
                    .where(link.c.type == "addresses")
                ).scalars()
            )
        for key in sorted(reportable - taken):
            if self.rng.random() < 0.9:
                yield NewLink("addresses", self.rng.choice(keys["capa"]), key)

    # -- lifecycles ---------------------------------------------------------------------

    def _advance_all(self, keys: dict[str, list[str]]) -> None:
        by_goal: dict[tuple[str, str], list[str]] = {}
        for kind, made in keys.items():
            for key in made:
                goal = self.target.get(key)
                if goal is not None:
                    by_goal.setdefault((kind, goal), []).append(key)
        for (kind, goal), chosen in sorted(by_goal.items()):
            if goal != self.spine.profile.lifecycle_of(kind).initial:
                self.advance(kind, chosen, goal)

    def advance(self, kind: str, keys: Sequence[str], goal: str) -> None:
        """Move the latest version of each record to `goal` along the lifecycle, as signing
        and transitions would (signature rows, transitions, audit events), in batches."""
        lifecycle = self.spine.profile.lifecycle_of(kind)
        for start in range(0, len(keys), BATCH):
            chunk = keys[start : start + BATCH]
            with write_transaction(self.spine.context.engine) as connection:
                rows = (
                    connection.execute(
                        sa.select(record, version.c.fingerprint)
                        .join(
                            version,
                            sa.and_(
                                version.c.record_id == record.c.id,
                                version.c.number == record.c.latest_version,
                            ),
                        )
                        .where(record.c.key.in_(chunk))
                    )
                    .mappings()
                    .all()
                )
                events: list[NewEvent] = []
                first: dict[str, list[Any]] = {}
                for row in rows:
                    if row["latest_version"] == 1:  # nothing released before: in bulk
                        first.setdefault(row["status"], []).append(row)
                    else:  # a revision: older released versions are superseded one by one
                        path = _path(lifecycle, row["status"], goal)
                        events += self._move(connection, lifecycle, row, path)
                for status, same in first.items():
                    path = _path(lifecycle, status, goal)
                    events += self._bulk(connection, lifecycle, same, status, path)
                append(connection, self.spine.context.clock(), events)
            self.progress("transitions", len(chunk))

    def _bulk(
        self,
        connection: sa.Connection,
        lifecycle: LifecycleSpec,
        rows: list[Any],
        status: str,
        path: list[str],
    ) -> list[NewEvent]:
        """`_move` for many first versions at once: the same rows, one statement a step."""
        now = self.spine.context.clock()
        events: list[NewEvent] = []
        for to_status in path:
            step = lifecycle.transition(status, to_status)
            assert step is not None
            signed: list[int | None] = [None] * len(rows)
            meaning = step.signature
            if meaning is not None:
                bindings = [
                    signature_binding(
                        signer=self.signer,
                        printed_name=self.signer,
                        meaning=meaning,
                        at=now,
                        key=row["key"],
                        version=1,
                        fingerprint=row["fingerprint"],
                    )
                    for row in rows
                ]
                signed = list(
                    connection.execute(
                        signature.insert().returning(signature.c.id, sort_by_parameter_order=True),
                        [
                            {
                                "record_id": row["id"],
                                "version_number": 1,
                                "signer": self.signer,
                                "printed_name": self.signer,
                                "meaning": meaning,
                                "at": now,
                                "reason": "",
                                "fingerprint": row["fingerprint"],
                                "binding": binding,
                            }
                            for row, binding in zip(rows, bindings, strict=True)
                        ],
                    ).scalars()
                )
                events += [
                    NewEvent(
                        actor=self.signer,
                        action="signature.create",
                        subject=row["key"],
                        version=1,
                        reason="",
                        after=row["fingerprint"],
                        payload={
                            "meaning": meaning,
                            "printed_name": self.signer,
                            "signature": signature_id,
                            "binding": binding,
                        },
                    )
                    for row, signature_id, binding in zip(rows, signed, bindings, strict=True)
                ]
            actor = ACTOR if meaning is None else self.signer
            reason = "synthetic" if meaning is None else f"signed: {meaning}"
            connection.execute(
                version.update()
                .where(version.c.record_id == sa.bindparam("rid"), version.c.number == 1)
                .values(status=to_status),
                [{"rid": row["id"]} for row in rows],
            )
            connection.execute(
                transition.insert(),
                [
                    {
                        "record_id": row["id"],
                        "version_number": 1,
                        "from_status": status,
                        "to_status": to_status,
                        "at": now,
                        "by": actor,
                        "reason": reason,
                        "signature_id": signature_id,
                    }
                    for row, signature_id in zip(rows, signed, strict=True)
                ],
            )
            values: dict[str, Any] = {"status": to_status, "updated_at": now}
            if to_status in lifecycle.released_states:
                values["released_version"] = 1
            connection.execute(
                record.update().where(record.c.id == sa.bindparam("rid")).values(**values),
                [{"rid": row["id"]} for row in rows],
            )
            events += [
                NewEvent(
                    actor=actor,
                    action="record.transition",
                    subject=row["key"],
                    version=1,
                    reason=reason,
                    payload={"from": status, "to": to_status, "signature": signature_id},
                )
                for row, signature_id in zip(rows, signed, strict=True)
            ]
            status = to_status
        return events

    def _move(
        self, connection: sa.Connection, lifecycle: LifecycleSpec, row: Any, path: list[str]
    ) -> list[NewEvent]:
        now = self.spine.context.clock()
        events: list[NewEvent] = []
        status = row["status"]
        number = row["latest_version"]
        for to_status in path:
            step = lifecycle.transition(status, to_status)
            assert step is not None
            signed = None
            if step.signature is not None:
                binding = signature_binding(
                    signer=self.signer,
                    printed_name=self.signer,
                    meaning=step.signature,
                    at=now,
                    key=row["key"],
                    version=number,
                    fingerprint=row["fingerprint"],
                )
                signed = connection.execute(
                    signature.insert()
                    .returning(signature.c.id)
                    .values(
                        record_id=row["id"],
                        version_number=number,
                        signer=self.signer,
                        printed_name=self.signer,
                        meaning=step.signature,
                        at=now,
                        reason="",
                        fingerprint=row["fingerprint"],
                        binding=binding,
                    )
                ).scalar_one()
                events.append(
                    NewEvent(
                        actor=self.signer,
                        action="signature.create",
                        subject=row["key"],
                        version=number,
                        reason="",
                        after=row["fingerprint"],
                        payload={
                            "meaning": step.signature,
                            "printed_name": self.signer,
                            "signature": signed,
                            "binding": binding,
                        },
                    )
                )
            events += change_status(
                connection,
                lifecycle=lifecycle,
                row=row,
                number=number,
                from_status=status,
                to_status=to_status,
                actor=self.signer if signed else ACTOR,
                reason=f"signed: {step.signature}" if signed else "synthetic",
                at=now,
                signature_id=signed,
            )
            status = to_status
        return events

    # -- revisions, releases, training --------------------------------------------------

    def _revise(self, keys: dict[str, list[str]]) -> None:
        """Revise a few released records and release the revision (older versions are
        superseded; links reviewed against them turn suspect until confirmed)."""
        plan = [("requirement", 0.01, "approved"), ("test_case", 0.005, "approved")]
        plan += [("document", 0.25, "effective"), ("risk_control", 0.01, "approved")]
        for kind, share, released in plan:
            chosen = [k for k in keys[kind] if self.target.get(k) == released]
            chosen = self.rng.sample(chosen, round(len(chosen) * share))
            still: list[str] = []
            for key in chosen:
                changes: dict[str, Any] = (
                    {"revision": "B", "change_summary": "Periodic update."}
                    if kind == "document"
                    else {"title": f"{key} revised"}
                )
                self.spine.records.revise(ACTOR, key, changes, 1, "synthetic revision")
                if self.rng.random() < 0.05:
                    continue  # the revision is still being written
                still.append(key)
            self.progress("revisions", len(chosen))
            self.advance(kind, still, released)

    def _releases(self, keys: dict[str, list[str]]) -> None:
        """Each release: its SBOM, its design baseline, and the threat model and vulnerability
        management plan it was assessed against."""
        approved = [k for k in keys["requirement"] if self.target.get(k) == "approved"]
        plans = []
        for index in range(len(keys["release"])):
            for doc_type in ("threat_model", "vulnerability_management_plan"):
                plans.append(
                    {
                        "title": f"{doc_type.replace('_', ' ').title()} for release {index}",
                        "doc_number": f"{doc_type[:3].upper()}-{index:04d}",
                        "document_type": doc_type,
                        "effective_date": self.day(-400, -30),
                        "body": "Scope, assets, threats and controls.",
                    }
                )
                self.pending.append("effective" if self.rng.random() < 0.95 else "draft")
        made = self._create("document", plans)
        keys["document"] += made
        self.advance("document", [k for k in made if self.target[k] == "effective"], "effective")
        items: list[NewLink] = []
        for index, key in enumerate(keys["release"]):
            members = self.rng.sample(approved, min(50, len(approved)))
            for target in members:
                items.append(NewLink("baseline_of", key, target))
            items += [NewLink("baseline_of", key, made[2 * index + j]) for j in (0, 1)]
            for target in self.rng.sample(
                keys["sbom_component"], min(30, len(keys["sbom_component"]))
            ):
                items.append(NewLink("contains", key, target))
            baseline = self.spine.baselines.create(
                ACTOR, f"Design baseline of release {index}", keys=members
            )
            assert baseline.key is not None
            self.advance("baseline", [baseline.key], "approved")
            if self.rng.random() < 0.95:
                items.append(NewLink("design_baseline", key, baseline.key))
        self._link(iter(items))

    def _training(self, keys: dict[str, list[str]]) -> None:
        """Roles name holders and the procedures they need; training records show who was
        trained on which version (mostly the one in force, sometimes an older one)."""
        with read_connection(self.spine.context.engine) as connection:
            rows = connection.execute(
                sa.select(record.c.key, record.c.released_version, record.c.status)
                .join(version, version.c.record_id == record.c.id)
                .where(
                    record.c.kind == "document",
                    version.c.number == record.c.latest_version,
                    version.c.fields["document_type"].as_string().in_(["sop", "work_instruction"]),
                )
            ).all()
        procedures = [(key, number) for key, number, status in rows if number is not None]
        count = max(4, round(self.n * 0.0001))
        roles, needs = [], []
        for i in range(count):
            holders = [f"user{self.rng.randrange(300):04d}" for _ in range(self.rng.randint(4, 12))]
            required = self.rng.sample(procedures, min(len(procedures), self.rng.randint(8, 16)))
            needs.append((sorted(set(holders)), required))
            roles.append(
                {
                    "title": f"Role {i}",
                    "holders": sorted(set(holders)),
                    "required_documents": [key for key, _ in required],
                }
            )
            self.pending.append(self.status_for("role"))
        keys["role"] = self._create("role", roles)
        self._link(
            NewLink("requires_training", role, document)
            for role, (_, required) in zip(keys["role"], needs, strict=True)
            for document, _ in required
        )
        records = []
        for role, (holders, required) in zip(keys["role"], needs, strict=True):
            for holder in holders:
                for document, number in required:
                    roll = self.rng.random()
                    if roll > TRAINED + 0.06:
                        continue  # missing
                    trained = number if roll < TRAINED or number == 1 else number - 1
                    records.append(
                        {
                            "title": f"{holder} trained on {document} v{trained}",
                            "trainee": holder,
                            "document": document,
                            "document_version": trained,
                            "role": role,
                            "completed_on": self.day(-700, -1),
                        }
                    )
                    self.pending.append(self.status_for("training_record"))
        keys["training_record"] = self._create("training_record", records)
        self._link(
            NewLink("trains_on", key, fields["document"])
            for key, fields in zip(keys["training_record"], records, strict=True)
        )
        for kind in ("role", "training_record"):
            by_goal: dict[str, list[str]] = {}
            for key in keys[kind]:
                by_goal.setdefault(self.target[key], []).append(key)
            for goal, chosen in sorted(by_goal.items()):
                if goal != self.spine.profile.lifecycle_of(kind).initial:
                    self.advance(kind, chosen, goal)


def _path(lifecycle: LifecycleSpec, start: str, goal: str) -> list[str]:
    """The shortest run of statuses from `start` to `goal` (without `start`)."""
    seen = {start: [start]}
    queue = deque([start])
    while queue:
        status = queue.popleft()
        if status == goal:
            return seen[status][1:]
        for step in lifecycle.next_states(status):
            if step.to not in seen:
                seen[step.to] = [*seen[status], step.to]
                queue.append(step.to)
    raise ValueError(f"no way from {start} to {goal}")
