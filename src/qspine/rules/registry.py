"""Rule packs as plugins: Python rules with their metadata, found through pluggy.

A pack is a module (or object) that implements the `qspine_rule_packs` hook and is named
under the `qspine.rule_packs` entry-point group in its distribution's metadata::

    [project.entry-points."qspine.rule_packs"]
    acme = "acme_qms.rules"

QSpine's own `qmsr` pack is the first such plugin. The declarative rules of the profile
join the pack they name (`pack: qmsr` unless they say otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module

import pluggy

from qspine.model.errors import InvalidInput
from qspine.model.findings import Finding, RuleInfo
from qspine.rules.facts import FactRecord, Facts

GROUP = "qspine.rule_packs"
BUILT_IN = {"qmsr": "qspine.rules.qmsr"}
"""Entry-point name -> module: registered even when the package metadata is stale."""

hookspec = pluggy.HookspecMarker("qspine")
hookimpl = pluggy.HookimplMarker("qspine")

Outcome = tuple[int, Iterable[Finding]]
"""How many records a rule checked, and what it found."""


@dataclass(frozen=True)
class PythonRule:
    """A rule that needs more than a declarative has/lacks: metadata plus a check."""

    info: RuleInfo
    check: Callable[[Facts], Outcome]

    def finding(
        self,
        subject: FactRecord,
        message: str,
        occurrence: str = "",
        related: tuple[str, ...] = (),
    ) -> Finding:
        info = self.info
        return Finding(
            info.id, info.severity, subject.key, subject.kind, message, occurrence, related
        )


@dataclass(frozen=True)
class RulePack:
    """A named set of Python rules."""

    name: str
    title: str
    rules: tuple[PythonRule, ...]


def rule(
    id: str,
    title: str,
    clauses: tuple[str, ...],
    every: str,
    severity: str = "major",
    rationale: str = "",
    remedy: str = "",
    pack: str = "qmsr",
) -> Callable[[Callable[[PythonRule, Facts], Outcome]], PythonRule]:
    """Make a PythonRule of a function `(rule, facts) -> (checked, findings)`."""

    def wrap(function: Callable[[PythonRule, Facts], Outcome]) -> PythonRule:
        where = f"Python: {function.__module__}.{function.__qualname__}"
        info = RuleInfo(id, title, clauses, severity, pack, every, rationale, remedy, logic=where)
        made: PythonRule

        def check(facts: Facts) -> Outcome:
            return function(made, facts)

        made = PythonRule(info, check)
        return made

    return wrap


class _Spec:
    @hookspec
    def qspine_rule_packs(self) -> list[RulePack]:  # type: ignore[empty-body]
        """The rule packs a plugin offers."""


def load_packs() -> dict[str, RulePack]:
    """Every installed rule pack by name: the built-in ones, then entry-point plugins."""
    manager = pluggy.PluginManager("qspine")
    manager.add_hookspecs(_Spec)
    for name, module in BUILT_IN.items():
        manager.register(import_module(module), name=name)
    manager.load_setuptools_entrypoints(GROUP)  # skips names already registered
    packs: dict[str, RulePack] = {}
    for offered in manager.hook.qspine_rule_packs():
        for pack in offered:
            if pack.name in packs:
                raise InvalidInput(f"rule pack '{pack.name}' is installed twice")
            packs[pack.name] = pack
    return packs
