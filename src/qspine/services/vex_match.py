"""Which vulnerability records of a release a VEX document's statements decide, and the rules
every triage decision obeys (typed in or imported).

A statement applies to a vulnerability record when one of its identifiers (id or alias) is
the record's identifier or an alias, and one of its products is something the record affects
in this release: a contained component (same purl; else the same purl without qualifiers and
subpath; else the same bom-ref) or the release itself (its key, or its product name and version
label). Statements that match nothing are reported, never errors.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from qspine.formats.vex import (
    JUSTIFICATIONS,
    STATES,
    VexDocument,
    VexProduct,
    VexStatement,
    purl_core,
)
from qspine.services.vex_reads import ReleaseScope, Vulnerability


@dataclass(frozen=True)
class Decision:
    """A triage decision an import will sign."""

    key: str  # the vulnerability record
    identifier: str
    state: str
    justification: str | None
    detail: str
    action: str
    statement: int  # 1-based position in the document
    products: tuple[str, ...]  # the records of the release it was matched on


@dataclass(frozen=True)
class Skipped:
    statement: int
    vulnerability: str
    reason: str


@dataclass
class Plan:
    decisions: list[Decision] = field(default_factory=list)
    unchanged: list[Skipped] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    outside: list[Skipped] = field(default_factory=list)  # products not in the release
    agreed: list[Decision] = field(default_factory=list)
    """Statements the record already says (listed in `unchanged`): they still count when
    other statements about the same vulnerability disagree with them."""


def decision_problem(state: str, justification: str | None, detail: str, remediation: str) -> str:
    """Why a triage decision cannot be made as stated, or "" (CISA Minimum Requirements for
    VEX: not_affected needs a justification, affected a statement of what to do)."""
    if state not in STATES:
        return f"triage state '{state}' is not one of {', '.join(STATES)}"
    if justification is not None and justification not in JUSTIFICATIONS:
        return f"VEX justification '{justification}' is not one of {', '.join(JUSTIFICATIONS)}"
    if state == "not_affected" and justification is None:
        return f"a not_affected decision needs a VEX justification ({', '.join(JUSTIFICATIONS)})"
    if state != "not_affected" and justification is not None:
        return f"a VEX justification belongs to not_affected decisions, not {state}"
    if state in ("affected", "fixed") and not (detail.strip() or remediation.strip()):
        article = "an" if state == "affected" else "a"
        return f"{article} {state} decision needs a detail or remediation text"
    return ""


def plan_import(document: VexDocument, scope: ReleaseScope, closed: Collection[str]) -> Plan:
    """The decisions `document` makes for the vulnerabilities of `scope`; vulnerability records
    in a `closed` status are reported, not changed."""
    index: dict[str, list[Vulnerability]] = {}
    for vulnerability in scope.vulnerabilities:
        for name in vulnerability.identifiers:
            if name:
                index.setdefault(name.upper(), []).append(vulnerability)
    finder = _Targets(scope)
    plan = Plan()
    for number, statement in enumerate(document.statements, start=1):
        label = statement.vulnerability
        hits: set[str] = set()
        for product in statement.products:
            found = finder.keys_of(product)
            if not found:
                plan.outside.append(Skipped(number, label, f"{product.id} is not in {scope.key}"))
            hits |= found
        by_key = {v.key: v for name in statement.identifiers for v in index.get(name.upper(), [])}
        candidates = list(by_key)
        if not statement.products:
            plan.skipped.append(Skipped(number, label, "the statement names no product"))
            continue
        if not candidates:
            plan.skipped.append(
                Skipped(number, label, f"no vulnerability of {scope.key} is known by this id")
            )
            continue
        if not hits:
            plan.skipped.append(
                Skipped(number, label, f"none of the products it names is in {scope.key}")
            )
            continue
        matched = False
        for key in candidates:
            vulnerability = by_key[key]
            mine = sorted({t.key for t in vulnerability.targets} & hits)
            if not mine:
                continue
            matched = True
            _decide(plan, number, _said(statement), vulnerability, tuple(mine), closed)
        if not matched:
            plan.skipped.append(
                Skipped(
                    number,
                    label,
                    f"{', '.join(candidates)} affect(s) none of the products it names",
                )
            )
    _drop_conflicts(plan)
    return plan


@dataclass(frozen=True)
class _Said:
    identifier: str
    state: str
    justification: str | None
    detail: str
    action: str


def _said(statement: VexStatement) -> _Said:
    justification = statement.justification if statement.state == "not_affected" else None
    return _Said(
        statement.vulnerability,
        statement.state,
        justification,
        statement.detail.strip(),
        statement.action.strip(),
    )


def _decide(
    plan: Plan,
    number: int,
    said: _Said,
    vulnerability: Vulnerability,
    products: tuple[str, ...],
    closed: Collection[str],
) -> None:
    label = said.identifier
    if vulnerability.status in closed:
        plan.skipped.append(
            Skipped(number, label, f"{vulnerability.key} is {vulnerability.status}: not changed")
        )
        return
    problem = decision_problem(said.state, said.justification, said.detail, said.action)
    if problem:
        plan.skipped.append(Skipped(number, label, f"{vulnerability.key}: {problem}"))
        return
    current = vulnerability.fields
    decision = Decision(
        key=vulnerability.key,
        identifier=str(current.get("identifier", label)),
        state=said.state,
        justification=said.justification,
        detail=said.detail,
        action=said.action,
        statement=number,
        products=products,
    )
    if (
        current.get("triage_state") == said.state
        and current.get("vex_justification") == said.justification
        and (current.get("justification") or "") == said.detail
        and (not said.action or current.get("remediation") == said.action)
    ):
        plan.unchanged.append(Skipped(number, label, f"{vulnerability.key} already says so"))
        plan.agreed.append(decision)
        return
    plan.decisions.append(decision)


def _drop_conflicts(plan: Plan) -> None:
    """One decision per vulnerability: statements that agree count once; statements that
    disagree (say, affected for one product and not_affected for another, or one repeating
    the record's current decision and one changing it) are all reported and none applied,
    since the record holds one triage state for the product."""
    groups: dict[str, list[Decision]] = {}
    for decision in plan.decisions:
        groups.setdefault(decision.key, []).append(decision)
    agreed: dict[str, list[Decision]] = {}
    for decision in plan.agreed:
        agreed.setdefault(decision.key, []).append(decision)
    kept = []
    conflicting: set[tuple[int, str]] = set()
    for key, changing in groups.items():
        said = {_what(d) for d in changing}
        repeated = agreed.get(key, [])
        if len(said) == 1 and all(_agrees(d, changing[0]) for d in repeated):
            kept.append(changing[0])
            continue
        decisions = sorted([*changing, *repeated], key=lambda d: d.statement)
        conflicting |= {(d.statement, d.key) for d in decisions}
        numbers = ", ".join(str(d.statement) for d in decisions)
        for decision in decisions:
            plan.skipped.append(
                Skipped(
                    decision.statement,
                    decision.identifier,
                    f"{key}: statements {numbers} disagree about it; none applied",
                )
            )
    plan.decisions = kept
    plan.unchanged = [
        item
        for item, decision in zip(plan.unchanged, plan.agreed, strict=True)
        if (decision.statement, decision.key) not in conflicting
    ]


def _what(decision: Decision) -> tuple[str, str | None, str, str]:
    return (decision.state, decision.justification, decision.detail, decision.action)


def _agrees(repeated: Decision, decision: Decision) -> bool:
    """A statement repeating the record's decision agrees with a change that says the same
    (it may leave the action out: the record's remediation stands)."""
    return _what(repeated)[:3] == _what(decision)[:3] and repeated.action in ("", decision.action)


class _Targets:
    """The records of a release a VEX product names."""

    def __init__(self, scope: ReleaseScope) -> None:
        self.scope = scope
        self.exact: dict[str, list[int]] = {}
        self.core: dict[str, list[int]] = {}
        for position, component in enumerate(scope.components):
            purl = str(component.fields.get("purl") or "")
            ref = str(component.fields.get("bom_ref") or "")
            for name in {purl, ref} - {""}:
                self.exact.setdefault(name, []).append(position)
            if purl.startswith("pkg:"):
                self.core.setdefault(purl_core(purl), []).append(position)
        release = scope.fields
        self.names = {str(release.get(name) or "").casefold() for name in ("product", "title")} - {
            ""
        }
        self.label = str(release.get("version_label") or "")

    def keys_of(self, product: VexProduct) -> set[str]:
        names = {product.purl, product.bom_ref, product.id, *product.subcomponents} - {""}
        positions = {p for name in names for p in self.exact.get(name, ())}
        if not positions:
            positions = {
                p
                for name in names
                if name.startswith("pkg:")
                for p in self.core.get(purl_core(name), ())
            }
        found = {
            self.scope.components[p].key
            for p in positions
            if product.covers(self.scope.components[p].version)
        }
        if self._is_release(product, names):
            found.add(self.scope.key)
        return found

    def _is_release(self, product: VexProduct, names: set[str]) -> bool:
        if self.scope.key in names:
            return True
        if not {n.casefold() for n in (product.name, *names) if n} & self.names:
            return False
        if product.version and product.version != self.label:
            return False
        return product.covers(self.label)
