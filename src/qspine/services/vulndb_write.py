"""The write half of a vulnerability match, inside one write transaction.

Matches are grouped into vulnerabilities by alias (an advisory's id and aliases are one
identity); a vulnerability record already holding any of those ids is reused. Each new
(vulnerability, component) pair makes a new, listed component version whose known
vulnerabilities name it (the postmarket loop: links pinned to the older version, such as a
security risk's arises_from, turn suspect), an `affects` link pinned at that version, and an
`affects` link to the release; a vulnerability newly found in a released release opens a CAPA
candidate for the release's security owner. A not-affected decision carries over until the
component version or the advisory changes (model/triage.py). Nothing is ever unlinked: a
match not found again is reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from qspine.model.advisories import group_by_alias, preferred_identifier, same_time
from qspine.model.errors import Conflict
from qspine.model.records import key_order
from qspine.model.triage import REOPENED, DecidedOn, why_reopened
from qspine.model.vulndb_report import (
    CapaCandidate,
    MatchReport,
    NoLongerMatched,
    OlderVersion,
    Reopened,
    VulnerabilityRef,
)
from qspine.services import advisory_store
from qspine.services.advisory_store import Advisory
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.links import NewLink, Removal, remove_links, write_links
from qspine.services.records import NewRecord, insert_records
from qspine.services.revisions import Revision, revise_in
from qspine.services.sbom import LISTED
from qspine.services.sbom_reads import Contained, contained
from qspine.services.vulndb_reads import (
    Affects,
    Held,
    Latest,
    affects_links,
    ids_of,
    latest_components,
    vulnerabilities,
)
from qspine.services.vulndb_records import (
    Hit,
    Plan,
    ReleaseInfo,
    capa_fields,
    matched_pair,
    newest_modified,
    vulnerability_fields,
    vulnerability_title,
)
from qspine.store.schema import link

_LISTED_IN_EVENT = 500


@dataclass
class _Changes:
    """What a match writes, gathered over every vulnerability before anything is written."""

    gains: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    removals: list[Removal] = field(default_factory=list)
    new_links: list[NewLink] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    capas: list[tuple[Plan, str]] = field(default_factory=list)


class MatchWriter:
    def __init__(
        self,
        connection: Connection,
        context: SpineContext,
        actor: str,
        releases: dict[str, ReleaseInfo],
        live: dict[str, Advisory],
        report: MatchReport,
    ) -> None:
        self.connection, self.context, self.actor = connection, context, actor
        self.releases, self.live, self.report = releases, live, report
        self.now = context.clock()
        self.events: list[NewEvent] = []
        self.links: list[Affects] = []
        self.held: list[Held] = []

    def run(self, hits: list[Hit], withdrawn: dict[str, Advisory]) -> None:
        connection = self.connection
        for key, info in self.releases.items():
            now = {(c.id, c.number) for c in contained(connection, key)}
            if now != {(c.id, c.number) for c in info.components}:
                raise Conflict(f"{key}: its components changed while matching; match again")
        self.links = self._affects_here()
        by_source: dict[str, dict[str, Affects]] = defaultdict(dict)
        for item in self.links:
            by_source[item.source][item.target] = item
        plans = self._plans(hits)
        self._create(plans, by_source)
        latest = latest_components(connection, self.context, {h.component.id for h in hits})
        changes = _Changes()
        matched: set[tuple[str, str, str]] = set()
        for plan in plans:
            matched |= self._follow(plan, by_source.get(plan.key, {}), latest, changes)
        self.report.no_longer_matched += self._gone(matched, withdrawn)
        self._write(changes, latest)

    def _follow(
        self, plan: Plan, mine: dict[str, Affects], latest: dict[str, Latest], changes: _Changes
    ) -> set[tuple[str, str, str]]:
        """What one vulnerability's hits change: affects links made or repinned, components
        that gain it, release links, CAPA candidates and the record's revision; returns the
        (vulnerability, component, release) triples found."""
        matched: set[tuple[str, str, str]] = set()
        decided: list[DecidedOn] = []
        covered = plan.holder is None and bool(plan.closed)  # a closed record: nothing new
        for component, found in plan.by_component.items():
            current = latest[component]
            for hit in found:
                matched.add((plan.key, component, hit.release))
                self.report.matches.append(matched_pair(plan, hit))
                if hit.component.version != current.version:
                    self.report.older_versions.append(
                        OlderVersion(
                            plan.key, component, hit.release, hit.component.version, current.version
                        )
                    )
            if covered or all(h.component.version != current.version for h in found):
                continue
            existing = mine.get(component)
            if existing is None:
                changes.new_links.append(NewLink("affects", plan.key, component))
            elif existing.pinned != current.version:
                decided.append(DecidedOn(component, existing.pinned, current.version))
                changes.removals.append(
                    Removal(existing.id, "affects", plan.key, component, existing.fingerprint)
                )
                changes.new_links.append(NewLink("affects", plan.key, component))
                self.report.repinned += 1
            if plan.ids.isdisjoint(current.known) and not current.terminal:
                changes.gains[component].add(plan.identifier)
        if covered:
            return matched
        for release in sorted(plan.by_release):
            if release not in mine:
                changes.new_links.append(NewLink("affects", plan.key, release))
                if self.releases[release].released:
                    changes.capas.append((plan, release))
        if plan.holder is not None:
            changes.revisions += self._revision(plan, decided)
        return matched

    def _write(self, changes: _Changes, latest: dict[str, Latest]) -> None:
        """Components listed with their new known vulnerabilities first (so new affects links
        pin those versions), then links, revisions, CAPA candidates and the match event."""
        connection = self.connection
        listing = []
        for component in sorted(changes.gains):
            known = sorted(set(latest[component].known) | changes.gains[component])
            why = "vulnerabilities matched offline: " + ", ".join(sorted(changes.gains[component]))
            listing.append(Revision(component, {"known_vulnerabilities": known}, why, LISTED))
            self.report.components_revised.append(component)
        reason = "offline vulnerability match of " + ", ".join(self.releases)
        self.events += revise_in(connection, self.context, self.actor, listing, self.now)
        self.events += remove_links(connection, self.actor, changes.removals, reason, self.now)
        append(connection, self.now, self.events)
        self.events = []
        self.report.new_links += write_links(
            connection, self.context, self.actor, changes.new_links, reason
        )
        self.events += revise_in(connection, self.context, self.actor, changes.revisions, self.now)
        self._capas(changes.capas, reason)
        self.events.append(self._event(reason))
        append(connection, self.now, self.events)

    def _plans(self, hits: list[Hit]) -> list[Plan]:
        by_advisory: dict[str, list[Hit]] = defaultdict(list)
        for hit in hits:
            by_advisory[hit.match.advisory].append(hit)
        groups = group_by_alias({a: self.live[a].aliases for a in sorted(by_advisory)})
        held: dict[str, list[Held]] = defaultdict(list)
        self.held = vulnerabilities(self.connection, self.context)
        for each in self.held:
            for id_ in each.ids:
                held[id_].append(each)
        plans: list[Plan] = []
        by_holder: dict[str, Plan] = {}
        for ids in groups:
            holders = {h.key: h for id_ in sorted(ids) for h in held.get(id_, [])}
            ordered = sorted(holders.values(), key=lambda h: key_order(h.key))
            open_ = [h for h in ordered if not h.terminal]
            advisories = [self.live[a] for a in sorted(ids) if a in by_advisory]
            found = [h for a in sorted(ids) for h in by_advisory.get(a, [])]
            plan = by_holder.get(open_[0].key) if open_ else None
            if plan is not None:  # one record holds ids of groups this match keeps apart
                plan.ids |= ids
                plan.advisories += advisories
                plan.hits += found
            else:
                plan = Plan(
                    ids=ids,
                    advisories=advisories,
                    hits=found,
                    holder=open_[0] if open_ else None,
                    closed=[h for h in ordered if h.terminal],
                )
                plans.append(plan)
                if open_:
                    by_holder[open_[0].key] = plan
            for hit in found:
                plan.by_component.setdefault(hit.component.key, []).append(hit)
                plan.by_release.setdefault(hit.release, []).append(hit)
        self._advisory_times(plans)
        return plans

    def _advisory_times(self, plans: list[Plan]) -> None:
        """Each plan's `modified`: the times of every live advisory going by its ids or its
        record's, read in one pass (a match of one release reads only its packages')."""
        names = [p.ids | (p.holder.ids - {""} if p.holder else set()) for p in plans]
        times = advisory_store.modified_times(self.connection, set().union(*names))
        by_id: dict[str, set[tuple[frozenset[str], dt.datetime]]] = defaultdict(set)
        for item in times:
            for id_ in item[0]:
                by_id[id_].add(item)
        for plan, ids in zip(plans, names, strict=True):
            plan.modified = [t for _, t in set().union(*(by_id.get(i, set()) for i in ids))]

    def _create(self, plans: list[Plan], by_source: dict[str, dict[str, Affects]]) -> None:
        """Keys for every plan: the open record, a closed one that already covers every
        component and release found, or a new vulnerability record."""
        closed_targets = {key: set(targets) for key, targets in by_source.items()}
        fresh = []
        for plan in plans:
            if plan.holder is not None:
                plan.key, plan.identifier = plan.holder.key, str(plan.holder.fields["identifier"])
                self._reuse(plan)
                continue
            covered = set().union(*(closed_targets.get(c.key, set()) for c in plan.closed))
            if plan.closed and set(plan.by_component) | set(plan.by_release) <= covered:
                closed = plan.closed[-1]
                plan.key, plan.identifier = closed.key, str(closed.fields["identifier"])
                self._reuse(plan)
                continue
            plan.closed = []
            plan.identifier = preferred_identifier(plan.ids)
            fresh.append(plan)
        today = self.now.date()
        items = [
            NewRecord("vulnerability", vulnerability_fields(plan, self.releases, today))
            for plan in fresh
        ]
        reason = "matched offline against " + ", ".join(self.releases)
        _, keys, events = insert_records(
            self.connection, self.context, self.actor, items, reason, self.now
        )
        self.events += events
        for plan, key in zip(fresh, keys, strict=True):
            plan.key = key
            self.report.new_vulnerabilities.append(
                VulnerabilityRef(key, plan.identifier, vulnerability_title(plan))
            )

    def _reuse(self, plan: Plan) -> None:
        self.report.reused.append(
            VulnerabilityRef(plan.key, plan.identifier, vulnerability_title(plan))
        )

    def _revision(self, plan: Plan, decided: list[DecidedOn]) -> list[Revision]:
        """The reused record brought up to date: new aliases, the advisory's modified time,
        and a not-affected decision reopened when it no longer holds."""
        assert plan.holder is not None
        fields = plan.holder.fields
        changes: dict[str, Any] = {}
        aliases = sorted((set(fields.get("aliases", [])) | plan.ids) - {plan.identifier})
        if set(aliases) != set(fields.get("aliases", [])):
            changes["aliases"] = aliases
        newest = newest_modified(plan)
        if newest and not same_time(newest, fields.get("advisory_modified")):
            changes["advisory_modified"] = newest
        reopen = why_reopened(
            fields.get("triage_state"), decided, fields.get("advisory_modified"), newest
        )
        if reopen is not None:
            changes.update(triage_state=REOPENED, vex_justification=None, triaged_on=None)
            self.report.reopened.append(Reopened(plan.key, reopen))
        if not changes:
            return []
        reason = reopen or "advisories updated: " + ", ".join(
            f"{name} {changes[name]}" for name in sorted(changes)
        )
        return [Revision(plan.key, changes, reason)]

    def _capas(self, capas: list[tuple[Plan, str]], reason: str) -> None:
        items = [NewRecord("capa", capa_fields(plan, self.releases[r])) for plan, r in capas]
        _, keys, events = insert_records(
            self.connection, self.context, self.actor, items, reason, self.now
        )
        append(self.connection, self.now, [*self.events, *events])
        self.events = []
        addresses = []
        for (plan, release), key in zip(capas, keys, strict=True):
            addresses.append(NewLink("addresses", key, plan.key))
            owner = self.releases[release].security_owner
            self.report.capa_candidates.append(CapaCandidate(key, plan.key, release, owner))
        self.report.new_links += write_links(
            self.connection, self.context, self.actor, addresses, reason
        )

    def _affects_here(self) -> list[Affects]:
        """Active affects links to the components and releases being matched (made before
        this match): what is already known, and what may no longer be matched."""
        ids = [c.id for info in self.releases.values() for c in info.components]
        ids = sorted({*ids, *ids_of(self.connection, list(self.releases))})
        found: list[Affects] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found += affects_links(self.connection, link.c.target_id.in_(chunk))
        return found

    def _gone(
        self, matched: set[tuple[str, str, str]], withdrawn: dict[str, Advisory]
    ) -> list[NoLongerMatched]:
        """Affects links (vulnerability -> component of a matched release, the vulnerability
        also linked to the release) that this match did not find again."""
        containing: dict[str, list[tuple[str, Contained]]] = defaultdict(list)
        for key, info in self.releases.items():
            for each in info.components:
                containing[each.key].append((key, each))
        found = self.links
        on_release = {(a.source, a.target) for a in found if a.target in self.releases}
        held = {h.key: h for h in self.held}
        result = []
        for item in found:
            for release, component in containing.get(item.target, ()):
                if (item.source, release) not in on_release:
                    continue
                if (item.source, item.target, release) in matched:
                    continue
                known = held[item.source].ids if item.source in held else set()
                gone = sorted(a.osv_id for a in withdrawn.values() if a.ids & known)
                if gone:
                    why = "its advisory was withdrawn: " + ", ".join(gone)
                else:
                    name = component.fields.get("name", component.key)
                    why = f"{name} {component.version} is outside every range its advisories state"
                result.append(NoLongerMatched(item.source, item.target, release, why))
        return result

    def _event(self, reason: str) -> NewEvent:
        report = self.report
        lists: dict[str, list[Any]] = {
            "release_keys": list(report.releases),
            "new_vulnerabilities": [v.key for v in report.new_vulnerabilities],
            "components_revised": report.components_revised,
            "capa_candidates": [c.key for c in report.capa_candidates],
            "reopened": [r.vulnerability for r in report.reopened],
            "no_longer_matched": [
                [g.vulnerability, g.component, g.release] for g in report.no_longer_matched
            ],
        }
        return NewEvent(
            actor=self.actor,
            action="vulndb.match",
            subject="vulndb",
            related=report.releases[0] if len(report.releases) == 1 else None,
            reason=reason,
            payload={
                **report.summary,
                **{name: items[:_LISTED_IN_EVENT] for name, items in lists.items()},
            },
        )
