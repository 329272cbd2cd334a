"""Every readiness rule against a minimal failing and a minimal passing fixture.

One spine per backend (SQLite and PostgreSQL, as conftest's `spine`) holds the
fixtures of all rules side by side under different keys; it is checked once, and each rule's
test looks only at its own keys: each failing record has exactly one finding of the rule (with
the expected message), each passing record (the same thing made right) and each record
outside the rule's population has none. The clock is the test clock of `helpers`, so "today"
is 2 March 2026 for every date rule.

Two rules guard states the services refuse to produce (a CAPA closed without an effective
outcome, a document with two versions in force): their failing records are written through
a second spine on the same database whose profile lacks the CAPA closure checklist or the
document supersede step, as records kept under an older, looser profile would be.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qspine import Spine, load_profile, open_spine
from qspine.model.findings import Finding
from qspine.model.profile import LifecycleSpec, TransitionSpec, build_profile
from qspine.model.readiness import ReadinessReport
from qspine.model.rule_where import matches, parse_where
from qspine.profiles import _builtin_raw

import ai_scene
from helpers import PASSWORD, START, Clock, sample_fields, settings_for
from pg_server import PostgresServer

PROFILE = load_profile()
TODAY = START.date()  # 2026-03-02: the day of every check below
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
NEXT_YEAR = "2027-03-01"
AWARE_LONG_AGO = "2026-01-05"  # more than 30 days before TODAY
AWARE_LATELY = "2026-02-20"


@dataclass(frozen=True)
class Case:
    """A rule's fixture: each failing key with a fragment of its finding's message, the
    passing keys (the same records made right) and keys the rule must not select at all."""

    fails: dict[str, str]
    passes: tuple[str, ...]
    outside: tuple[str, ...] = ()


@dataclass(frozen=True)
class Past:
    """A record `rule` found as of a past instant and not now, or the other way round."""

    rule: str
    key: str
    found_then: bool
    found_now: bool


class Build:
    """Writes fixtures through the services: quinn authors, ada signs."""

    def __init__(self, spine: Spine, url: str, tmp: Path) -> None:
        self.spine = spine
        self.url = url
        self.tmp = tmp

    def new(self, kind: str, title: str = "Sample", **fields: Any) -> str:
        values = {**sample_fields(PROFILE, kind, title), **fields}
        return self.spine.records.create("quinn", kind, values).key

    def revise(self, key: str, **fields: Any) -> None:
        latest = self.spine.records.show(key).latest_version
        self.spine.records.revise("quinn", key, fields, latest, "test fixture")

    def link(self, type: str, source: str, target: str) -> None:
        self.spine.links.link("quinn", type, source, target)

    def to(self, status: str, *keys: str) -> None:
        """Walk each record along its lifecycle to `status` (signing where a step needs it)."""
        for key in keys:
            view = self.spine.records.show(key)
            number = view.latest_version
            for step in _path(self.spine.profile.lifecycle_of(view.kind), view.status, status):
                if step.signature is None:
                    self.spine.records.transition("quinn", key, step.to, number)
                else:
                    self.spine.signing.sign("ada", PASSWORD, key, step.signature, number)

    def mark(self) -> dt.datetime:
        clock = self.spine.context.clock
        assert isinstance(clock, Clock)
        return clock.mark()

    @contextmanager
    def legacy(self, loosen: Callable[[dict[str, Any]], None]) -> Iterator[Build]:
        """The same database opened under the qmsr profile as `loosen` changes it."""
        raw = _builtin_raw("qmsr")
        loosen(raw)
        profile = build_profile(raw, source="looser qmsr")
        older = open_spine(self.url, profile=profile, settings=settings_for(self.url, self.tmp))
        older.context.clock = self.spine.context.clock
        try:
            yield Build(older, self.url, self.tmp)
        finally:
            older.close()


def _path(lifecycle: LifecycleSpec, start: str, goal: str) -> list[TransitionSpec]:
    """The shortest walk of transitions from `start` to `goal`."""
    routes: dict[str, list[TransitionSpec]] = {start: []}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state == goal:
            return routes[state]
        for step in lifecycle.next_states(state):
            if step.to not in routes:
                routes[step.to] = [*routes[state], step]
                queue.append(step.to)
    raise AssertionError(f"no way from {start} to {goal}")


Builder = Callable[[Build], Case]
RULES: dict[str, Builder] = {}
Change = Callable[[Build], Iterator[Past]]
"""Sets a record up and yields what to expect of it; resumed after the past instant, it
changes the record (fixes it, or breaks it)."""
AS_OF: dict[str, Change] = {}


def rule(rule_id: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        assert rule_id not in RULES, rule_id
        RULES[rule_id] = builder
        return builder

    return register


def as_of(name: str) -> Callable[[Change], Change]:
    def register(change: Change) -> Change:
        assert name not in AS_OF, name
        AS_OF[name] = change
        return change

    return register


def no_link_from(link: str, kind: str) -> str:
    return f"no {link} link from {kind}"


def no_link_to(link: str, kind: str = "any record") -> str:
    return f"no {link} link to {kind}"


# ----- Design and development -------------------------------------------------------------


def _pair(b: Build, kind: str) -> tuple[str, str]:
    return b.new(kind, "Failing"), b.new(kind, "Passing")


@rule("DES-INP-001")
def _requirement_traces_to_a_need(b: Build) -> Case:
    bad, good = _pair(b, "requirement")
    b.link("derives_from", good, b.new("user_need"))
    b.to("approved", bad, good)
    return Case({bad: no_link_to("derives_from")}, (good,))


@rule("DES-VER-001")
def _requirement_is_verified(b: Build) -> Case:
    bad, good = _pair(b, "requirement")
    b.link("verifies", b.new("test_case"), good)
    b.to("approved", bad, good)
    draft = b.new("requirement", "Still a draft")  # not approved: not checked
    return Case({bad: no_link_from("verifies", "test_case")}, (good,), (draft,))


@rule("DES-VER-002")
def _test_case_has_a_recorded_pass(b: Build) -> Case:
    bad, good = _pair(b, "test_case")
    failed, unsigned = b.new("test_case", "Only failed"), b.new("test_case", "Pass not recorded")
    runs = {
        good: b.new("test_result", outcome="pass"),
        failed: b.new("test_result", outcome="fail"),
        unsigned: b.new("test_result", outcome="pass"),
    }
    for test, result in runs.items():
        b.link("result_of", result, test)
    b.to("recorded", runs[good], runs[failed])
    b.to("approved", bad, good, failed, unsigned)
    says = "no result_of link from test_result with status = recorded, outcome = pass"
    return Case({bad: says, failed: says, unsigned: says}, (good,))


@rule("DES-VAL-001")
def _need_is_validated(b: Build) -> Case:
    bad, good = _pair(b, "user_need")
    b.link("validates", b.new("validation"), good)
    b.to("approved", bad, good)
    return Case({bad: no_link_from("validates", "validation")}, (good,))


@rule("DES-IMP-001")
def _software_item_implements(b: Build) -> Case:
    bad, good = _pair(b, "software_item")
    b.link("implements", good, b.new("requirement"))
    b.to("approved", bad, good)
    return Case({bad: no_link_to("implements", "requirement")}, (good,))


@rule("TRC-SUS-001")
def _no_suspect_link_is_left(b: Build) -> Case:
    bad, good = b.new("test_case", "Not re-reviewed"), b.new("test_case", "Re-reviewed")
    changed, again = b.new("requirement"), b.new("requirement")
    b.link("verifies", bad, changed)
    b.link("verifies", good, again)
    b.to("approved", changed, again)
    for key in (changed, again):
        b.revise(key, title="Sharper")
        b.to("approved", key)
    b.spine.links.confirm("quinn", "verifies", good, again, reason="still verifies v2")
    return Case({bad: f"{bad} verifies {changed} was reviewed against v1"}, (good,))


# ----- Risk management and security -------------------------------------------------------


@rule("RISK-HAZ-001")
def _hazard_has_a_situation(b: Build) -> Case:
    bad, good = _pair(b, "hazard")
    b.link("causes", good, b.new("hazardous_situation"))
    b.to("approved", bad, good)
    return Case({bad: no_link_to("causes", "hazardous_situation")}, (good,))


@rule("RISK-HS-001")
def _situation_is_mitigated(b: Build) -> Case:
    bad, good = _pair(b, "hazardous_situation")
    b.link("mitigates", b.new("risk_control"), good)
    b.to("approved", bad, good)
    return Case({bad: no_link_from("mitigates", "risk_control")}, (good,))


@rule("RISK-HS-002")
def _situation_leads_to_harm(b: Build) -> Case:
    bad, good = _pair(b, "hazardous_situation")
    b.link("leads_to", good, b.new("harm"))
    b.to("approved", bad, good)
    return Case({bad: no_link_to("leads_to", "harm")}, (good,))


ESTIMATE = {"initial_probability": "remote", "initial_severity": "serious"}


@rule("RISK-EST-001")
def _situation_is_estimated(b: Build) -> Case:
    bad = b.new("hazardous_situation", "Not estimated")
    half = b.new("hazardous_situation", "Half estimated", **ESTIMATE)
    good = b.new("hazardous_situation", "Estimated", **ESTIMATE, initial_risk="acceptable")
    b.to("approved", bad, half, good)
    return Case(
        {
            bad: "not recorded: initial_probability, initial_severity, initial_risk",
            half: "not recorded: initial_risk",
        },
        (good,),
    )


RESIDUAL = {"residual_probability": "improbable", "residual_severity": "serious"}


@rule("RISK-ACC-001")
def _controlled_situation_has_residual_decision(b: Build) -> Case:
    bad = b.new("hazardous_situation", "No residual", initial_risk="unacceptable")
    good = b.new(
        "hazardous_situation",
        "Residual",
        initial_risk="unacceptable",
        **RESIDUAL,
        residual_risk="acceptable",
    )
    acceptable = b.new("hazardous_situation", "Acceptable at once", initial_risk="acceptable")
    b.to("approved", bad, good, acceptable)
    says = "not recorded: residual_probability, residual_severity, residual_risk"
    return Case({bad: says}, (good,), (acceptable,))


@rule("RISK-BEN-001")
def _unacceptable_residual_has_benefit_risk(b: Build) -> Case:
    bad = b.new("hazardous_situation", "Unjustified", residual_risk="unacceptable")
    good = b.new(
        "hazardous_situation",
        "Justified",
        residual_risk="unacceptable",
        benefit_risk="Earlier detection outweighs the residual risk.",
    )
    b.to("approved", bad, good)
    return Case({bad: "not recorded: benefit_risk"}, (good,))


@rule("RISK-CTL-001")
def _control_is_verified(b: Build) -> Case:
    bad, good = _pair(b, "risk_control")
    b.link("verifies", b.new("test_case"), good)
    b.to("approved", bad, good)
    return Case({bad: no_link_from("verifies", "test_case")}, (good,))


@rule("RISK-CTL-002")
def _control_is_specified(b: Build) -> Case:
    bad, good = _pair(b, "risk_control")
    b.link("specified_by", good, b.new("requirement"))
    b.to("approved", bad, good)
    return Case({bad: no_link_to("specified_by", "requirement")}, (good,))


@rule("RISK-CTL-003")
def _control_records_its_verifications(b: Build) -> Case:
    bad = b.new("risk_control", "Unverified")
    half = b.new("risk_control", "Implemented only", implementation_verification="TC-9 passed.")
    good = b.new(
        "risk_control",
        "Verified",
        implementation_verification="TC-9 passed.",
        effectiveness_verification="Usability study showed no missed alarm.",
    )
    b.to("approved", bad, half, good)
    return Case(
        {
            bad: "not recorded: implementation_verification, effectiveness_verification",
            half: "not recorded: effectiveness_verification",
        },
        (good,),
    )


@rule("SEC-THR-001")
def _security_risk_traces_to_a_threat(b: Build) -> Case:
    bad, good = _pair(b, "security_risk")
    b.link("poses", b.new("threat"), good)
    b.to("approved", bad, good)
    return Case({bad: no_link_from("poses", "threat")}, (good,))


@rule("SEC-VER-001")
def _security_risk_is_tested(b: Build) -> Case:
    bad, good = _pair(b, "security_risk")
    b.link("verifies", b.new("test_case", test_type="penetration"), good)
    b.to("approved", bad, good)
    return Case({bad: no_link_from("verifies", "test_case")}, (good,))


@rule("SEC-SAF-001")
def _security_risk_reaches_the_safety_file(b: Build) -> Case:
    bad = b.new("security_risk", "Unbridged", safety_impact=True)
    good = b.new("security_risk", "Bridged", safety_impact=True)
    harmless = b.new("security_risk", "No safety impact", safety_impact=False)
    b.link("may_cause", good, b.new("hazardous_situation"))
    b.to("approved", bad, good, harmless)
    return Case({bad: no_link_to("may_cause")}, (good,), (harmless,))


# ----- Release, SBOM and AI ---------------------------------------------------------------


def _releases(b: Build, *titles: str, cyber: bool = True) -> list[str]:
    return [b.new("release", title, cyber_device=cyber) for title in titles]


@rule("REL-SBOM-001")
def _cyber_release_has_an_sbom(b: Build) -> Case:
    bad, good = _releases(b, "No SBOM", "With SBOM")
    (plain,) = _releases(b, "Not a cyber device", cyber=False)
    b.link("contains", good, b.new("sbom_component"))
    b.to("released", bad, good, plain)
    return Case({bad: no_link_to("contains", "sbom_component")}, (good,), (plain,))


@rule("REL-BASE-001")
def _release_records_its_baseline(b: Build) -> Case:
    bad, good = _releases(b, "No baseline", "Baselined")
    requirement = b.new("requirement")
    b.to("approved", requirement)
    b.link("baseline_of", good, requirement)
    b.to("released", bad, good)
    return Case({bad: no_link_to("baseline_of", "requirement")}, (good,))


@rule("REL-BASE-002")
def _release_has_an_approved_design_baseline(b: Build) -> Case:
    bad, draft, good = _releases(b, "No design baseline", "Draft baseline", "Approved baseline")
    requirement = b.new("requirement")
    b.to("approved", requirement)
    unsigned, signed = (
        b.spine.baselines.create("quinn", title, keys=[requirement]).key
        for title in ("Unsigned baseline", "Signed baseline")
    )
    assert unsigned is not None and signed is not None
    b.to("approved", signed)
    b.link("design_baseline", draft, unsigned)
    b.link("design_baseline", good, signed)
    b.to("released", bad, draft, good)
    says = no_link_to("design_baseline", "baseline with status = approved")
    return Case({bad: says, draft: says}, (good,))


def _release_document_rule(b: Build, document_type: str) -> Case:
    bad, not_in_force, wrong_type, good = _releases(
        b, "Without", "Approved only", "Other document", "With"
    )
    in_force = b.new("document", document_type=document_type)
    pending = b.new("document", document_type=document_type)
    procedure = b.new("document", document_type="sop")
    b.to("effective", in_force, procedure)
    b.to("approved", pending)
    b.link("baseline_of", good, in_force)
    b.link("baseline_of", not_in_force, pending)
    b.link("baseline_of", wrong_type, procedure)
    b.to("released", bad, not_in_force, wrong_type, good)
    says = no_link_to(
        "baseline_of", f"document with document_type = {document_type}, status = effective"
    )
    return Case({bad: says, not_in_force: says, wrong_type: says}, (good,))


@rule("REL-THR-001")
def _cyber_release_has_a_threat_model(b: Build) -> Case:
    return _release_document_rule(b, "threat_model")


@rule("REL-VMP-001")
def _cyber_release_has_a_vulnerability_plan(b: Build) -> Case:
    return _release_document_rule(b, "vulnerability_management_plan")


@rule("SBOM-SUP-001")
def _component_has_a_supplier(b: Build) -> Case:
    bad, good = _pair(b, "sbom_component")
    b.link("supplied_by", good, b.new("supplier"))
    b.to("approved", bad, good)
    return Case({bad: no_link_to("supplied_by", "supplier")}, (good,))


@rule("AI-DATA-001")
def _model_records_its_training_data(b: Build) -> Case:
    bad, good = _pair(b, "model_version")
    b.link("trained_on", good, b.new("dataset"))
    b.to("approved", bad, good)
    return Case({bad: no_link_to("trained_on", "dataset")}, (good,))


@rule("AI-VAL-001")
def _model_has_a_passing_validation(b: Build) -> Case:
    bad, good = _pair(b, "model_version")
    failed = b.new("model_version", "Failed its validation")
    passing = b.new("validation_run", outcome="pass")
    failing = b.new("validation_run", outcome="fail")
    b.link("evaluates", passing, good)
    b.link("evaluates", failing, failed)
    b.to("recorded", passing, failing)
    b.to("approved", bad, good, failed)
    says = no_link_from("evaluates", "validation_run with status = recorded, outcome = pass")
    return Case({bad: says, failed: says}, (good,))


@rule("AI-REL-001")
def _released_model_is_reproducible(b: Build) -> Case:
    good = ai_scene.ready_model(b.spine, b.tmp / "released-good")
    drifted = ai_scene.ready_model(b.spine, b.tmp / "released-drifted")
    for ready in (good, drifted):
        b.spine.signing.sign("quinn", PASSWORD, ready.model, "released", 1, "gate passed")
    rows = ai_scene.dataset_rows()
    rows[0] = (rows[0][0], rows[0][1], 1)  # the pinned data changed after the release
    ai_scene.write_dataset(drifted.data, rows)
    assert b.spine.validation.rerun("dana", drifted.run).verdict == "not_reproduced"
    unreleased = ai_scene.ready_model(b.spine, b.tmp / "approved-only", rerun=False)
    return Case(
        {drifted.model: f"{drifted.run}: latest rerun not reproduced"},
        (good.model,),
        (unreleased.model,),
    )


@rule("AI-PCC-001")
def _model_stays_inside_its_pccp(b: Build) -> Case:
    base = ai_scene.ready_model(b.spine, b.tmp / "pccp-base")
    b.spine.signing.sign("quinn", PASSWORD, base.model, "released", 1, "gate passed")
    refit = b.new("pccp_modification", "Re-fit", envelope="may change: weights_sha256")
    retune = b.new("pccp_modification", "Re-tune", envelope="may change: decision_threshold")
    b.to("approved", refit, retune)
    models = {}
    for name, plan in (("inside", refit), ("outside", retune)):
        weights = b.tmp / f"pccp-{name}.json"
        weights.write_text('{"w": 5.5, "b": 0.0}')
        models[name] = b.spine.models.register(  # the base's system with new weights
            "dana",
            weights=weights,
            title=f"Detector 1.1 {name}",
            version_label="1.1",
            preprocessing=(str(b.tmp / "pccp-base" / "repo"), "src/pre.py", ""),
            decision_threshold=0.5,
            configuration={"fail": False, "seed": 7},
            packages=["sqlalchemy"],
            fields={"intended_use": "Flag cases for review."},
        ).key
        b.link("implements_modification", models[name], plan)
        b.link("modifies_model", models[name], base.model)
        b.to("approved", models[name])
    return Case({models["outside"]: "weights_sha256 changed"}, (models["inside"],), (base.model,))


@rule("AI-LIN-001")
def _training_data_has_lineage(b: Build) -> Case:
    manifest = b.spine.blobs.add("quinn", _manifest_file(b.tmp)).sha256
    source = b.new("dataset", "Source set", license="CC BY 4.0", manifest=manifest)
    unlicensed = b.new("dataset", "Source set without licence", manifest=manifest)
    derived = b.new("dataset", "Split", manifest=manifest, transformation="70% stratified split")
    untold = b.new("dataset", "Split without its transformation", manifest=manifest)
    unused = b.new("dataset", "Not used for training")
    for dataset in (derived, untold):
        b.link("derived_from_dataset", dataset, source)
    model = b.new("model_version", "Trained model")
    for dataset in (source, unlicensed, derived, untold):
        b.link("trained_on", model, dataset)
    return Case(
        {
            unlicensed: "source dataset without license",
            untold: "derived dataset without transformation",
        },
        (source, derived),
        (unused,),
    )


def _manifest_file(tmp: Path) -> Path:
    path = tmp / "manifest.json"
    path.write_text('{"format": "qspine-dataset-manifest/1", "files": []}\n')
    return path


@rule("AI-DATA-002")
def _validation_names_its_pinned_dataset(b: Build) -> Case:
    bad, unpinned, good = (b.new("validation_run", outcome="pass") for _ in range(3))
    failed = b.new("validation_run", outcome="fail")
    pinned, proposed = b.new("dataset", "Pinned"), b.new("dataset", "Proposed")
    b.to("approved", pinned)
    b.link("uses_data", good, pinned)
    b.link("uses_data", unpinned, proposed)
    b.to("recorded", bad, unpinned, good, failed)
    says = no_link_to("uses_data", "dataset with status = approved")
    return Case({bad: says, unpinned: says}, (good,), (failed,))


# ----- Complaints, CAPA, changes, audits --------------------------------------------------


@rule("CMP-MDR-001")
def _complaint_is_decided_within_30_days(b: Build) -> Case:
    day_31 = (TODAY - dt.timedelta(days=31)).isoformat()
    day_30 = (TODAY - dt.timedelta(days=30)).isoformat()
    bad = b.new("complaint", "Undecided", awareness_date=day_31, mdr_reportable="undetermined")
    good = b.new(
        "complaint",
        "Decided",
        awareness_date=AWARE_LONG_AGO,
        mdr_reportable="no",
        mdr_decided_on="2026-01-10",
        mdr_decision_rationale="No injury possible.",
    )
    in_time = b.new("complaint", "Day 30", awareness_date=day_30, mdr_reportable="undetermined")
    cancelled = b.new(
        "complaint", "Duplicate", awareness_date=AWARE_LONG_AGO, mdr_reportable="undetermined"
    )
    b.to("cancelled", cancelled)
    says = f"aware since {day_31}; reportability still undetermined"
    return Case({bad: says}, (), (good, in_time, cancelled))


@rule("CMP-MDR-002")
def _reportable_complaint_is_reported_in_time(b: Build) -> Case:
    reportable = {"mdr_reportable": "yes", "awareness_date": AWARE_LONG_AGO}
    bad = b.new("complaint", "Not reported", **reportable)
    late = b.new("complaint", "Reported late", **reportable, mdr_submitted_on="2026-02-20")
    good = b.new(
        "complaint",
        "Reported",
        **reportable,
        mdr_submitted_on="2026-01-20",
        mdr_report_number="3001234567-2026-00001",
    )
    excused = b.new(
        "complaint",
        "Late, with reason",
        **reportable,
        mdr_submitted_on="2026-02-20",
        late_mdr_justification="Awareness was logged late; SOP-003 retrained.",
    )
    return Case(
        {
            bad: "MDR due 2026-02-04 under 30 calendar days (21 CFR 803.50); not submitted",
            late: "MDR due 2026-02-04 under 30 calendar days (21 CFR 803.50); submitted 2026-02-20",
        },
        (good, excused),
    )


@rule("CMP-CAPA-001")
def _reportable_complaint_has_a_capa(b: Build) -> Case:
    bad = b.new("complaint", "No CAPA", mdr_reportable="yes")
    good = b.new("complaint", "With CAPA", mdr_reportable="yes")
    minor = b.new("complaint", "Not reportable", mdr_reportable="no")
    b.link("addresses", b.new("capa"), good)
    return Case({bad: no_link_from("addresses", "capa")}, (good,), (minor,))


@rule("CAPA-RISK-001")
def _effective_capa_assessed_risk(b: Build) -> Case:
    bad = b.new("capa", "Unassessed", effectiveness_outcome="effective")
    good = b.new("capa", "Assessed", effectiveness_outcome="effective")
    pending = b.new("capa", "Effectiveness pending", effectiveness_outcome="pending")
    b.link("assesses_risk", good, b.new("hazard"))
    return Case({bad: no_link_to("assesses_risk")}, (good,), (pending,))


def _without_capa_checklist(raw: dict[str, Any]) -> None:
    raw["kinds"]["capa"].pop("guards")


@rule("CAPA-EFF-001")
def _closed_capa_was_effective(b: Build) -> Case:
    with b.legacy(_without_capa_checklist) as older:
        bad = older.new("capa", "Closed ineffective", effectiveness_outcome="not_effective")
        unknown = older.new("capa", "Closed unchecked")
        good = older.new("capa", "Closed effective", effectiveness_outcome="effective")
        older.to("closed", bad, unknown, good)
    still_open = b.new("capa", "Open", effectiveness_outcome="not_effective")
    return Case(
        {
            bad: "closed with effectiveness outcome not_effective",
            unknown: "closed with effectiveness outcome (not set)",
        },
        (),
        (good, still_open),
    )


@rule("CHG-IMP-001")
def _closed_change_names_what_it_changed(b: Build) -> Case:
    changed = b.new("user_need", "Changed need")
    b.to("approved", changed)
    bad, good = b.new("change_request", "Link removed"), b.new("change_request", "Linked")
    b.link("changes", bad, changed)
    b.link("changes", good, changed)
    b.revise(changed, title="Changed need, sharper")
    b.to("approved", changed)
    b.to("closed", bad, good)
    b.spine.links.unlink("quinn", "changes", bad, changed, "entered on the wrong change")
    return Case({bad: no_link_to("changes")}, (good,))


@rule("AUD-FND-001")
def _finding_names_its_audit(b: Build) -> Case:
    bad, good = b.new("finding", "Orphan"), b.new("finding", "Found in an audit")
    b.link("found_in", good, b.new("audit"))
    return Case({bad: no_link_to("found_in", "audit")}, (good,))


@rule("ACT-DUE-001")
def _no_action_is_overdue(b: Build) -> Case:
    bad = b.new("action", "Overdue", due_date=YESTERDAY)
    started = b.new("action", "Overdue, started", due_date="2026-02-01")
    good = b.new(
        "action",
        "Done in time",
        due_date=YESTERDAY,
        completed_on="2026-02-27",
        completion_evidence="SOP-005 rev G issued.",
    )
    due_today = b.new("action", "Due today", due_date=TODAY.isoformat())
    b.to("investigating", started)
    b.to("closed", good)
    return Case(
        {
            bad: f"due {YESTERDAY}, still open (owner sample text)",
            started: "due 2026-02-01, still investigating",
        },
        (),
        (good, due_today),
    )


# ----- Management review ------------------------------------------------------------------

MINUTES = {
    "period_start": "2025-07-01",
    "period_end": "2025-12-31",
    "held_on": "2026-01-20",
    "decisions": "Hire a second auditor.",
    "qms_effectiveness_conclusion": "Effective.",
}


@rule("MR-INP-001")
def _closed_review_records_its_inputs(b: Build) -> Case:
    bad = b.new("management_review", "No inputs", **MINUTES)
    good = b.new("management_review", "With inputs", **MINUTES)
    b.link("reviews", good, b.new("complaint"))
    b.to("closed", bad, good)
    return Case({bad: no_link_to("reviews")}, (good,))


@rule("MR-CYB-001")
def _review_considers_cybersecurity(b: Build) -> Case:
    bad = b.new("management_review", "Silent on cyber", **MINUTES)
    good = b.new("management_review", "Vulnerabilities presented", **MINUTES)
    metrics = b.new(
        "management_review",
        "Cyber metrics",
        **MINUTES,
        inputs_summary="Time to patch: 12 days median.",
    )
    still_open = b.new("management_review", "Not yet held", **MINUTES)
    b.link("reviews", good, b.new("vulnerability"))
    b.to("pending_closure", bad, good, metrics)
    says = "no vulnerability reviewed and no cybersecurity metrics in its inputs"
    return Case({bad: says}, (good, metrics), (still_open,))


@rule("MR-FUP-001")
def _review_follows_up_the_previous_one(b: Build) -> Case:
    first = b.new("management_review", "First", **{**MINUTES, "held_on": "2024-01-15"})
    good = b.new("management_review", "Second", **{**MINUTES, "held_on": "2024-07-15"})
    bad = b.new("management_review", "Third", **{**MINUTES, "held_on": "2026-02-15"})
    planned = b.new("management_review", "Not yet held", period_start="2026-01-01")
    b.link("follows_up", good, first)
    b.link("follows_up", bad, first)  # follows up a review, but not the one before it
    # The latest review held is `bad`; one not yet held comes after it, never before `first`.
    return Case(
        {bad: "no follows_up link to MR-", planned: f"no follows_up link to {bad}"},
        (good,),
        (first,),
    )


# ----- Suppliers, vulnerabilities ---------------------------------------------------------

EVALUATION = {"evaluation_method": "questionnaire", "evaluation_date": "2025-03-01"}


@rule("SUP-EVAL-001")
def _supplier_is_reevaluated_in_time(b: Build) -> Case:
    bad = b.new(
        "supplier", "Lapsed", approval_status="approved", **EVALUATION, reevaluation_due=YESTERDAY
    )
    good = b.new(
        "supplier", "Current", approval_status="approved", **EVALUATION, reevaluation_due=NEXT_YEAR
    )
    pending = b.new(
        "supplier", "Not approved", approval_status="pending", reevaluation_due="2025-01-01"
    )
    conditional = b.new(
        "supplier",
        "Conditional, lapsed",
        approval_status="conditionally_approved",
        **EVALUATION,
        reevaluation_due="2026-01-01",
    )
    return Case(
        {
            bad: f"approved; re-evaluation was due {YESTERDAY}",
            conditional: "conditionally_approved; re-evaluation was due 2026-01-01",
        },
        (),
        (good, pending),
    )


@rule("SUP-EVAL-002")
def _approved_supplier_records_its_evaluation(b: Build) -> Case:
    bad = b.new("supplier", "Unevaluated", approval_status="approved")
    good = b.new(
        "supplier",
        "Evaluated",
        approval_status="approved",
        **EVALUATION,
        reevaluation_due=NEXT_YEAR,
    )
    b.to("approved", good)  # the approval checklist accepts it, too
    pending = b.new("supplier", "Pending")
    says = "not recorded: evaluation_method, evaluation_date, reevaluation_due"
    return Case({bad: says}, (good,), (pending,))


@rule("SBOM-EOS-001")
def _component_is_supported(b: Build) -> Case:
    bad = b.new("sbom_component", "Past", end_of_support=AWARE_LONG_AGO)
    good = b.new("sbom_component", "Supported", end_of_support="2030-01-01")
    unknown = b.new("sbom_component", "No date")
    retired = b.new("sbom_component", "Replaced", end_of_support=AWARE_LONG_AGO)
    b.to("retired", retired)
    return Case({bad: f"support ended {AWARE_LONG_AGO}"}, (), (good, unknown, retired))


@rule("VUL-TRI-001")
def _vulnerability_is_triaged_in_time(b: Build) -> Case:
    bad = b.new("vulnerability", "Untriaged", discovered_on=AWARE_LONG_AGO)
    good = b.new(
        "vulnerability",
        "Triaged",
        discovered_on=AWARE_LONG_AGO,
        triage_state="not_affected",
        vex_justification="component_not_present",
    )
    recent = b.new("vulnerability", "Recent", discovered_on=AWARE_LATELY)
    withdrawn = b.new("vulnerability", "Raised in error", discovered_on=AWARE_LONG_AGO)
    b.to("cancelled", withdrawn)
    says = f"discovered {AWARE_LONG_AGO}; triage state under_investigation"
    return Case({bad: says}, (), (good, recent, withdrawn))


# ----- Documents and training -------------------------------------------------------------

IN_FORCE = {"effective_date": "2026-02-02", "next_review_due": "2028-02-01"}


def _in_force(b: Build, title: str = "Complaint handling", **fields: Any) -> str:
    key = b.new("document", title, **{**IN_FORCE, **fields})
    b.to("effective", key)
    return key


@rule("DOC-DATE-001")
def _document_records_its_effective_date(b: Build) -> Case:
    bad = b.new("document", "Undated")
    b.to("effective", bad)
    good = _in_force(b)
    undated_draft = b.new("document", "Undated draft")
    return Case({bad: "not recorded: effective_date"}, (good,), (undated_draft,))


@rule("DOC-REV-001")
def _document_is_reviewed_in_time(b: Build) -> Case:
    bad = _in_force(b, next_review_due=YESTERDAY)
    good = _in_force(b, next_review_due=NEXT_YEAR)
    due_today = _in_force(b, next_review_due=TODAY.isoformat())
    not_issued = b.new("document", next_review_due=YESTERDAY)
    b.to("approved", not_issued)
    return Case({bad: f"periodic review was due {YESTERDAY}"}, (), (good, due_today, not_issued))


def _without_supersede(raw: dict[str, Any]) -> None:
    raw["lifecycles"]["document"].pop("supersede")


@rule("DOC-EFF-001")
def _document_has_one_effective_version(b: Build) -> Case:
    with b.legacy(_without_supersede) as older:
        bad = _in_force(older, "Two in force")
        older.revise(bad, change_summary="Rev B.")
        older.to("effective", bad)
    good = _in_force(b, "One in force")
    b.revise(good, change_summary="Rev B.")
    b.to("effective", good)
    return Case({bad: "versions v1, v2 are all in force"}, (good,))


@rule("DOC-NAME-001")
def _document_has_a_controlled_name(b: Build) -> Case:
    bad = _in_force(b, "Complaint handling_final (2)")
    good = _in_force(b, "Complaint handling")
    working = b.new("document", "Complaint handling copy")
    # A draft revision does not take the version in force out of use: still found.
    revising = _in_force(b, "Labeling control final")
    b.revise(revising, title="Labeling control")
    # Once the renamed revision is in force, the old one is superseded: it passes.
    renamed = _in_force(b, "Calibration final")
    b.revise(renamed, title="Calibration")
    b.to("effective", renamed)
    withdrawn = _in_force(b, "Old process copy")
    b.to("obsolete", withdrawn)
    fails = {bad: "carries working-copy words: final, (2)", revising: "'Labeling control final'"}
    return Case(fails, (good, renamed), (working, withdrawn))


@rule("DOC-REF-001")
def _document_cites_the_qmsr(b: Build) -> Case:
    bad = _in_force(b, body="Keep the records in the design history file.")
    good = _in_force(b, body="Keep the records in the design and development file.")
    report = _in_force(
        b,
        "2025 design review report",
        document_type="report",
        effective_date="2025-06-01",
        body="Filed in the DHF.",
    )
    says = "body line 1, column"
    return Case({bad: says}, (good,), (report,))


@rule("TRN-ROLE-001")
def _role_names_its_training(b: Build) -> Case:
    bad, good = _pair(b, "role")
    b.link("requires_training", good, _in_force(b))
    b.to("approved", bad, good)
    return Case({bad: no_link_to("requires_training", "document")}, (good,))


@rule("TRN-CUR-001")
def _holders_are_trained_on_the_version_in_force(b: Build) -> Case:
    procedure, revised = _in_force(b, "Complaint handling"), _in_force(b, "CAPA process")
    untrained = b.new("role", "Untrained", holders=["hal"], required_documents=[procedure])
    trained = b.new("role", "Trained", holders=["ida"], required_documents=[procedure])
    outdated = b.new("role", "Outdated", holders=["jon"], required_documents=[revised])
    for trainee, document in (("ida", procedure), ("jon", revised)):
        record = b.new(
            "training_record",
            trainee=trainee,
            document=document,
            document_version=1,
            completed_on="2026-02-10",
        )
        b.to("recorded", record)
    b.revise(revised, change_summary="Rev B.")
    b.to("effective", revised)
    b.to("approved", untrained, trained, outdated)
    return Case(
        {
            untrained: f"requires training on {procedure} v1; no training record for hal",
            outdated: f"requires training on {revised} v2; jon was trained on v1",
        },
        (trained,),
    )


# ----- As of a past instant ---------------------------------------------------------------


@as_of("a requirement verified later")
def _verified_later(b: Build) -> Iterator[Past]:
    requirement = b.new("requirement", "Verified later")
    b.to("approved", requirement)
    yield Past("DES-VER-001", requirement, found_then=True, found_now=False)
    b.link("verifies", b.new("test_case"), requirement)


@as_of("an overdue action closed later")
def _closed_later(b: Build) -> Iterator[Past]:
    action = b.new("action", "Closed late", due_date="2026-02-20")
    yield Past("ACT-DUE-001", action, found_then=True, found_now=False)
    b.revise(action, completed_on="2026-03-02", completion_evidence="Done.")
    b.to("closed", action)


@as_of("a working-copy title renamed in a new revision")
def _renamed_later(b: Build) -> Iterator[Past]:
    document = _in_force(b, "Handling latest")
    yield Past("DOC-NAME-001", document, found_then=True, found_now=False)
    b.revise(document, title="Handling")
    b.to("effective", document)


@as_of("a suspect link confirmed later")
def _confirmed_later(b: Build) -> Iterator[Past]:
    test, requirement = b.new("test_case", "Re-reviewed later"), b.new("requirement")
    b.link("verifies", test, requirement)
    b.to("approved", requirement)
    b.revise(requirement, title="Sharper")
    b.to("approved", requirement)
    yield Past("TRC-SUS-001", test, found_then=True, found_now=False)
    b.spine.links.confirm("quinn", "verifies", test, requirement, reason="still verifies v2")


@as_of("a closed change whose link was removed later")
def _unlinked_later(b: Build) -> Iterator[Past]:
    changed = b.new("user_need", "Changed need")
    b.to("approved", changed)
    change = b.new("change_request", "Unlinked later")
    b.link("changes", change, changed)
    b.revise(changed, title="Changed need, sharper")
    b.to("approved", changed)
    b.to("closed", change)
    yield Past("CHG-IMP-001", change, found_then=False, found_now=True)
    b.spine.links.unlink("quinn", "changes", change, changed, "entered on the wrong change")


# ----- The spines and the tests -----------------------------------------------------------


@dataclass(frozen=True)
class World:
    spine: Spine
    report: ReadinessReport  # now
    then: ReadinessReport  # as of the instant between the AS_OF set-ups and their changes
    last: ReadinessReport  # as of an instant after the last write: the same as now
    cases: dict[str, Case]
    past: dict[str, Past]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Every rule's fixtures in one spine on each backend (as conftest's `spine`), checked once."""
    tmp = tmp_path_factory.mktemp(f"rules-{request.param}")
    server: PostgresServer | None = None
    name = "t_" + uuid.uuid4().hex[:16]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'spine.db'}"
    else:
        server = request.getfixturevalue("postgres")
        url = server.create_database(name)
    spine = open_spine(url, settings=settings_for(url, tmp))
    try:
        spine.users.add("bootstrap", "ada", "Ada Lovelace", PASSWORD, ["admin"])
        spine.users.add("ada", "quinn", "Quinn Quality", PASSWORD, ["qa_ra_lead"])
        spine.users.add("ada", "vic", "Vic Viewer", PASSWORD, ["viewer"])
        spine.context.clock = Clock()
        build = Build(spine, url, tmp)
        cases = {rule_id: make(build) for rule_id, make in RULES.items()}
        changes = {title: make(build) for title, make in AS_OF.items()}
        past = {title: next(change) for title, change in changes.items()}
        instant = build.mark()
        for change in changes.values():
            assert next(change, None) is None
        vic = spine.users.get("vic")
        last = spine.readiness.check(vic, as_of=build.mark().isoformat(), record_run=False)
        report = spine.readiness.check(vic, record_run=False)
        then = spine.readiness.check(vic, as_of=instant.isoformat(), record_run=False)
        yield World(spine, report, then, last, cases, past)
    finally:
        spine.close()
        if server is not None:
            server.drop_database(name)


def findings_of(report: ReadinessReport, rule_id: str) -> dict[str, list[Finding]]:
    (result,) = [r for r in report.results if r.rule.id == rule_id]
    found: dict[str, list[Finding]] = {}
    for finding in result.findings:
        found.setdefault(finding.subject, []).append(finding)
    return found


def test_every_rule_has_a_failing_and_a_passing_fixture(world: World) -> None:
    """A rule added to the profile or a pack without a case here fails this test."""
    assert set(RULES) == {info.id for info in world.spine.readiness.rules()}
    assert all(case.fails for case in world.cases.values())
    assert all(case.passes or case.outside for case in world.cases.values())


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_finds_the_failing_record_and_not_the_passing_one(world: World, rule_id: str) -> None:
    case = world.cases[rule_id]
    found = findings_of(world.report, rule_id)
    (result,) = [r for r in world.report.results if r.rule.id == rule_id]
    for key, says in case.fails.items():
        assert len(found.get(key, [])) == 1, (key, found.get(key))
        (finding,) = found[key]
        assert (finding.rule, finding.subject, finding.severity) == (
            rule_id,
            key,
            result.rule.severity,
        )
        assert says in finding.message, finding.message
        assert finding.kind == world.spine.records.show(key).kind
    for key in case.passes + case.outside:
        assert key not in found, found[key]
    spec = world.spine.profile.rules.get(rule_id)
    if spec is not None and not spec.flag:  # the passing records are checked, not skipped
        predicates, _ = parse_where(spec.where)
        for key in case.passes:
            view = world.spine.records.show(key)
            assert matches(predicates, view.status, view.version.fields, TODAY), key
        for key in case.outside:
            view = world.spine.records.show(key)
            assert not matches(predicates, view.status, view.version.fields, TODAY), key


@pytest.mark.parametrize("name", sorted(AS_OF))
def test_as_of_a_past_instant(world: World, name: str) -> None:
    """A record fixed (or broken) after an instant is judged as it stood then."""
    past = world.past[name]
    assert (past.key in findings_of(world.then, past.rule)) is past.found_then
    assert (past.key in findings_of(world.report, past.rule)) is past.found_now


def test_as_of_after_the_last_write_every_rule_finds_what_it_finds_now(world: World) -> None:
    """The state rebuilt from versions, transitions, link history and stamps agrees with the
    live derived columns, for every rule's fixtures."""

    def seen(report: ReadinessReport) -> dict[str, tuple[int, set[tuple[str, str, str]]]]:
        return {
            r.rule.id: (r.checked, {(f.subject, f.occurrence, f.message) for f in r.findings})
            for r in report.results
        }

    assert seen(world.last) == seen(world.report)
