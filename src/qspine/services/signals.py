"""Follow a signal: from a quality event to the release that shipped its correction.

The chain an inspector follows under QMSR, as the link graph records it (now, or as of a
past instant):

  event -> investigation (CAPA addresses the event / the event is investigated by a CAPA)
        -> risk records the CAPA assessed (assesses_risk)
        -> design change (change requests originating from the event or its CAPAs, and the
           records they change, revised since the request was raised)
        -> verification re-run (test cases verifying the changed records, with a result
           recorded after the change)
        -> release that ships the change (baseline_of a changed version, or contains it)

Every hop lists what it found with version, status and signatures, and says in words what is
missing or incomplete; nothing is inferred that the links do not show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.asof import stamp
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.records import RecordState
from qspine.model.signals import (
    EVENT_KINDS,
    Hop,
    HopRecord,
    HopSignature,
    HopState,
    SignalChain,
    settled_without_capa,
)
from qspine.services import history, reads
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection
from qspine.store.schema import link, record, version


@dataclass(frozen=True)
class _Link:
    type: str
    source: int
    target: int
    stamped: int


class SignalService:
    """The cross-process chain of one quality event."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def follow(self, user: User, key: str, at: dt.datetime | None = None) -> SignalChain:
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            return _Follower(connection, self._context, at).follow(key)


class _Follower:
    def __init__(self, connection: Connection, context: SpineContext, at: dt.datetime | None):
        self.connection = connection
        self.profile = context.profile
        self.at = at
        self.known: dict[int, RecordState] = {}
        self.created: dict[tuple[int, int], dt.datetime] = {}

    def follow(self, key: str) -> SignalChain:
        row = self.connection.execute(
            sa.select(record.c.id, record.c.kind, record.c.created_at).where(record.c.key == key)
        ).first()
        if row is None:
            raise NotFound(f"no record {key}")
        if self.at is not None and row.created_at > self.at:
            raise NotFound(f"{key} did not exist yet at {stamp(self.at)}")
        if row.kind not in EVENT_KINDS:
            raise InvalidInput(
                f"signal: {key} is a {row.kind}; follow a quality event ({', '.join(EVENT_KINDS)})"
            )
        event = self.state(row.id)
        hops = [Hop("event", "Quality event", "ok", [self.hop_record(row.id, "the signal")])]
        capas, hop = self.investigation(event)
        hops.append(hop)
        if not capas:
            ended = "the chain ends at the investigation"
            hops += [_not_reached(step, title, ended) for step, title in _AFTER_INVESTIGATION]
            return SignalChain(key, row.kind, event.title, hops, self.at)
        hops.append(self.risks(capas))
        changed, hop = self.design_changes([event.id, *capas])
        hops.append(hop)
        if not changed:
            ended = "no design change recorded"
            hops += [_not_reached(step, title, ended) for step, title in _AFTER_CHANGE]
        else:
            hops.append(self.verification(changed))
        hops.append(self.releases(changed, event))
        return SignalChain(key, row.kind, event.title, hops, self.at)

    # -- hops -------------------------------------------------------------------------------

    def investigation(self, event: RecordState) -> tuple[list[int], Hop]:
        title = "Investigation (CAPA)"
        if event.kind == "capa":
            return [event.id], Hop("investigation", title, "ok", [])
        found = self.links(["addresses"], [event.id], "in") + self.links(
            ["investigated_by"], [event.id], "out"
        )
        capas = _unique(x.source if x.type == "addresses" else x.target for x in found)
        records = [self.hop_record(i, self.via(found, i)) for i in capas]
        if capas:
            return capas, Hop("investigation", title, "ok", records)
        settled = settled_without_capa(event.kind, self.fields(event))
        if settled is not None:
            return [], Hop("investigation", title, "ok", [self.hop_record(event.id, settled)])
        return [], Hop(
            "investigation",
            title,
            "missing",
            [],
            [f"no CAPA addresses {event.key}, and it records no investigation or justification"],
        )

    def risks(self, capas: list[int]) -> Hop:
        title = "Risk records assessed"
        found = self.links(["assesses_risk"], capas, "out")
        risks = _unique(x.target for x in found)
        if not risks:
            reasoned = [
                i
                for i in capas
                if self.fields(self.state(i)).get("risk_impact") == "none"
                and self.fields(self.state(i)).get("no_risk_impact_rationale")
            ]
            if reasoned:
                records = [self.hop_record(i, "no risk impact, with rationale") for i in reasoned]
                return Hop("risk", title, "ok", records)
            names = ", ".join(self.state(i).key for i in capas)
            return Hop(
                "risk",
                title,
                "missing",
                [],
                [f"{names} links no risk record (ISO 13485 8.5.2 / ISO 14971 risk impact)"],
            )
        return Hop("risk", title, "ok", [self.hop_record(i, self.via(found, i)) for i in risks])

    def design_changes(self, origins: list[int]) -> tuple[dict[int, int], Hop]:
        """(changed record id -> its version when the change request was raised, hop)."""
        title = "Design change"
        requests = self.links(["originates_from"], origins, "in")
        change_ids = _unique(x.source for x in requests)
        if not change_ids:
            return {}, _not_reached(
                "design_change", title, "no change request originates from the event or its CAPA"
            )
        records = [self.hop_record(i, self.via(requests, i)) for i in change_ids]
        findings: list[str] = []
        changed: dict[int, int] = {}
        for change_id in change_ids:
            raised = self.created_at(change_id)
            targets = self.links(["changes"], [change_id], "out")
            if not targets:
                findings.append(f"{self.state(change_id).key} names no record to change")
            before = history.states(
                self.connection, self.profile, [x.target for x in targets], raised
            )
            for target in _unique(x.target for x in targets):
                now = self.state(target)
                then = before.get(target)
                first = then.version if then else 0
                changed.setdefault(target, first)
                note = ""
                if now.version <= first:
                    note = f"not revised since {self.state(change_id).key} was raised"
                    findings.append(f"{now.key} v{now.version}: {note}")
                elif now.released_version is None or now.released_version <= first:
                    note = f"revised to v{now.version} but the revision is not approved"
                    findings.append(f"{now.key}: {note}")
                records.append(self.hop_record(target, self.via(targets, target), note))
        state: HopState = "partial" if findings else "ok"
        return changed, Hop("design_change", title, state, records, findings)

    def verification(self, changed: dict[int, int]) -> Hop:
        title = "Verification re-run"
        if not changed:
            return Hop("verification", title, "missing", [], ["no changed record to re-verify"])
        tests = self.links(["verifies"], list(changed), "in")
        results = self.links(["result_of"], _unique(x.source for x in tests), "in")
        records: list[HopRecord] = []
        findings: list[str] = []
        for target, first in changed.items():
            current = self.state(target)
            revised_at = self.version_created(target, current.version)
            verifying = [x for x in tests if x.target == target]
            if not verifying:
                findings.append(f"no test case verifies {current.key}")
                continue
            for test in verifying:
                tc = self.state(test.source)
                runs = [r for r in results if r.target == test.source]
                fresh = [r for r in runs if self.created_at(r.source) >= revised_at]
                note = ""
                if current.version > first and not fresh:
                    note = f"not re-run since {current.key} v{current.version}"
                    findings.append(f"{tc.key}: {note}")
                elif test.stamped < current.version:
                    note = f"link still reviewed against {current.key} v{test.stamped}"
                    findings.append(f"{tc.key} verifies {current.key}: {note}")
                records.append(self.hop_record(test.source, f"verifies {current.key}", note))
                for run in fresh:
                    records.append(self.hop_record(run.source, f"result of {tc.key}"))
        state: HopState = "missing" if not records else "partial" if findings else "ok"
        return Hop("verification", title, state, records, findings)

    def releases(self, changed: dict[int, int], event: RecordState) -> Hop:
        title = "Release that ships it"
        reported = self.links(["concerns", "affects", "reports_on"], [event.id], "out")
        records = [
            self.hop_record(x.target, f"{event.key} {x.type.replace('_', ' ')} it")
            for x in reported
            if self.state(x.target).kind == "release"
        ]
        if not changed:
            return Hop("release", title, "not_reached", records, ["no design change to ship"])
        shipping = [
            x
            for x in self.links(["baseline_of", "contains"], list(changed), "in")
            if x.stamped > changed[x.target]
        ]
        released = [
            x
            for x in shipping
            if self.state(x.source).status
            in self.profile.lifecycle_of(self.state(x.source).kind).released_states
        ]
        for source in _unique(x.source for x in shipping):
            note = "" if any(x.source == source for x in released) else "not released yet"
            records.append(self.hop_record(source, self.via(shipping, source), note))
        if not released:
            keys = ", ".join(self.state(i).key for i in changed)
            return Hop("release", title, "missing", records, [f"no released version ships {keys}"])
        return Hop("release", title, "ok", records)

    # -- queries ----------------------------------------------------------------------------

    def links(self, types: Sequence[str], ids: Iterable[int], direction: str) -> list[_Link]:
        near = link.c.source_id if direction == "out" else link.c.target_id
        found: list[_Link] = []
        for chunk in history.chunks(set(ids)):
            rows = self.connection.execute(
                sa.select(link.c.id, link.c.type, link.c.source_id, link.c.target_id)
                .add_columns(link.c.target_version)
                .where(link.c.type.in_(types), near.in_(chunk), history.link_active(self.at))
                .order_by(link.c.id)
            ).all()
            stamps = (
                {}
                if self.at is None
                else history.stamps(self.connection, [r.id for r in rows], self.at)
            )
            found += [
                _Link(r.type, r.source_id, r.target_id, stamps.get(r.id, (r.target_version,))[0])
                for r in rows
            ]
        self.load(end for x in found for end in (x.source, x.target))
        return found

    def fields(self, state: RecordState) -> dict[str, Any]:
        row = self.connection.execute(
            sa.select(version.c.fields).where(
                version.c.record_id == state.id, version.c.number == state.version
            )
        ).scalar_one()
        return dict(row)

    def state(self, record_id: int) -> RecordState:
        self.load([record_id])
        return self.known[record_id]

    def load(self, ids: Iterable[int]) -> None:
        """States of the records not yet known, in one query."""
        missing = set(ids) - self.known.keys()
        if missing:
            self.known.update(history.states(self.connection, self.profile, missing, self.at))

    def created_at(self, record_id: int) -> dt.datetime:
        return self.version_created(record_id, 1)

    def version_created(self, record_id: int, number: int) -> dt.datetime:
        if (record_id, number) not in self.created:
            when = self.connection.execute(
                sa.select(version.c.created_at).where(
                    version.c.record_id == record_id, version.c.number == number
                )
            ).scalar_one()
            assert isinstance(when, dt.datetime)
            self.created[(record_id, number)] = when
        return self.created[(record_id, number)]

    def via(self, links: list[_Link], record_id: int) -> str:
        for x in links:
            if record_id in (x.source, x.target):
                source, target = self.state(x.source).key, self.state(x.target).key
                return f"{source} {x.type.replace('_', ' ')} {target}"
        return ""

    def hop_record(self, record_id: int, via: str, note: str = "") -> HopRecord:
        state = self.state(record_id)
        signatures = [
            HopSignature(s.meaning, s.signer, s.printed_name, s.at, s.valid)
            for s in reads.signatures_of(self.connection, self.profile, record_id, state.key)
            if s.version == state.version and (self.at is None or s.at <= self.at)
        ]
        return HopRecord(
            state.key,
            state.kind,
            state.title,
            state.status,
            state.version,
            via,
            signatures,
            note,
        )


_AFTER_INVESTIGATION = [
    ("risk", "Risk records assessed"),
    ("design_change", "Design change"),
    ("verification", "Verification re-run"),
    ("release", "Release that ships it"),
]
_AFTER_CHANGE = [("verification", "Verification re-run")]


def _not_reached(step: str, title: str, why: str) -> Hop:
    return Hop(step, title, "not_reached", [], [why])


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))
