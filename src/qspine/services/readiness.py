"""Inspection readiness: run the rule packs over the spine (now or as of a past instant),
set aside suppressed findings, score clauses, take the self-assessment measures and compare
with the previous recorded run.

Declarative rules from the profile compile to SQL (qspine.services.rule_sql); Python rules
come from rule-pack plugins (qspine.rules.registry) and read through SpineFacts. A live
check is recorded (score and finding identities) so the next one can show the trend.
Suppressing a finding is a write: permitted to those who may write the record's kind,
given a reason, and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.asof import optional_instant
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.findings import Finding, RuleInfo, RuleResult
from qspine.model.profile import Profile, RuleSpec
from qspine.model.readiness import ReadinessReport, Suppression, Trend
from qspine.rules.registry import PythonRule, RulePack, load_packs
from qspine.services import rule_sql
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.facts import SpineFacts
from qspine.services.lifecycle import load_record
from qspine.services.readiness_measures import measures
from qspine.services.users import User, UserService
from qspine.store.blobs import BlobStore
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import finding_suppression, readiness_run

MAX_OCCURRENCE = 255
"""The longest occurrence a suppression can name (its column's width)."""

RULE_REFERENCES = "DOC-REF-001"
"""The rule whose findings are superseded references in document records."""

Retrieve = Callable[[User, str, dt.datetime | None], object]


class ReadinessService:
    def __init__(self, context: SpineContext, users: UserService, retrieve: Retrieve) -> None:
        self._context = context
        self._users = users
        self._retrieve = retrieve
        self._packs: dict[str, RulePack] | None = None

    @property
    def packs(self) -> dict[str, RulePack]:
        """Installed rule packs by name (plugins are loaded once)."""
        if self._packs is None:
            self._packs = load_packs()
        return self._packs

    def rules(self, pack: str | None = None) -> list[RuleInfo]:
        """Every rule (declarative and Python) of the chosen pack, or of all packs, by id."""
        return catalogue(self._context.profile, pack, self.packs)

    def check(
        self,
        user: User,
        as_of: str | dt.datetime | None = None,
        pack: str | None = None,
        record_run: bool = True,
    ) -> ReadinessReport:
        """Run every rule, now or as of a past instant (ISO text or a UTC datetime); a live
        run is recorded (with `record_run`) for the next run's trend."""
        self._users.permits(user, "read")
        now = self._context.clock()
        at = optional_instant(as_of, now) if isinstance(as_of, str | None) else as_of
        today = (at or now).date()
        declarative, python = self._chosen(pack)
        profile = self._context.profile
        with read_connection(self._context.engine) as connection:
            facts = SpineFacts(connection, profile, BlobStore(self._context.blob_dir), today, at)
            results = [
                rule_sql.run_rule(connection, profile, rule_id, spec, at, today)
                for rule_id, spec in declarative.items()
            ]
            results += [_run(rule, facts) for rule in python]
            kept, suppressed = _apply(results, active_suppressions(connection, at or now))
            taken = measures(facts, lambda key: self._retrieve(user, key, at))
            packs = tuple(sorted({pack} if pack else self._pack_names()))
            previous = _previous(connection, packs, at or now)
        report = ReadinessReport(
            packs,
            now,
            at,
            today,
            tuple(sorted(kept, key=lambda r: r.rule.id)),
            tuple(suppressed),
            taken,
            _trend(previous, kept),
        )
        if record_run and at is None:
            self._record(user, report)
        return report

    def suppress(
        self, user: User, rule: str, subject: str, occurrence: str, reason: str
    ) -> Suppression:
        """Accept one finding on purpose, with a reason (audited)."""
        if not reason.strip():
            raise InvalidInput("reason: say why this finding is accepted")
        if len(occurrence) > MAX_OCCURRENCE:
            raise InvalidInput(f"occurrence: at most {MAX_OCCURRENCE} characters")
        if rule not in {info.id for info in self.rules()}:
            raise NotFound(f"rule '{rule}' is not in any installed pack")
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            kind = load_record(connection, subject)["kind"]
            self._users.permits(user, "write", kind)
            if _active(connection, rule, subject, occurrence) is not None:
                raise InvalidInput(f"{rule} on {subject} {occurrence} is already suppressed")
            connection.execute(
                finding_suppression.insert().values(
                    rule=rule,
                    subject=subject,
                    occurrence=occurrence,
                    reason=reason,
                    created_at=now,
                    created_by=user.username,
                )
            )
            payload = {"rule": rule, "occurrence": occurrence}
            append(
                connection,
                now,
                [NewEvent(user.username, "finding.suppress", subject, reason, payload=payload)],
            )
        return Suppression(rule, subject, occurrence, reason, user.username, now)

    def unsuppress(self, user: User, rule: str, subject: str, occurrence: str, reason: str) -> None:
        """Withdraw a suppression (audited); the finding shows again on the next check."""
        if not reason.strip():
            raise InvalidInput("reason: say why the suppression is withdrawn")
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            self._users.permits(user, "write", load_record(connection, subject)["kind"])
            row_id = _active(connection, rule, subject, occurrence)
            if row_id is None:
                raise NotFound(f"no suppression of {rule} on {subject} {occurrence}".rstrip())
            connection.execute(
                finding_suppression.update()
                .where(finding_suppression.c.id == row_id)
                .values(revoked_at=now, revoked_by=user.username, revoke_reason=reason)
            )
            payload = {"rule": rule, "occurrence": occurrence}
            append(
                connection,
                now,
                [NewEvent(user.username, "finding.unsuppress", subject, reason, payload=payload)],
            )

    def _chosen(self, pack: str | None) -> tuple[dict[str, RuleSpec], list[PythonRule]]:
        return select_rules(self._context.profile, self.packs, pack)

    def _pack_names(self) -> set[str]:
        """Plugin packs and the packs the profile's declarative rules name."""
        return set(self.packs) | {spec.pack for spec in self._context.profile.rules.values()}

    def _record(self, user: User, report: ReadinessReport) -> None:
        with write_transaction(self._context.engine) as connection:
            connection.execute(
                readiness_run.insert().values(
                    at=report.at,
                    packs=",".join(report.packs),
                    score=report.score,
                    counts=report.counts,
                    findings=[[*f.ident, f.severity] for f in report.findings],
                    run_by=user.username,
                )
            )


def select_rules(
    profile: Profile, packs: dict[str, RulePack], pack: str | None = None
) -> tuple[dict[str, RuleSpec], list[PythonRule]]:
    """The profile's declarative rules and the packs' Python rules (of one pack, or all);
    Python rules about kinds the profile does not have are left out."""
    known = set(packs) | {spec.pack for spec in profile.rules.values()}
    if pack is not None and pack not in known:
        raise NotFound(
            f"rule pack '{pack}' is not installed (installed: {', '.join(sorted(known))})"
        )
    declarative = {
        rule_id: spec for rule_id, spec in profile.rules.items() if pack in (None, spec.pack)
    }
    python = [
        rule
        for name, offered in packs.items()
        if pack in (None, name)
        for rule in offered.rules
        if rule.info.every in profile.kinds or rule.info.every == "link"
    ]
    clash = set(declarative) & {r.info.id for r in python}
    if clash:
        raise InvalidInput(f"rule ids defined twice: {', '.join(sorted(clash))}")
    return declarative, python


def catalogue(
    profile: Profile, pack: str | None = None, packs: dict[str, RulePack] | None = None
) -> list[RuleInfo]:
    """Every rule's metadata, by id: what the rules reference is generated from."""
    declarative, python = select_rules(profile, load_packs() if packs is None else packs, pack)
    infos = [rule_sql.info_of(i, s) for i, s in declarative.items()]
    return sorted(infos + [r.info for r in python], key=lambda info: info.id)


def _run(rule: PythonRule, facts: SpineFacts) -> RuleResult:
    checked, findings = rule.check(facts)
    return RuleResult(rule.info, checked, tuple(findings))


def active_suppressions(
    connection: Connection, at: dt.datetime
) -> dict[tuple[str, str, str], Suppression]:
    """(rule, record, occurrence) -> the suppression standing at `at`."""
    s = finding_suppression.c
    rows = connection.execute(
        sa.select(s.rule, s.subject, s.occurrence, s.reason, s.created_by, s.created_at).where(
            s.created_at <= at, sa.or_(s.revoked_at.is_(None), s.revoked_at > at)
        )
    )
    return {(r[0], r[1], r[2]): Suppression(*r) for r in rows}


def _apply(
    results: Sequence[RuleResult], suppressions: dict[tuple[str, str, str], Suppression]
) -> tuple[list[RuleResult], list[tuple[Finding, Suppression]]]:
    kept, suppressed = [], []
    for result in results:
        open_ = []
        for finding in result.findings:
            accepted = suppressions.get(finding.ident)
            if accepted is None:
                open_.append(finding)
            else:
                suppressed.append((finding, accepted))
        kept.append(RuleResult(result.rule, result.checked, tuple(open_)))
    return kept, suppressed


def _previous(
    connection: Connection, packs: tuple[str, ...], before: dt.datetime
) -> tuple[dt.datetime, float | None, list[list[str]]] | None:
    row = connection.execute(
        sa.select(readiness_run.c.at, readiness_run.c.score, readiness_run.c.findings)
        .where(readiness_run.c.packs == ",".join(packs), readiness_run.c.at <= before)
        .order_by(readiness_run.c.at.desc(), readiness_run.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def _trend(
    previous: tuple[dt.datetime, float | None, list[list[str]]] | None,
    results: Sequence[RuleResult],
) -> Trend | None:
    if previous is None:
        return None
    at, score, findings = previous
    before = {(f[0], f[1], f[2]) for f in findings}
    now = [f for r in results for f in r.findings]
    new = tuple(f for f in now if f.ident not in before)
    resolved = tuple(sorted(before - {f.ident for f in now}))
    return Trend(at, score, new, resolved)


def _active(connection: Connection, rule: str, subject: str, occurrence: str) -> int | None:
    s = finding_suppression.c
    found = connection.execute(
        sa.select(s.id).where(
            s.rule == rule,
            s.subject == subject,
            s.occurrence == occurrence,
            s.revoked_at.is_(None),
        )
    ).scalar()
    return None if found is None else int(found)
