"""SBOM import: a release's components as sbom_component records, diffed against the previous
SBOM of the same product (ADR 0014).

One record per package and product: an import reuses the previous release's record for a
package and revises it when the version (an upgrade) or another fact the SBOM states (hashes,
licences, supplier...) changed. Each version an SBOM names is moved to `listed`, a released
state, so links made against an earlier version (a software item that uses it, a test that
verifies it, a security risk that arises from it) turn suspect. The release's `contains` links
pin the versions it contains; `depends_on` links carry the SBOM's dependency graph. The
document is checked against its specification first; the whole import is one transaction.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.formats.sbom import Sbom, SbomComponent, parse_sbom
from qspine.formats.sbom_export import Support, export_sbom
from qspine.model.errors import InvalidInput
from qspine.model.sbom_diff import (
    ComponentChange,
    SbomDiff,
    package_identity,
    pair,
)
from qspine.services.audit import NewEvent, append
from qspine.services.blobs import BlobService
from qspine.services.context import SpineContext
from qspine.services.links import NewLink, Removal, remove_links, write_links
from qspine.services.records import NewRecord, insert_records
from qspine.services.revisions import Revision, revise_in, transition_in
from qspine.services.sbom_reads import (
    Contained,
    contained,
    dependency_edges,
    latest_fields,
    previous_release,
    record_status,
    release_row,
    row_fields,
    suspect_links,
)
from qspine.services.users import User, UserService, require
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import link, record

MAX_SBOM_BYTES = 64 << 20
"""The largest SBOM document one import takes."""

LISTED = "listed"
# Fields an import takes from the SBOM; the rest (support level, end of support, known
# vulnerabilities) are the manufacturer's and carried over.
SBOM_FIELDS = (
    "title",
    "name",
    "version",
    "package",
    "group",
    "supplier_name",
    "purl",
    "cpe",
    "component_type",
    "dependency",
    "hashes",
    "licenses",
)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SbomImport:
    """What an import did."""

    release: str
    file: str
    format: str
    spec_version: str
    serial: str
    digest: str
    diff: SbomDiff
    dependencies: int
    warnings: tuple[str, ...]


class SbomService:
    """Import, compare and list the SBOM components of releases."""

    def __init__(self, context: SpineContext, users: UserService, blobs: BlobService) -> None:
        self._context = context
        self._users = users
        self._blobs = blobs

    def import_file(
        self,
        actor: str,
        path: Path,
        release: str,
        previous: str | None = None,
        name: str | None = None,
        progress: Progress | None = None,
    ) -> SbomImport:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InvalidInput(f"{name or path.name}: cannot be read: {error}") from error
        return self.import_bytes(actor, data, name or path.name, release, previous, progress)

    def import_bytes(
        self,
        actor: str,
        data: bytes,
        name: str,
        release: str,
        previous: str | None = None,
        progress: Progress | None = None,
    ) -> SbomImport:
        """Check the document, then write its components for `release` in one transaction."""
        step = progress or (lambda _what, _done, _total: None)
        step("checking the document", 0, 3)
        if len(data) > MAX_SBOM_BYTES:
            raise InvalidInput(f"{name}: larger than {MAX_SBOM_BYTES >> 20} MiB")
        sbom = parse_sbom(data, name)
        with read_connection(self._context.engine) as connection:
            require(connection, self._context, actor, "write", "sbom_component")
            _refuse_change(connection, self._context, release_row(connection, release))
        digest = self._store(actor, data, name)
        step("writing components", 1, 3)
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            writer = _Import(connection, self._context, actor, sbom, now)
            result = writer.run(release, previous, digest)
        step("done", 3, 3)
        return result

    def diff(self, user: User, release: str, against: str | None = None) -> SbomDiff:
        """Compare the components of `release` with those of `against` (default: the previous
        release of the same product)."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            row = release_row(connection, release)
            other = against or previous_release(connection, row)
            if other is not None:
                release_row(connection, other)
            now = contained(connection, release)
            was = contained(connection, other) if other else []
        pairing = pair(was, now, _pinned_key, _pinned_key)
        changed = [
            (o, n) for o, n in pairing.unchanged if _sbom_facts(o.fields) != _sbom_facts(n.fields)
        ]
        return SbomDiff(
            release=release,
            previous=other,
            added=[_change(n, "", n.version) for n in pairing.added],
            removed=[_change(o, o.version, "") for o in pairing.removed],
            upgraded=[_change(n, o.version, n.version) for o, n in pairing.upgraded],
            changed=[_change(n, o.version, n.version) for o, n in changed],
            unchanged=len(pairing.unchanged) - len(changed),
        )

    def components(self, user: User, release: str) -> list[Contained]:
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            release_row(connection, release)
            return contained(connection, release)

    def export(self, user: User, release: str, format: str) -> str:
        """The release's components (at the versions it contains) as CycloneDX or SPDX JSON."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            row = release_row(connection, release)
            fields = row_fields(connection, row)
            items = contained(connection, release)
            edges = dependency_edges(connection, [c.id for c in items])
            # support data is the manufacturer's current knowledge, not the SBOM's
            support = {c.id: latest_fields(connection, c.id) for c in items}
        keys = {c.id: c.key for c in items}
        components = [
            (
                SbomComponent(
                    ref=c.key,
                    name=str(c.fields["name"]),
                    version=c.version,
                    purl=str(c.fields.get("purl", "")),
                    cpe=str(c.fields.get("cpe", "")),
                    supplier=str(c.fields.get("supplier_name", "")),
                    component_type=str(c.fields.get("component_type", "library")),
                    hashes=tuple(c.fields.get("hashes", ())),
                    licenses=tuple(c.fields.get("licenses", ())),
                    depends_on=tuple(keys[t] for t in edges.get(c.id, ()) if t in keys),
                    direct=c.fields.get("dependency") == "direct",
                    group=str(c.fields.get("group", "")),
                ),
                Support(
                    str(support[c.id].get("support_level", "unknown")),
                    str(support[c.id].get("end_of_support", "")),
                ),
            )
            for c in items
        ]
        product = str(fields.get("product") or fields.get("title"))
        label = str(fields.get("version_label", row["key"]))
        return export_sbom(format, product, label, components, self._context.clock())

    def releases(self, user: User) -> list[dict[str, Any]]:
        """Every release with its title, status and how many components it contains."""
        self._users.permits(user, "read")
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
        with read_connection(self._context.engine) as connection:
            rows = connection.execute(
                sa.select(record.c.key, record.c.title, record.c.status, count.label("components"))
                .where(record.c.kind == "release")
                .order_by(record.c.id)
            ).mappings()
            return [dict(r) for r in rows]

    def _store(self, actor: str, data: bytes, name: str) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(name).name
            path.write_bytes(data)
            return self._blobs.add(actor, path).sha256


class _Import:
    """One import inside one write transaction."""

    def __init__(
        self, connection: Connection, context: SpineContext, actor: str, sbom: Sbom, now: Any
    ) -> None:
        self.connection = connection
        self.context = context
        self.actor = actor
        self.sbom = sbom
        self.now = now
        self.events: list[NewEvent] = []
        self.reason = f"SBOM {sbom.path} ({sbom.format} {sbom.spec_version})"

    def run(self, release: str, previous: str | None, digest: str) -> SbomImport:
        connection = self.connection
        row = release_row(connection, release)
        current = _refuse_change(connection, self.context, row)
        other = previous or previous_release(connection, row)
        if other is not None:
            release_row(connection, other)
        basis = {c.id: c for c in (contained(connection, other) if other else [])}
        for item in current:  # a re-import starts from what the release holds now
            basis.setdefault(item.id, item)
        fresh = [(c, _fields_of(c)) for c in self.sbom.components]
        pairing = pair(basis.values(), fresh, _pinned_key, lambda f: _new_key(f[1]))
        keys_by_ref: dict[str, str] = {}
        new_records = [NewRecord("sbom_component", fields) for _, fields in pairing.added]
        _, made, events = insert_records(
            connection, self.context, self.actor, new_records, self.reason, self.now
        )
        self.events += events
        for key in made:
            self.events += transition_in(
                connection, self.context, self.actor, key, LISTED, self.reason, self.now
            )
        for (component, _), key in zip(pairing.added, made, strict=True):
            keys_by_ref[component.ref] = key
        revisions, changed, unchanged = [], [], 0
        upgraded = []
        for old, (component, fields) in [*pairing.unchanged, *pairing.upgraded]:
            keys_by_ref[component.ref] = old.key
            latest = latest_fields(connection, old.id)
            changes = _changes(latest, fields, upgrade=old.version != fields["version"])
            if old.version != fields["version"]:
                upgraded.append(_change(old, old.version, fields["version"]))
            elif changes:
                changed.append(_change(old, old.version, fields["version"]))
            else:
                unchanged += 1
            if changes:
                revisions.append(Revision(old.key, changes, self.reason, LISTED))
            elif record_status(connection, old.id) == "proposed":
                self.events += transition_in(
                    connection, self.context, self.actor, old.key, LISTED, self.reason, self.now
                )
        self.events += revise_in(connection, self.context, self.actor, revisions, self.now)
        removed = [_change(old, old.version, "") for old in pairing.removed]
        self._contains(release, current, keys_by_ref)
        dependencies = self._dependencies(keys_by_ref)
        suspect = suspect_links(connection, self.context, sorted({r.key for r in revisions}))
        diff = SbomDiff(
            release=release,
            previous=other,
            added=[
                ComponentChange(f["package"], f["name"], "", f["version"], key)
                for (_, f), key in zip(pairing.added, made, strict=True)
            ],
            removed=removed,
            upgraded=upgraded,
            changed=changed,
            unchanged=unchanged,
            suspect=suspect,
        )
        self.events.append(
            NewEvent(
                actor=self.actor,
                action="sbom.import",
                subject=release,
                reason=self.reason,
                after=digest,
                payload={
                    "product": row_fields(connection, row).get("product"),
                    "file": self.sbom.path,
                    "format": self.sbom.format,
                    "spec_version": self.sbom.spec_version,
                    "serial": self.sbom.serial,
                    "previous": other,
                    "components": len(self.sbom.components),
                    "added": len(diff.added),
                    "removed": len(diff.removed),
                    "upgraded": len(diff.upgraded),
                    "changed": len(diff.changed),
                    "unchanged": diff.unchanged,
                    "dependencies": dependencies,
                },
            )
        )
        append(connection, self.now, self.events)
        return SbomImport(
            release=release,
            file=self.sbom.path,
            format=self.sbom.format,
            spec_version=self.sbom.spec_version,
            serial=self.sbom.serial,
            digest=digest,
            diff=diff,
            dependencies=dependencies,
            warnings=self.sbom.warnings,
        )

    def _contains(self, release: str, current: list[Contained], keys: dict[str, str]) -> None:
        """The release contains exactly the listed versions: stale pins are removed, the rest
        linked (contains pins its version, so a new version is a new link)."""
        wanted = set(keys.values())
        latest = (
            {
                key: number
                for key, number in self.connection.execute(
                    sa.select(record.c.key, record.c.latest_version).where(
                        record.c.key.in_(sorted(wanted))
                    )
                )
            }
            if wanted
            else {}
        )
        keep = {c.key for c in current if c.key in wanted and latest.get(c.key) == c.number}
        stale = [
            Removal(c.link_id, "contains", release, c.key, c.link_fingerprint)
            for c in current
            if c.key not in keep
        ]
        require(self.connection, self.context, self.actor, "write", "release")
        self.events += remove_links(
            self.connection, self.actor, stale, f"{self.reason}: not at this version", self.now
        )
        items = [NewLink("contains", release, key) for key in sorted(wanted - keep)]
        write_links(self.connection, self.context, self.actor, items, self.reason)

    def _dependencies(self, keys: dict[str, str]) -> int:
        """depends_on links among this SBOM's components, added where missing."""
        wanted = {
            (keys[c.ref], keys[target])
            for c in self.sbom.components
            for target in c.depends_on
            if c.ref in keys and target in keys and keys[target] != keys[c.ref]
        }
        if not wanted:
            return 0
        source, target = record.alias("s"), record.alias("t")
        names = sorted({k for pair_ in wanted for k in pair_})
        existing: set[tuple[str, str]] = set()
        for start in range(0, len(names), 500):
            existing.update(
                (a, b)
                for a, b in self.connection.execute(
                    sa.select(source.c.key, target.c.key)
                    .select_from(link)
                    .join(source, source.c.id == link.c.source_id)
                    .join(target, target.c.id == link.c.target_id)
                    .where(
                        link.c.type == "depends_on",
                        link.c.removed_at.is_(None),
                        source.c.key.in_(names[start : start + 500]),
                    )
                )
            )
        items = [NewLink("depends_on", a, b) for a, b in sorted(wanted - existing)]
        write_links(self.connection, self.context, self.actor, items, self.reason)
        return len(wanted)


def _refuse_change(
    connection: Connection, context: SpineContext, row: RowMapping
) -> list[Contained]:
    """What the release contains, unless its SBOM may no longer change."""
    lifecycle = context.profile.lifecycle_of("release")
    current = contained(connection, row["key"])
    if current and row["status"] in lifecycle.released_states:
        raise InvalidInput(
            f"{row['key']} is {row['status']} and its SBOM is on record "
            f"({len(current)} components); import the new SBOM into a new release"
        )
    if lifecycle.states[row["status"]].terminal:
        raise InvalidInput(f"{row['key']} is {row['status']}: its SBOM can no longer change")
    return current


def _fields_of(component: SbomComponent) -> dict[str, Any]:
    version_ = component.version or "unspecified"
    fields: dict[str, Any] = {
        "title": f"{component.name}@{version_}",
        "name": component.name,
        "version": version_,
        "package": package_identity(component.purl, component.group, component.name),
        "group": component.group,
        "supplier_name": component.supplier,
        "purl": component.purl,
        "cpe": component.cpe,
        "component_type": component.component_type,
        "dependency": None
        if component.direct is None
        else ("direct" if component.direct else "transitive"),
        "hashes": list(component.hashes),
        "licenses": list(component.licenses),
        "bom_ref": component.ref,
        "support_level": "unknown",
    }
    return {k: v for k, v in fields.items() if v not in ("", None, [])}


def _pinned_key(item: Contained) -> tuple[str, str]:
    return item.package, item.version


def _new_key(fields: dict[str, Any]) -> tuple[str, str]:
    return str(fields["package"]), str(fields["version"])


def _sbom_facts(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: fields.get(name) for name in SBOM_FIELDS}


def _changes(latest: dict[str, Any], fresh: dict[str, Any], upgrade: bool) -> dict[str, Any]:
    """Field changes taking the record to what the SBOM states; the manufacturer's fields stay,
    except the matched vulnerabilities, which belonged to the old version."""
    changes = {
        name: fresh.get(name)
        for name in (*SBOM_FIELDS, "bom_ref")
        if latest.get(name) != fresh.get(name)
    }
    if upgrade and latest.get("known_vulnerabilities"):
        changes["known_vulnerabilities"] = None
    if set(changes) <= {"bom_ref", "dependency"}:
        return {}  # the same component named differently in another document
    return changes


def _change(base: Contained, old_version: str, new_version: str) -> ComponentChange:
    """A diff line for the component record `base`."""
    name = str(base.fields.get("name", ""))
    return ComponentChange(base.package, name, old_version, new_version, base.key)
