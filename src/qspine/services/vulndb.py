"""The offline vulnerability database: OSV advisories imported from folders or ZIP archives
(incrementally: only new and changed records are written), its status, and matching releases'
components against it (services/vulndb_match.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from qspine.formats.osv import SUFFIXES, read_osv_tree
from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.vulndb_report import MatchReport
from qspine.services import advisory_store
from qspine.services.advisory_store import EcosystemCount, PreparedAdvisory, SourceCount
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService, require
from qspine.services.vulndb_match import match_releases, matchable_releases
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import advisory, audit_event

Progress = Callable[[str, int, int], None]
"""(what, done, total): total 0 while it is not known."""
SUBJECT = "vulndb"
"""The audit subject of every import and match (its events are found by the subject index)."""
MAX_UPLOAD = 200 << 20
"""The largest advisory archive or record the web and API faces accept."""


@dataclass(frozen=True)
class AdvisoryImport:
    """What an import did: records read, and how many were new, updated or unchanged."""

    source: str
    file: str
    records: int
    new: int
    updated: int
    unchanged: int
    withdrawn: int
    """Records read that the database marks withdrawn (kept, never matched)."""
    unparsed_versions: int
    """Range versions their ecosystem cannot read: those ranges never match."""


@dataclass(frozen=True)
class LastRun:
    """The latest import or match, from the audit trail."""

    at: dt.datetime
    actor: str
    reason: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class VulnDbStatus:
    advisories: int
    withdrawn: int
    newest_modified: dt.datetime | None
    ecosystems: list[EcosystemCount]
    sources: list[SourceCount]
    last_import: LastRun | None
    last_match: LastRun | None
    releases: list[dict[str, Any]] = field(default_factory=list)
    """Releases whose components can be matched: key, title, status, components."""


class VulnDbService:
    """Import OSV advisories, report what is held, match releases against it."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def import_advisories(
        self,
        actor: str,
        path: Path,
        progress: Progress | None = None,
        source: str | None = None,
    ) -> AdvisoryImport:
        """Every OSV record under `path` (folder, ZIP or one file) in one transaction: new
        records inserted, changed ones (modified time or content) replaced, the rest left."""
        step = progress or (lambda _what, _done, _total: None)
        with read_connection(self._context.engine) as connection:
            require(connection, self._context, actor, "write", "vulnerability")
        if not path.exists():
            raise InvalidInput(f"{path}: no such folder or file")
        label = source or (path.name if path.is_dir() else path.stem)
        now = self._context.clock()
        total = _count_files(path)
        prepared = _read_advisories(
            path, label, now, lambda done: step("reading advisories", done, total)
        )
        step("writing", len(prepared), total)
        with write_transaction(self._context.engine) as connection:
            held = advisory_store.stored(connection)
            new = [item for item in prepared if item.osv_id not in held]
            changed = [
                (held[item.osv_id].id, item)
                for item in prepared
                if item.osv_id in held
                and (
                    held[item.osv_id].digest != item.row["digest"]
                    or held[item.osv_id].modified != item.row["modified"]
                )
            ]
            advisory_store.insert(connection, new)
            advisory_store.update(connection, changed)
            result = AdvisoryImport(
                source=label,
                file=path.name,
                records=len(prepared),
                new=len(new),
                updated=len(changed),
                unchanged=len(prepared) - len(new) - len(changed),
                withdrawn=sum(1 for item in prepared if item.row["withdrawn"] is not None),
                unparsed_versions=len(set().union(*(item.unreadable for item in prepared))),
            )
            digest = sha256_hex(canonical_json(sorted(i.row["digest"] for i in prepared)))
            event = NewEvent(
                actor=actor,
                action="vulndb.import",
                subject=SUBJECT,
                reason=f"OSV advisories from {path.name}",
                after=digest,
                payload={
                    **dataclasses.asdict(result),
                    "changed": sorted(item.osv_id for _, item in changed)[:1000],
                },
            )
            append(connection, now, [event])
        step("done", len(prepared), total)
        return result

    def import_bytes(
        self, actor: str, data: bytes, name: str, progress: Progress | None = None
    ) -> AdvisoryImport:
        """An uploaded ZIP archive or OSV record (JSON or YAML), named `name`."""
        filename = Path(name).name
        if not filename.lower().endswith((".zip", *SUFFIXES)):
            raise InvalidInput(f"{filename}: upload a ZIP archive or an OSV .json/.yaml record")
        if len(data) > MAX_UPLOAD:
            raise InvalidInput(f"{filename}: larger than {MAX_UPLOAD >> 20} MiB")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / filename
            path.write_bytes(data)
            if filename.lower().endswith(".zip") and not zipfile.is_zipfile(path):
                raise InvalidInput(f"{filename}: not a ZIP archive")
            return self.import_advisories(actor, path, progress, source=path.stem)

    def status(self, user: User) -> VulnDbStatus:
        """Advisories held per ecosystem and source, the newest modified time, the last
        import and match, and the releases that can be matched."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            total, withdrawn, newest = connection.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.count(advisory.c.withdrawn),
                    sa.func.max(advisory.c.modified),
                )
            ).one()
            return VulnDbStatus(
                advisories=int(total),
                withdrawn=int(withdrawn),
                newest_modified=newest,
                ecosystems=advisory_store.ecosystem_counts(connection),
                sources=advisory_store.source_counts(connection),
                last_import=_last(connection, "vulndb.import"),
                last_match=_last(connection, "vulndb.match"),
                releases=matchable_releases(connection, self._context.profile),
            )

    def match(
        self, actor: str, release: str | None = None, progress: Progress | None = None
    ) -> MatchReport:
        """Match one release (or every release not withdrawn) against the database and write
        the vulnerabilities, links, component versions and CAPA candidates it finds."""
        with read_connection(self._context.engine) as connection:
            require(connection, self._context, actor, "write", "vulnerability")
        return match_releases(self._context, actor, release, progress)


def _read_advisories(
    path: Path, label: str, now: dt.datetime, read: Callable[[int], None]
) -> list[PreparedAdvisory]:
    """Every record under `path` checked and prepared before anything is written; an id
    held twice is refused naming both files."""
    prepared: list[PreparedAdvisory] = []
    seen: dict[str, str] = {}
    for file in read_osv_tree(path):
        if file.record.id in seen:
            raise InvalidInput(
                f"{file.path}: {file.record.id} is also in {seen[file.record.id]}; "
                "an import holds each advisory once"
            )
        seen[file.record.id] = file.path
        prepared.append(advisory_store.prepare(file, label, now))
        if len(prepared) % 250 == 0:
            read(len(prepared))
    return prepared


def _count_files(path: Path) -> int:
    """How many files an import will read (for progress; 0 when unknown)."""
    if path.is_dir():
        return sum(1 for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(1 for name in archive.namelist() if name.lower().endswith(SUFFIXES))
    return 1


def _last(connection: sa.Connection, action: str) -> LastRun | None:
    row = connection.execute(
        sa.select(
            audit_event.c.at, audit_event.c.actor, audit_event.c.reason, audit_event.c.payload
        )
        .where(audit_event.c.subject == SUBJECT, audit_event.c.action == action)
        .order_by(audit_event.c.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else LastRun(row.at, row.actor, row.reason, dict(row.payload))
