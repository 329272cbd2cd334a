"""Matching releases' components against the offline vulnerability database.

The read half runs on a read connection: each release's contained components (at the
versions its `contains` links pin), an index built from only the advisories that name their
packages, and the matches. The write half (services/vulndb_write.py) then lands the
vulnerabilities, links, component versions and CAPA candidates in one write transaction,
after checking that the releases still contain what was matched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.advisories import affected_from_json
from qspine.model.errors import InvalidInput
from qspine.model.profile import Profile
from qspine.model.vulndb_report import MatchReport
from qspine.model.vulnerability_match import AdvisoryIndex, Match, PackageRef, package_of
from qspine.services import advisory_store
from qspine.services.context import SpineContext
from qspine.services.lifecycle import load_record, load_record_of
from qspine.services.sbom_reads import Contained, contained, row_fields
from qspine.services.vulndb_records import Hit, ReleaseInfo
from qspine.services.vulndb_write import MatchWriter
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import link, record

Progress = Callable[[str, int, int], None]
Found = tuple[str, Contained, PackageRef, list[Match]]
"""A component of a release and the advisories that affect it."""


def match_releases(
    context: SpineContext, actor: str, release: str | None, progress: Progress | None = None
) -> MatchReport:
    step = progress or (lambda _what, _done, _total: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with read_connection(context.engine) as connection:
        keys = (
            [_matchable(connection, context.profile, release)]
            if release is not None
            else [r["key"] for r in matchable_releases(connection, context.profile)]
        )
        releases = {key: release_info(connection, context.profile, key) for key in keys}
        packages: dict[int, PackageRef | None] = {}
        for info in releases.values():
            for component in info.components:
                if component.id not in packages:
                    packages[component.id] = package_of(
                        str(component.fields.get("purl", "")), component.version
                    )
        wanted = {ref.key for ref in packages.values() if ref is not None}
        advisories = advisory_store.naming(connection, wanted)
    timings["read"] = time.perf_counter() - started
    started = time.perf_counter()
    live = {a.osv_id: a for a in advisories if a.withdrawn is None}
    index = AdvisoryIndex(
        entry
        for a in live.values()
        for entry in affected_from_json(a.osv_id, a.content.get("affected", ()))
    )
    timings["index"] = time.perf_counter() - started
    started = time.perf_counter()
    checked = sum(len(info.components) for info in releases.values())
    found, distinct = _find(releases, packages, index, step)
    timings["match"] = time.perf_counter() - started
    step("writing", checked, checked)
    report = MatchReport(
        releases=tuple(keys),
        components=checked,
        not_matchable=sum(
            1 for info in releases.values() for c in info.components if packages[c.id] is None
        ),
        advisories=len(live),
        distinct=distinct,
        unparsed_versions=len(index.unparsed),
        timings=timings,
    )
    started = time.perf_counter()
    with write_transaction(context.engine) as connection:
        writer = MatchWriter(connection, context, actor, releases, live, report)
        hits = [Hit(*entry[:3], m) for entry in found for m in entry[3]]
        writer.run(hits, {a.osv_id: a for a in advisories if a.withdrawn is not None})
    timings["write"] = time.perf_counter() - started
    step("done", checked, checked)
    return report


def _find(
    releases: dict[str, ReleaseInfo],
    packages: dict[int, PackageRef | None],
    index: AdvisoryIndex,
    step: Progress,
) -> tuple[list[Found], int]:
    """Each component of each release matched against `index` (a package version several
    components share is matched once); returns what was found and how many distinct package
    versions were matched."""
    found: list[Found] = []
    matched: dict[PackageRef, list[Match]] = {}
    checked = sum(len(info.components) for info in releases.values())
    done = 0
    for info in releases.values():
        for component in info.components:
            ref = packages[component.id]
            if ref is not None:
                matches = matched.get(ref)
                if matches is None:
                    matches = matched[ref] = index.match(ref)
                if matches:
                    found.append((info.key, component, ref, matches))
            done += 1
            if done % 1000 == 0:
                step("matching components", done, checked)
    return found, len(matched)


def release_info(connection: Connection, profile: Profile, key: str) -> ReleaseInfo:
    row = load_record(connection, key)
    fields = row_fields(connection, row)
    lifecycle = profile.lifecycle_of("release")
    owner = fields.get("security_owner")
    return ReleaseInfo(
        key=key,
        title=str(row["title"]),
        status=str(row["status"]),
        released=row["status"] in lifecycle.released_states,
        security_owner=str(owner) if owner else None,
        components=tuple(contained(connection, key)),
    )


def matchable_releases(connection: Connection, profile: Profile) -> list[dict[str, Any]]:
    """Releases not in a final state that contain SBOM components, in key order of creation."""
    lifecycle = profile.lifecycle_of("release")
    final = sorted(name for name, state in lifecycle.states.items() if state.terminal)
    component = record.alias("c")
    count = (
        sa.select(sa.func.count())
        .select_from(link)
        .join(component, component.c.id == link.c.target_id)
        .where(
            link.c.source_id == record.c.id,
            link.c.type == "contains",
            link.c.removed_at.is_(None),
            component.c.kind == "sbom_component",
        )
        .scalar_subquery()
    )
    rows = connection.execute(
        sa.select(record.c.key, record.c.title, record.c.status, count.label("components"))
        .where(record.c.kind == "release", record.c.status.notin_(final))
        .order_by(record.c.id)
    ).mappings()
    return [dict(r) for r in rows if r["components"]]


def _matchable(connection: Connection, profile: Profile, key: str) -> str:
    row = load_record_of(connection, key, "release")
    if profile.lifecycle_of("release").states[row["status"]].terminal:
        raise InvalidInput(f"{key} is {row['status']}: it is no longer matched")
    if not contained(connection, key):
        raise InvalidInput(f"{key} contains no SBOM components: import its SBOM first")
    return key
