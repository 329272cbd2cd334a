"""PCCP envelope checks: is a model version inside the planned modification it implements?
(ADR 0015 point 7)

A model version that `implements_modification` a pccp_modification and `modifies_model` its
authorised base is compared with the base at the version that link pins, against the
modification's envelope (its current approved version, else its current version, and the
report says which), with the metrics of the model's latest recorded passing validation run
and the lineage of its training datasets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import InvalidInput
from qspine.model.pccp_envelope import EnvelopeCheck, ModelFacts, check, parse_envelope
from qspine.services.context import SpineContext
from qspine.services.lifecycle import load_version
from qspine.services.monitoring_reads import model_row
from qspine.services.pccp_reads import (
    ValidatedMetrics,
    active_targets,
    ancestors,
    sources_of,
    validated_metrics,
)
from qspine.services.users import User, UserService
from qspine.store.blobs import BlobStore
from qspine.store.engine import read_connection
from qspine.store.schema import record

NOT_UNDER_PCCP = "not under a PCCP"


@dataclass(frozen=True)
class ModificationRef:
    """The pccp_modification version an envelope was read from, and why that one."""

    key: str
    title: str
    version: int
    status: str
    which: str  # 'current approved version' or 'current version (none approved)'
    pccp_version: str
    modification_id: str
    envelope: str


@dataclass(frozen=True)
class PccpCheck:
    """One model version checked against one modification."""

    modification: ModificationRef
    base: str  # 'MV-1 v2', or '' when the model names no base
    check: EnvelopeCheck
    validation: str  # the run whose metrics were used, or why none


@dataclass(frozen=True)
class PccpReport:
    """The PCCP verdict for a model version: within only when under a PCCP and inside every
    modification it implements."""

    model: str
    version: int
    title: str
    status: str
    under_pccp: bool
    checks: list[PccpCheck] = field(default_factory=list)
    message: str = ""

    @property
    def within(self) -> bool:
        return self.under_pccp and all(c.check.within for c in self.checks)


@dataclass(frozen=True)
class ModelUnder:
    """A model version made under a modification, with its verdict."""

    key: str
    title: str
    status: str
    within: bool
    findings: int


@dataclass(frozen=True)
class ModificationSummary:
    """A planned modification with its envelope and the model versions made under it."""

    modification: ModificationRef
    models: list[ModelUnder]
    problem: str = ""


class PccpService:
    """Check model versions against their PCCP planned modification's envelope."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users
        self._blobs = BlobStore(context.blob_dir)

    def check(self, user: User, model_key: str) -> PccpReport:
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            return self._report(connection, model_row(connection, model_key))

    def modifications(self, user: User) -> list[ModificationSummary]:
        """Every pccp_modification, oldest first, with the model versions under each."""
        self._users.permits(user, "read")
        found = []
        with read_connection(self._context.engine) as connection:
            rows = connection.execute(
                sa.select(record).where(record.c.kind == "pccp_modification").order_by(record.c.id)
            ).mappings()
            for row in list(rows):
                reference = self._modification(connection, row)
                problem = _envelope_problem(reference)
                models = []
                for model in sources_of(connection, row["id"], "implements_modification"):
                    report = self._report(connection, model)
                    findings = sum(len(c.check.findings) for c in report.checks)
                    models.append(
                        ModelUnder(
                            model["key"], model["title"], model["status"], report.within, findings
                        )
                    )
                found.append(ModificationSummary(reference, models, problem))
        return found

    def _report(self, connection: Connection, row: RowMapping) -> PccpReport:
        fields = load_version(connection, row["id"], row["latest_version"])["fields"]
        new = ModelFacts(row["key"], row["latest_version"], fields, *_training(connection, row))
        heading = (row["key"], row["latest_version"], row["title"], row["status"])
        plans = active_targets(connection, row["id"], "implements_modification")
        if not plans:
            message = (
                f"{row['key']} is {NOT_UNDER_PCCP}: it implements no PCCP planned modification "
                "(no implements_modification link)"
            )
            return PccpReport(*heading, under_pccp=False, message=message)
        bases = active_targets(connection, row["id"], "modifies_model")
        metrics = validated_metrics(connection, self._blobs, row)
        lineage = {key: ancestors(connection, key) for key in sorted(new.training_data)}
        modifications = [self._modification(connection, plan) for plan, _ in plans]
        allows = {m.key: _allowed(m) for m in modifications}
        checks = [
            _check_one(
                connection,
                modification,
                bases,
                new,
                metrics,
                lineage,
                {k: v for k, v in allows.items() if k != modification.key},
            )
            for modification in modifications
        ]
        return PccpReport(*heading, under_pccp=True, checks=checks)

    def _modification(self, connection: Connection, row: RowMapping) -> ModificationRef:
        """The modification's current approved version if any, else its current version."""
        released = self._context.profile.lifecycle_of("pccp_modification").released_states
        number = row["released_version"] or row["latest_version"]
        version = load_version(connection, row["id"], number)
        if row["released_version"] and version["status"] in released:
            which = f"current {version['status']} version"
        else:
            number = row["latest_version"]
            version = load_version(connection, row["id"], number)
            which = f"current version ({version['status']}; none approved)"
        fields: dict[str, Any] = version["fields"]
        return ModificationRef(
            row["key"],
            str(fields.get("title", row["title"])),
            number,
            str(version["status"]),
            which,
            str(fields.get("pccp_version", "")),
            str(fields.get("modification_id", "")),
            str(fields.get("envelope", "")),
        )


def _check_one(
    connection: Connection,
    modification: ModificationRef,
    bases: list[tuple[RowMapping, int]],
    new: ModelFacts,
    metrics: ValidatedMetrics,
    lineage: dict[str, set[str]],
    together: dict[str, frozenset[str]],
) -> PccpCheck:
    problem = _envelope_problem(modification)
    if problem:
        return PccpCheck(modification, "", EnvelopeCheck(False, [problem]), metrics.source)
    if not bases:
        finding = (
            f"no authorised base: {new.key} has no modifies_model link to the model version "
            "it changes, so nothing can be compared"
        )
        return PccpCheck(modification, "", EnvelopeCheck(False, [finding]), metrics.source)
    if len(bases) > 1:
        names = ", ".join(f"{b['key']} v{v}" for b, v in bases)
        finding = f"{new.key} modifies more than one model ({names}); name one authorised base"
        return PccpCheck(modification, names, EnvelopeCheck(False, [finding]), metrics.source)
    ((base_row, pinned),) = bases
    base = ModelFacts(
        base_row["key"],
        pinned,
        load_version(connection, base_row["id"], pinned)["fields"],
        *_training(connection, base_row),
    )
    verdict = check(modification.envelope, base, new, metrics.metrics, lineage, together)
    return PccpCheck(modification, f"{base.key} v{pinned}", verdict, metrics.source)


def _allowed(modification: ModificationRef) -> frozenset[str]:
    """The parts a modification lets change (none when its envelope does not parse)."""
    try:
        return parse_envelope(modification.envelope).allowed
    except InvalidInput:
        return frozenset()


def _envelope_problem(modification: ModificationRef) -> str:
    try:
        parse_envelope(modification.envelope, f"{modification.key} envelope")
    except InvalidInput as error:
        return str(error)
    return ""


def _training(connection: Connection, row: RowMapping) -> tuple[frozenset[str], frozenset[str]]:
    """The datasets the model is trained on: their keys, and each at its pinned version."""
    pins = active_targets(connection, row["id"], "trained_on")
    return frozenset(r["key"] for r, _ in pins), frozenset(f"{r['key']} v{n}" for r, n in pins)
