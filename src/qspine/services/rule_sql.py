"""Declarative readiness rules compiled to SQL: one query per rule, anti-joins on the
indexed link table, so the whole profile runs in seconds at a million records.

Every query reads a *state* relation (record id, key, kind, status, version number): the
record table's derived columns for now, or the same columns rebuilt from versions and
transitions for a past instant, so a rule reads the same way now and as of any time.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.findings import Finding, RuleInfo, RuleResult
from qspine.model.profile import LinkCondition, Profile, RuleSpec
from qspine.model.rule_where import Predicate, parse_where
from qspine.services.history import link_active
from qspine.store.schema import link, record, transition, version


def info_of(rule_id: str, spec: RuleSpec) -> RuleInfo:
    return RuleInfo(
        rule_id,
        spec.title,
        spec.clauses,
        spec.severity,
        spec.pack,
        spec.every,
        spec.rationale,
        spec.remedy,
        engine="declarative",
        logic=describe(spec),
    )


def describe(spec: RuleSpec) -> str:
    """The rule in words: `every requirement where status = approved: has a verifies ...`."""
    predicates, _ = parse_where(spec.where)
    head = f"every {spec.every}"
    if predicates:
        head += " where " + ", ".join(p.describe() for p in predicates)
    if spec.flag:
        return f"{head}: each is a finding"
    if spec.require:
        return f"{head}: records {', '.join(spec.require)}"
    condition = spec.has or spec.lacks
    assert condition is not None
    text = _describe_link(spec, condition)
    if spec.has is not None:
        text = (
            text.replace("no ", "an " if condition.link[0] in "aeiou" else "a ", 1)
            if condition.at_least == 1
            else text.replace("fewer than", "at least", 1)
        )
        return f"{head}: has {text}"
    return f"{head}: must not have {text.removeprefix('has ')}"


def state_relation(profile: Profile, at: dt.datetime | None) -> Any:
    """SQL: each record's key, kind, status and current version number, now or at `at`."""
    if at is None:
        return sa.select(
            record.c.id,
            record.c.key,
            record.c.kind,
            record.c.status,
            record.c.latest_version.label("number"),
        ).subquery()
    number = (
        sa.select(sa.func.max(version.c.number))
        .where(version.c.record_id == record.c.id, version.c.created_at <= at)
        .scalar_subquery()
    )
    existing = (
        sa.select(record.c.id, record.c.key, record.c.kind, number.label("number"))
        .where(record.c.created_at <= at)
        .subquery()
    )
    moved = (
        sa.select(transition.c.to_status)
        .where(
            transition.c.record_id == existing.c.id,
            transition.c.version_number == existing.c.number,
            transition.c.at <= at,
        )
        .order_by(transition.c.at.desc(), transition.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    initial = sa.case(
        {name: profile.lifecycle_of(name).initial for name in profile.kinds},
        value=existing.c.kind,
        else_="",
    )
    return (
        sa.select(
            existing.c.id,
            existing.c.key,
            existing.c.kind,
            sa.func.coalesce(moved, initial).label("status"),
            existing.c.number,
        )
        .where(existing.c.number.is_not(None))
        .subquery()
    )


def run_rule(
    connection: Connection,
    profile: Profile,
    rule_id: str,
    spec: RuleSpec,
    at: dt.datetime | None,
    today: dt.date,
) -> RuleResult:
    """Check every record the rule selects; one finding per record that fails."""
    info = info_of(rule_id, spec)
    subject = state_relation(profile, at).alias("subject")
    fields = version.alias("subject_version")
    predicates, _ = parse_where(spec.where)
    selected = [subject.c.kind == spec.every]
    selected += _conditions(profile, spec.every, predicates, subject, fields, today)
    checks: list[Any] = []
    if spec.has is not None or spec.lacks is not None:
        condition = spec.has or spec.lacks
        assert condition is not None
        present = _linked(profile, condition, subject, at, today)
        checks.append(present if spec.has is not None else sa.not_(present))
    for name in spec.require:
        checks.append(sa.not_(_missing(_field(profile, spec.every, name, fields))))
    source: Any = subject
    if spec.require or any(p.field != "status" for p in predicates):
        # The version's fields are read only when a condition needs them (every state row
        # has its version, so the join neither adds nor drops rows).
        source = subject.join(
            fields,
            sa.and_(fields.c.record_id == subject.c.id, fields.c.number == subject.c.number),
        )
    query = (
        sa.select(subject.c.key, subject.c.number, subject.c.status, *checks)
        .select_from(source)
        .where(*selected)
        .order_by(subject.c.id)
    )
    if spec.flag or at is not None:
        rows = connection.execute(query).all()
        checked = len(rows)
        failing = [row for row in rows if spec.flag or not all(row[_CHECKS:])]
    else:
        # Now, the selection is counted from the indexes and only failing rows come back:
        # most records pass, and fetching them all cost more than checking them.
        count = sa.select(sa.func.count()).select_from(source).where(*selected)
        checked = connection.execute(count).scalar_one()
        # A link condition's subquery is run once per record, in the filter; only `require`
        # messages read the checks' values (which fields are missing).
        fails = sa.or_(*(sa.not_(sa.func.coalesce(check, sa.false())) for check in checks))
        shown = [subject.c.key, subject.c.number, subject.c.status]
        if spec.require:
            shown += checks
        failing_query = (
            sa.select(*shown).select_from(source).where(*selected, fails).order_by(subject.c.id)
        )
        failing = list(connection.execute(failing_query)) if checks else []
    messages = _messages(connection, spec, failing)
    found = tuple(
        Finding(rule_id, spec.severity, row[0], spec.every, messages[row[0]]) for row in failing
    )
    return RuleResult(info, checked, found)


_CHECKS = 3
"""Columns before the checks in a rule's rows: key, version number, status."""


def _messages(connection: Connection, spec: RuleSpec, failing: list[Any]) -> dict[str, str]:
    if spec.message:
        return _from_template(connection, spec.message, failing)
    if spec.require:
        return {
            row[0]: "not recorded: "
            + ", ".join(
                name for name, ok in zip(spec.require, row[_CHECKS:], strict=True) if not ok
            )
            for row in failing
        }
    if spec.flag:
        predicates, _ = parse_where(spec.where)
        text = "; ".join(p.describe() for p in predicates)
        return {row[0]: text for row in failing}
    condition = spec.has or spec.lacks
    assert condition is not None
    return {row[0]: _describe_link(spec, condition) for row in failing}


def _describe_link(spec: RuleSpec, condition: LinkCondition) -> str:
    other = condition.kind or "any record"
    if condition.where:
        predicates, _ = parse_where(condition.where)
        other += " with " + ", ".join(p.describe() for p in predicates)
    way = "from" if condition.direction == "in" else "to"
    if spec.lacks is not None:
        return f"has a {condition.link} link {way} {other}"
    count = "no" if condition.at_least == 1 else f"fewer than {condition.at_least}"
    links = "link" if condition.at_least == 1 else "links"
    return f"{count} {condition.link} {links} {way} {other}"


class _Blank(string.Formatter):
    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        value = kwargs.get(str(key))
        return "(not set)" if value in (None, "", []) else value


def _from_template(connection: Connection, template: str, failing: list[Any]) -> dict[str, str]:
    """Each failing record's message, from the fields of the version the rule read."""
    found: dict[str, str] = {}
    for start in range(0, len(failing), 500):
        part = {(row[0], row[1]): row[2] for row in failing[start : start + 500]}
        rows = connection.execute(
            sa.select(record.c.key, version.c.number, version.c.fields)
            .join(version, version.c.record_id == record.c.id)
            .where(record.c.key.in_(sorted({key for key, _ in part})))
        )
        for key, number, fields in rows:
            if (key, number) in part:
                values = {**fields, "key": key, "status": part[(key, number)]}
                found[key] = _Blank().format(template, **values)
    return found


def _linked(
    profile: Profile,
    condition: LinkCondition,
    subject: Any,
    at: dt.datetime | None,
    today: dt.date,
) -> Any:
    """SQL: the subject has at least `at_least` active links of the condition."""
    inward = condition.direction == "in"
    near, far = (
        (link.c.target_id, link.c.source_id) if inward else (link.c.source_id, link.c.target_id)
    )
    checks: list[Any] = [near == subject.c.id, link.c.type == condition.link, link_active(at)]
    source: Any = link
    if condition.kind is not None:
        other = state_relation(profile, at).alias("other")
        other_fields = version.alias("other_version")
        predicates, _ = parse_where(condition.where)
        checks.append(other.c.kind == condition.kind)
        checks += _conditions(profile, condition.kind, predicates, other, other_fields, today)
        source = link.join(other, other.c.id == far)
        if any(p.field != "status" for p in predicates):
            source = source.join(
                other_fields,
                sa.and_(
                    other_fields.c.record_id == other.c.id,
                    other_fields.c.number == other.c.number,
                ),
            )
    if condition.at_least == 1:
        return sa.exists(sa.select(1).select_from(source).where(*checks))
    count = sa.select(sa.func.count()).select_from(source).where(*checks).scalar_subquery()
    return count >= condition.at_least


def _conditions(
    profile: Profile,
    kind: str,
    predicates: tuple[Predicate, ...],
    state: Any,
    fields: Any,
    today: dt.date,
) -> list[Any]:
    found = []
    for predicate in predicates:
        if predicate.field == "status":
            column = state.c.status
        else:
            column = _field(profile, kind, predicate.field, fields)
        found.append(_predicate(predicate, column, today))
    return found


def _field(profile: Profile, kind: str, name: str, fields: Any) -> Any:
    element = fields.c.fields[name]
    kind_of = profile.kinds[kind].fields[name].type
    if kind_of == "bool":
        return element.as_boolean()
    if kind_of == "int":
        return element.as_integer()
    if kind_of == "float":
        return element.as_float()
    return element.as_string()


def _missing(column: Any) -> Any:
    return sa.or_(column.is_(None), sa.cast(column, sa.String).in_(["", "[]"]))


def _predicate(predicate: Predicate, column: Any, today: dt.date) -> Any:
    op, value = predicate.op, predicate.value
    if op == "eq":
        return column == value
    if op == "in":
        return column.in_(list(value))
    if op == "not":
        return sa.or_(_missing(column), column.notin_(list(value)))
    if op == "missing":
        return _missing(column)
    if op == "present":
        return sa.not_(_missing(column))
    day = predicate.day(today).isoformat()
    text = sa.cast(column, sa.String)
    if op == "before":
        return sa.and_(column.is_not(None), text != "", text < day)
    return sa.and_(column.is_not(None), text >= day)
