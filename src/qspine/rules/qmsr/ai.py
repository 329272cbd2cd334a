"""Rules of clinical AI evidence (ADR 0015): released models stand on reproducible passing
validation on pinned data, and the data models are trained on has its lineage recorded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from qspine.model.errors import InvalidInput
from qspine.model.findings import Finding
from qspine.model.pccp_envelope import ModelFacts, check, metrics_in, parse_envelope
from qspine.rules.facts import FactExecution, FactLink, FactRecord, Facts
from qspine.rules.registry import Outcome, PythonRule, rule


@rule(
    "AI-REL-001",
    "A released model version stands on a reproducible passing validation on pinned data",
    (
        "FDA PCCP Guidance 2025",
        "GMLP 2021 principle 8",
        "GMLP 2021 principle 9",
        "ISO 13485:2016 7.3.6",
        "ISO 13485:2016 7.3.7",
    ),
    every="model_version",
    severity="blocking",
    rationale="The evidence for the model running in the field must be reproducible for that "
    "exact version: a validation run QSpine executed on approved, pinned dataset versions, "
    "passing every criterion, whose latest rerun gave the same metrics and outputs.",
    remedy="Run the validation with `qspine validation run` on the approved test dataset, "
    "rerun it (`qspine validation rerun`), record it (verified signature), and release the "
    "model version through its release gate.",
)
def released_model_evidence(self: PythonRule, facts: Facts) -> Outcome:
    released = [m for m in facts.records("model_version") if m.status == "released"]
    if not released:
        return 0, []
    runs = {r.key: r for r in facts.records("validation_run")}
    datasets = {d.key: d for d in facts.records("dataset")}
    data_of: dict[str, list[FactLink]] = defaultdict(list)
    for used in facts.links("uses_data"):
        data_of[used.source].append(used)
    evaluated_by: dict[str, list[FactLink]] = defaultdict(list)
    for evaluates in facts.links("evaluates"):
        evaluated_by[evaluates.target].append(evaluates)
    reruns = _latest_reruns(facts.executions())
    found = []
    for model in released:
        reasons = []
        for evaluates in evaluated_by.get(model.key, []):
            run = runs.get(evaluates.source)
            if run is None:
                continue
            why = _run_gaps(run, evaluates, model, data_of[run.key], datasets, reruns)
            if not why:
                break
            reasons.append(f"{run.key}: " + "; ".join(why))
        else:
            message = f"released v{model.number} has no reproducible passing validation"
            found.append(_finding(self, model, message, reasons))
    return len(released), found


def _run_gaps(
    run: FactRecord,
    evaluates: FactLink,
    model: FactRecord,
    data: list[FactLink],
    datasets: dict[str, FactRecord],
    reruns: dict[tuple[str, int], str],
) -> list[str]:
    gaps = []
    if evaluates.target_version != model.number:
        gaps.append(f"evaluated v{evaluates.target_version}, not v{model.number}")
    if run.status != "recorded" or run.fields.get("outcome") != "pass":
        gaps.append(f"{run.status}, outcome {run.fields.get('outcome') or 'none'}")
    if not run.fields.get("run_record"):
        gaps.append("not executed by QSpine (no run record)")
    if not data:
        gaps.append("names no dataset (uses_data)")
    for used in data:
        dataset = datasets.get(used.target)
        if dataset is None or dataset.released != used.target_version:
            gaps.append(f"{used.target} v{used.target_version} is not an approved version")
    verdict = reruns.get((run.key, run.number))
    if verdict != "reproduced":
        gaps.append(f"latest rerun {verdict.replace('_', ' ')}" if verdict else "never rerun")
    return gaps


def _latest_reruns(executions: Sequence[FactExecution]) -> dict[tuple[str, int], str]:
    latest: dict[tuple[str, int], str] = {}
    for execution in executions:  # oldest first: the last one wins
        if execution.purpose == "rerun":
            latest[(execution.run, execution.version)] = execution.verdict
    return latest


@rule(
    "AI-LIN-001",
    "The data a model is trained on has its lineage recorded",
    (
        "GMLP 2021 principle 3",
        "GMLP 2021 principle 4",
        "FDA PCCP Guidance 2025",
        "ISO 13485:2016 7.3.3",
    ),
    every="dataset",
    severity="major",
    rationale="Training data must be traceable to its origin: a derived dataset names the "
    "datasets it was produced from and the transformation; a source dataset names where it "
    "came from, its licence and its manifest.",
    remedy="Register the dataset with `qspine dataset register` (manifest), link it with "
    "derived_from_dataset and record the transformation, or record the source and licence of "
    "a source dataset.",
)
def training_lineage(self: PythonRule, facts: Facts) -> Outcome:
    trains = {link.target for link in facts.links("trained_on")}
    if not trains:
        return 0, []
    parents: dict[str, list[str]] = defaultdict(list)
    for derived in facts.links("derived_from_dataset"):
        parents[derived.source].append(derived.target)
    checked = [d for d in facts.records("dataset") if d.key in trains]
    found = []
    for dataset in checked:
        fields = dataset.fields
        if parents.get(dataset.key):
            missing = [] if fields.get("transformation") else ["transformation"]
        else:
            missing = [f for f in ("source", "license") if not fields.get(f)]
        if not fields.get("manifest"):
            missing.append("manifest")
        if missing:
            what = "derived dataset" if parents.get(dataset.key) else "source dataset"
            message = f"trains a model; {what} without {', '.join(missing)}"
            found.append(self.finding(dataset, message, related=tuple(parents[dataset.key])))
    return len(checked), found


def _finding(self: PythonRule, model: FactRecord, message: str, reasons: list[str]) -> Finding:
    detail = f"{message}: " + " | ".join(reasons) if reasons else f"{message}: no run evaluates it"
    return self.finding(model, detail)


@rule(
    "AI-PCC-001",
    "An approved or released model version made under a PCCP stays inside its envelope",
    ("FDA PCCP Guidance 2025", "ISO 13485:2016 7.3.9", "21 CFR 820.10(c)"),
    every="model_version",
    severity="blocking",
    rationale="A PCCP authorises only the modifications it describes, inside the bounds of "
    "its modification protocol; a version outside them needs a new marketing submission.",
    remedy="Bring the model version inside the envelope of the modifications it implements "
    "(qspine pccp check), or assess it as a change outside the PCCP (change request and "
    "regulatory pathway).",
)
def pccp_envelope(self: PythonRule, facts: Facts) -> Outcome:
    """Reads what `qspine pccp check` reads (services/pccp.py): each modification's approved
    version (else its current one), the base at the version modifies_model pins, the training
    datasets at the versions trained_on pins, and the metrics of the newest recorded passing
    run of the model's current version."""
    models = {m.key: m for m in facts.records("model_version")}
    out = {
        name: _out_links(facts, name)
        for name in ("implements_modification", "modifies_model", "trained_on")
    }
    checked = [
        m
        for m in models.values()
        if m.status in ("approved", "released") and out["implements_modification"].get(m.key)
    ]
    if not checked:
        return 0, []
    plans = _modification_versions(facts)
    released = {m.key: m for m in facts.records("model_version", released=True)}
    parents: dict[str, set[str]] = defaultdict(set)
    for derived in facts.links("derived_from_dataset"):
        parents[derived.source].add(derived.target)
    metrics_of = _validated_metrics(facts)
    found = []
    for model in checked:
        bases = out["modifies_model"].get(model.key, [])
        if len({b.target for b in bases}) != 1:
            found.append(self.finding(model, "names no single authorised base (modifies_model)"))
            continue
        base = _pinned_base(bases[0], released, models)
        new = _model_facts(model, out["trained_on"])
        old = _model_facts(base, out["trained_on"])
        lineage = {key: _ancestors(key, parents) for key in new.training_data}
        envelopes = {}
        for key in sorted({p.target for p in out["implements_modification"][model.key]}):
            try:
                envelopes[key] = parse_envelope(str(plans[key].fields.get("envelope") or ""))
            except (InvalidInput, KeyError):
                found.append(self.finding(model, f"{key}: its envelope cannot be read"))
        metrics = metrics_of.get((model.key, model.number))
        for key, envelope in envelopes.items():
            others = {k: e.allowed for k, e in envelopes.items() if k != key}
            verdict = check(envelope, old, new, metrics, lineage, others)
            if not verdict.within:
                message = f"outside {key}: " + "; ".join(verdict.findings)
                found.append(self.finding(model, message, related=(key, base.key)))
    return len(checked), found


def _out_links(facts: Facts, link_type: str) -> dict[str, list[FactLink]]:
    found: dict[str, list[FactLink]] = defaultdict(list)
    for each in facts.links(link_type):
        found[each.source].append(each)
    return found


def _modification_versions(facts: Facts) -> dict[str, FactRecord]:
    """Each planned modification at its approved version, else at its current version."""
    released_states = facts.profile.lifecycle_of("pccp_modification").released_states
    states = facts.version_states("pccp_modification")
    found = {p.key: p for p in facts.records("pccp_modification")}
    for plan in facts.records("pccp_modification", released=True):
        if states.get(plan.key, {}).get(plan.number) in released_states:
            found[plan.key] = plan
    return found


def _pinned_base(
    link: FactLink, released: dict[str, FactRecord], current: dict[str, FactRecord]
) -> FactRecord:
    """The base at the version the modifies_model link pins, when that is its released or
    its current version (the only versions Facts reads); else its released version."""
    candidates = [released.get(link.target), current.get(link.target)]
    for candidate in candidates:
        if candidate is not None and candidate.number == link.target_version:
            return candidate
    return released.get(link.target) or current[link.target]


def _model_facts(model: FactRecord, trained: dict[str, list[FactLink]]) -> ModelFacts:
    links = trained.get(model.key, [])
    return ModelFacts(
        model.key,
        model.number,
        model.fields,
        frozenset(t.target for t in links),
        frozenset(f"{t.target} v{t.target_version}" for t in links),
    )


def _ancestors(key: str, parents: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [key]
    while todo:
        for parent in parents.get(todo.pop(), set()) - seen:
            seen.add(parent)
            todo.append(parent)
    return seen


def _validated_metrics(facts: Facts) -> dict[tuple[str, int], dict[str, float]]:
    """(model, version) -> the metrics the PCCP check uses (services/pccp_reads.py): of the
    newest recorded passing run evaluating that version whose run record, else whose report
    (an MLflow import keeps the logged metrics there), holds a `metrics` object."""
    runs = facts.records("validation_run")
    newest_first = {r.key: index for index, r in enumerate(reversed(runs))}
    by_key = {r.key: r for r in runs}
    evaluating: dict[tuple[str, int], list[FactRecord]] = defaultdict(list)
    for evaluates in facts.links("evaluates"):
        run = by_key.get(evaluates.source)
        if run is not None and run.status == "recorded" and run.fields.get("outcome") == "pass":
            evaluating[(evaluates.target, evaluates.target_version)].append(run)
    found = {}
    for model, candidates in evaluating.items():
        for run in sorted(candidates, key=lambda r: newest_first[r.key]):
            metrics = _run_metrics(facts, run)
            if metrics is not None:
                found[model] = metrics
                break
    return found


def _run_metrics(facts: Facts, run: FactRecord) -> dict[str, float] | None:
    """The numeric `metrics` of the run's run record, else of its report, as
    validation_reads.run_metrics reads them."""
    for name in ("run_record", "report"):
        digest = run.fields.get(name)
        document = facts.json_blob(digest) if isinstance(digest, str) and digest else None
        metrics = metrics_in(document)
        if metrics is not None:
            return metrics
    return None
