"""Datasets pinned by their manifest: register (from a path or an upload), verify the files
against the pin, and follow lineage both ways (ADR 0015 point 2).

Registration hashes every file, stores the manifest as a blob (its canonical JSON, so the
blob's SHA-256 is `manifest_sha256`) and writes the dataset record with its
`derived_from_dataset` links in one transaction with audit events. Uploaded files are kept in
the spine's managed dataset folder, `<blob folder>.datasets/<manifest digest>/`.
"""

from __future__ import annotations

import builtins
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.formats.dataset_manifest import SKIPPED_FOLDERS, Manifest, OnFile, build_manifest
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.fields import validate_fields
from qspine.model.records import RecordView
from qspine.services import reads
from qspine.services.audit import NewEvent, append
from qspine.services.blobs import BlobService
from qspine.services.context import SpineContext
from qspine.services.dataset_files import check_files, load_manifest, managed_folder
from qspine.services.dataset_files import manifest_bytes as stored_form
from qspine.services.history import CHUNK
from qspine.services.lifecycle import load_record_of
from qspine.services.links import NewLink, write_links
from qspine.services.records import NewRecord, insert_records
from qspine.services.users import User, UserService, require
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import link, record, version

MAX_UPLOAD_BYTES = 256 << 20
"""The largest dataset upload (all files together) the API and web page take."""

KIND = "dataset"
DERIVED = "derived_from_dataset"
# Fields registration computes from the files; given values would contradict the files.
COMPUTED = ("manifest_sha256", "manifest", "location", "file_count", "row_count", "schema")


@dataclass(frozen=True)
class DatasetCheck:
    """The files at a dataset version's location against its pinned manifest, now."""

    key: str
    version: int
    location: str
    manifest_sha256: str
    current_sha256: str | None
    differences: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return not self.differences


@dataclass(frozen=True)
class Related:
    """A record met while following lineage: its current version and status."""

    key: str
    kind: str
    title: str
    status: str
    version: int
    depth: int = 1
    via: str = ""
    purpose: str = ""
    transformation: str = ""
    split: str = ""


@dataclass(frozen=True)
class Lineage:
    """Where a dataset came from and what was made from it: ancestors (derived_from_dataset
    followed out), descendants (followed in), the model versions trained on it and the
    validation runs that used it."""

    key: str
    title: str
    ancestors: list[Related]
    descendants: list[Related]
    models: list[Related]
    runs: list[Related]


@dataclass(frozen=True)
class DatasetRow:
    key: str
    title: str
    status: str
    version: int
    purpose: str
    file_count: int | None
    row_count: int | None
    manifest_sha256: str
    location: str


class DatasetService:
    """Register, verify and trace dataset versions."""

    def __init__(self, context: SpineContext, users: UserService, blobs: BlobService) -> None:
        self._context = context
        self._users = users
        self._blobs = blobs

    def register(
        self,
        actor: str,
        path: Path,
        fields: dict[str, Any],
        derived_from: Sequence[str] = (),
        progress: OnFile | None = None,
    ) -> RecordView:
        """Hash the file or folder at `path` and record it as a new dataset, derived from the
        datasets named in `derived_from` (which needs a `transformation`)."""
        given = _given(fields)
        parents = _parents(derived_from)
        self._refuse(actor, given, parents)
        location = path.absolute()
        manifest = build_manifest(location, progress)
        return self._write(actor, location, manifest, given, parents)

    def upload(
        self,
        actor: str,
        files: Sequence[tuple[str, bytes]],
        fields: dict[str, Any],
        derived_from: Sequence[str] = (),
    ) -> RecordView:
        """Keep uploaded (relative name, content) files in the managed dataset folder, then
        register them there; an identical upload reuses the same folder."""
        given = _given(fields)
        parents = _parents(derived_from)
        names = _upload_names(files)
        self._refuse(actor, given, parents)
        home = managed_folder(self._context.blob_dir)
        home.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=home, prefix=".incoming-"))
        try:
            for name, (_, content) in zip(names, files, strict=True):
                target = staging.joinpath(*PurePosixPath(name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            manifest = build_manifest(staging)
            final = home / manifest.digest
            created = _keep(staging, final, manifest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        try:
            return self._write(actor, final, manifest, given, parents)
        except BaseException:
            if created:
                shutil.rmtree(final, ignore_errors=True)
            raise

    def verify(self, user: User, key: str, progress: OnFile | None = None) -> DatasetCheck:
        """Hash the files at the dataset's location again and compare with its manifest."""
        self._users.permits(user, "read")
        number, fields = self._latest(key)
        found = check_files(self._context.blob_dir, fields, progress)
        return DatasetCheck(
            key=key,
            version=number,
            location=str(fields.get("location", "")),
            manifest_sha256=str(fields.get("manifest_sha256", "")),
            current_sha256=None if found.current is None else found.current.digest,
            differences=found.differences,
        )

    def manifest(self, user: User, key: str) -> Manifest:
        """The manifest the dataset's current version pins."""
        self._users.permits(user, "read")
        _, fields = self._latest(key)
        digest = fields.get("manifest")
        if not digest:
            raise NotFound(f"{key}: no manifest is stored with this dataset")
        return load_manifest(self._context.blob_dir, str(digest))

    def lineage(self, user: User, key: str) -> Lineage:
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            row = _dataset_row(connection, key)
            return Lineage(
                key=key,
                title=str(row["title"]),
                ancestors=_walk(connection, key, outward=True),
                descendants=_walk(connection, key, outward=False),
                models=_neighbours(connection, "trained_on", [key], outward=False),
                runs=_neighbours(connection, "uses_data", [key], outward=False),
            )

    def list(self, user: User) -> list[DatasetRow]:
        """Every dataset, newest first, with the facts of its current version."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            rows = reads.kind_records(connection, KIND)
        return [
            DatasetRow(
                key=r.key,
                title=r.title,
                status=r.status,
                version=r.number,
                purpose=str(r.fields.get("purpose", "")),
                file_count=r.fields.get("file_count"),
                row_count=r.fields.get("row_count"),
                manifest_sha256=str(r.fields.get("manifest_sha256", "")),
                location=str(r.fields.get("location", "")),
            )
            for r in reversed(rows)
        ]

    # -- helpers ------------------------------------------------------------------------------

    def _refuse(self, actor: str, given: dict[str, Any], parents: builtins.list[str]) -> None:
        """Everything checkable before hashing: computed fields given, lineage without its
        transformation, the actor's permission, the parents, the given fields' values."""
        computed = sorted(set(given) & set(COMPUTED))
        if computed:
            raise InvalidInput(
                f"new dataset: {', '.join(computed)} are computed from the files, not given"
            )
        if parents and not str(given.get("transformation", "")).strip():
            raise InvalidInput(
                "new dataset: derived from "
                + ", ".join(parents)
                + " but no transformation says how (give --transformation)"
            )
        with read_connection(self._context.engine) as connection:
            require(connection, self._context, actor, "write", KIND)
            for parent in parents:
                _dataset_row(connection, parent)
        # the computed fields of an empty manifest stand in for those of the files
        stand_in = {**given, **_computed(Path(), Manifest(()))}
        validate_fields("new dataset", KIND, self._context.profile.kinds[KIND], stand_in)

    def _write(
        self,
        actor: str,
        location: Path,
        manifest: Manifest,
        given: dict[str, Any],
        parents: builtins.list[str],
    ) -> RecordView:
        fields = {**given, **_computed(location, manifest)}
        validate_fields("new dataset", KIND, self._context.profile.kinds[KIND], fields)
        self._store(actor, manifest)
        reason = f"dataset registered from {location}"
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            _, (key,), events = insert_records(
                connection, self._context, actor, [NewRecord(KIND, fields)], reason, now
            )
            events.append(
                NewEvent(
                    actor=actor,
                    action="dataset.register",
                    subject=key,
                    version=1,
                    reason=reason,
                    after=manifest.digest,
                    payload={
                        "location": str(location),
                        "files": len(manifest.files),
                        "rows": manifest.rows,
                        "bytes": manifest.size,
                        "derived_from": parents,
                    },
                )
            )
            append(connection, now, events)
            links = [NewLink(DERIVED, key, parent) for parent in parents]
            if links:
                write_links(connection, self._context, actor, links, reason)
            return reads.record_view(connection, self._context.profile, key)

    def _store(self, actor: str, manifest: Manifest) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "manifest.json"
            path.write_bytes(stored_form(manifest))
            self._blobs.add(actor, path)

    def _latest(self, key: str) -> tuple[int, dict[str, Any]]:
        with read_connection(self._context.engine) as connection:
            row = _dataset_row(connection, key)
            fields = connection.execute(
                sa.select(version.c.fields).where(
                    version.c.record_id == row["id"], version.c.number == row["latest_version"]
                )
            ).scalar_one()
        return int(row["latest_version"]), dict(fields)


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value not in (None, "")}


def _parents(derived_from: Iterable[str]) -> list[str]:
    parents = [key.strip() for key in derived_from if key.strip()]
    if len(set(parents)) != len(parents):
        raise InvalidInput("new dataset: a dataset is named twice in derived_from")
    return parents


def _computed(location: Path, manifest: Manifest) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "manifest_sha256": manifest.digest,
        "manifest": manifest.digest,
        "location": str(location),
        "file_count": len(manifest.files),
    }
    if any(f.rows is not None for f in manifest.files):
        fields["row_count"] = manifest.rows
    schema = manifest.schema_markdown()
    if schema:
        fields["schema"] = schema
    return fields


def _upload_names(files: Sequence[tuple[str, bytes]]) -> list[str]:
    """Each uploaded name as a safe relative POSIX path; refuse absolute, `..` and `.git`
    names, and a name used both as a file and as a folder."""
    if not files:
        raise InvalidInput("new dataset: no files uploaded")
    names = []
    for index, (name, _) in enumerate(files, 1):
        cleaned = PurePosixPath(name.replace("\\", "/"))
        parts = [p for p in cleaned.parts if p not in ("", ".")]
        hidden = any(part in SKIPPED_FOLDERS for part in parts)  # a manifest leaves them out
        if not parts or cleaned.is_absolute() or ".." in parts or hidden or "\x00" in name:
            raise InvalidInput(f"uploaded file {index} {name!r}: not a plain relative file name")
        names.append("/".join(parts))
    if len(set(names)) != len(names):
        raise InvalidInput("new dataset: the same file name is uploaded twice")
    folders = {
        name.rsplit("/", depth)[0] for name in names for depth in range(1, name.count("/") + 1)
    }
    clashes = sorted(folders & set(names))
    if clashes:
        raise InvalidInput(f"new dataset: '{clashes[0]}' is uploaded as a file and as a folder")
    return names


def _keep(staging: Path, final: Path, manifest: Manifest) -> bool:
    """Move the staged upload to `final`: True when moved, False when the same files are there
    already (an earlier upload, or one racing this one that moved first)."""
    try:
        staging.rename(final)
        return True
    except OSError:
        if not final.is_dir():
            raise
    if build_manifest(final).digest != manifest.digest:
        raise InvalidInput(f"{final}: the managed folder no longer matches its manifest")
    return False


def _dataset_row(connection: Connection, key: str) -> Any:
    return load_record_of(connection, key, KIND)


def _walk(connection: Connection, key: str, outward: bool) -> list[Related]:
    """Breadth-first along derived_from_dataset, one query per generation: out gives
    ancestors, in gives descendants."""
    found: list[Related] = []
    seen = {key}
    frontier = [key]
    depth = 0
    while frontier:
        depth += 1
        following = []
        for item in _neighbours(connection, DERIVED, frontier, outward, depth):
            if item.key not in seen:
                seen.add(item.key)
                found.append(item)
                following.append(item.key)
        frontier = following
    return found


def _neighbours(
    connection: Connection, type: str, keys: Sequence[str], outward: bool, depth: int = 1
) -> list[Related]:
    """Records linked to any of `keys` by active `type` links: their targets (outward) or
    sources, in the order of `keys`, each key's in creation order."""
    this, other = record.alias("this"), record.alias("other")
    this_end, other_end = (
        (link.c.source_id, link.c.target_id) if outward else (link.c.target_id, link.c.source_id)
    )
    query = (
        sa.select(
            this.c.key.label("via"),
            other.c.id,
            other.c.key,
            other.c.kind,
            other.c.title,
            other.c.status,
            other.c.latest_version,
            version.c.fields,
        )
        .select_from(link)
        .join(this, this.c.id == this_end)
        .join(other, other.c.id == other_end)
        .join(
            version,
            sa.and_(version.c.record_id == other.c.id, version.c.number == other.c.latest_version),
        )
        .where(link.c.type == type, link.c.removed_at.is_(None))
    )
    rows: list[Any] = []
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        rows += connection.execute(query.where(this.c.key.in_(part))).mappings().all()
    position = {key: index for index, key in enumerate(keys)}
    rows.sort(key=lambda r: (position[r["via"]], r["id"]))
    return [
        Related(
            key=r["key"],
            kind=r["kind"],
            title=r["title"],
            status=r["status"],
            version=r["latest_version"],
            depth=depth,
            via=r["via"],
            purpose=str(r["fields"].get("purpose", "")),
            transformation=str(r["fields"].get("transformation", "")),
            split=str(r["fields"].get("split", "")),
        )
        for r in rows
    ]
