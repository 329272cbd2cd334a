"""The release gate of a model version, as data and words (ADR 0015 point 5).

A gate report lists one condition per thing that must hold before a model version is
released: a QSpine-executed validation run of the current version, approved dataset versions,
every criterion met (and still the criteria the requirements state), a reproduced rerun, and
the required signatures. Each condition says in words why it holds or not and carries the
evidence (keys, versions, execution ids, signers) that met it; the report recorded at release
is this document as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qspine.model.errors import InvalidInput
from qspine.model.metric_criteria import judged_text

RUN, DATASETS, CRITERIA, RERUN, SIGNATURES = (
    "validation_run",
    "datasets",
    "criteria",
    "rerun",
    "signatures",
)
TITLES: dict[str, str] = {
    RUN: "A recorded, QSpine-executed, passing validation run evaluates the current version",
    DATASETS: "The run used approved dataset versions, none of them suspect",
    CRITERIA: "Every criterion met, and they are the criteria the requirements state now",
    RERUN: "The run's latest rerun reproduced it",
    SIGNATURES: "Reviewed by a data scientist and approved by a QA/RA lead",
}
ORDER = (RUN, DATASETS, CRITERIA, RERUN, SIGNATURES)


@dataclass(frozen=True)
class GateCondition:
    """One condition of the gate: whether it holds, why, and the evidence behind it."""

    name: str
    ok: bool
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return TITLES.get(self.name, self.name)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "evidence": self.evidence}


@dataclass(frozen=True)
class GateReport:
    """Every condition of the release gate for one model version."""

    key: str
    version: int
    fingerprint: str
    conditions: tuple[GateCondition, ...]

    @property
    def passed(self) -> bool:
        return bool(self.conditions) and all(c.ok for c in self.conditions)

    @property
    def problems(self) -> list[str]:
        """The failed conditions' details, as the guard refuses with them."""
        return [c.detail for c in self.conditions if not c.ok]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "version": self.version,
            "fingerprint": self.fingerprint,
            "passed": self.passed,
            "conditions": [c.to_json() for c in self.conditions],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GateReport:
        """A report as recorded; InvalidInput when the document is not one."""
        try:
            return cls(
                key=str(data["key"]),
                version=int(data["version"]),
                fingerprint=str(data.get("fingerprint", "")),
                conditions=tuple(
                    GateCondition(
                        name=str(c["name"]),
                        ok=bool(c["ok"]),
                        detail=str(c["detail"]),
                        evidence=dict(c.get("evidence") or {}),
                    )
                    for c in data["conditions"]
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(f"release gate report: malformed ({error})") from error


def criteria_changes(
    judged: Iterable[tuple[str, str]], required: Iterable[tuple[str, str]]
) -> list[str]:
    """How the criteria (text, requirement) a run judged differ from those required now."""
    was, now = set(judged), set(required)
    lines = [
        f"{source or 'a requirement'} now requires '{text}', which the run did not judge"
        for text, source in sorted(now - was, key=lambda item: (item[1], item[0]))
    ]
    lines += [
        f"the run judged '{text}' ({source or 'typed'}), which no requirement states now"
        for text, source in sorted(was - now, key=lambda item: (item[1], item[0]))
    ]
    return lines


def unmet(judgements: Iterable[Mapping[str, Any]]) -> list[str]:
    """Each judgement that did not pass, in words."""
    lines = []
    for judgement in judgements:
        if judgement.get("passed") is True:
            continue
        measured, criterion = judgement.get("measured"), str(judgement.get("criterion", "?"))
        value = (
            "not measured"
            if measured is None
            else f"measured {judged_text(criterion, float(measured))}"
        )
        source = f" ({judgement['source']})" if judgement.get("source") else ""
        lines.append(f"'{criterion}'{source} not met: {value}")
    return lines


def short(digest: str) -> str:
    return digest[:12] if digest else "(none)"
