"""The superseded-reference linter as a service: a file (Markdown, text, DOCX, PDF) or a
document record's text (its body and its attached file), with each finding's occurrence and
whether it is suppressed. Dated historical records are allowed their legacy terms."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from qspine.formats.document_text import read_document
from qspine.model.errors import InvalidInput
from qspine.model.superseded import LintFinding, scan
from qspine.rules.qmsr.documents import historical, in_force, references
from qspine.services.context import SpineContext
from qspine.services.facts import SpineFacts
from qspine.services.lifecycle import load_record
from qspine.services.readiness import RULE_REFERENCES, active_suppressions
from qspine.services.users import User, UserService
from qspine.store.blobs import BlobStore
from qspine.store.engine import read_connection

MAX_UPLOAD = 50 << 20
"""The largest document file the web and API faces accept for linting."""


@dataclass(frozen=True)
class LintedFile:
    path: str
    findings: list[LintFinding]


@dataclass(frozen=True)
class PlacedFinding:
    """A finding in a record's text, with the occurrence a suppression names."""

    finding: LintFinding
    occurrence: str
    suppressed_because: str = ""


@dataclass(frozen=True)
class RecordLint:
    key: str
    kind: str
    status: str
    version: int
    """The version read: the one in force, or the current one of a document never issued."""
    historical: bool
    """A dated historical record (allowed its legacy terms): findings shown, not counted."""
    findings: list[PlacedFinding] = field(default_factory=list)
    rule: str = RULE_REFERENCES
    """The readiness rule these findings belong to (what a suppression names)."""

    @property
    def open(self) -> list[PlacedFinding]:
        if self.historical:
            return []
        return [f for f in self.findings if not f.suppressed_because]


def lint_file(path: Path, name: str | None = None) -> LintedFile:
    """Every superseded reference in one file; InvalidInput naming it if unreadable. Needs
    no spine: `qspine lint FILE` works anywhere."""
    document = read_document(path, name)
    return LintedFile(document.path, scan(document.lines, document.where))


class LintService:
    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def lint_upload(self, user: User, stream: BinaryIO, name: str) -> LintedFile:
        """Lint an uploaded file (read, checked and discarded: nothing is stored)."""
        self._users.permits(user, "read")
        shown = Path(name or "upload").name
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload"
            size = 0
            with path.open("wb") as out:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_UPLOAD:
                        raise InvalidInput(f"{shown}: larger than {MAX_UPLOAD >> 20} MiB")
                    out.write(chunk)
            return lint_file(path, shown)

    def lint_record(self, user: User, key: str) -> RecordLint:
        """A document record's text as rule DOC-REF-001 reads it: the version in force (or,
        for a document never issued, its current version), each finding with its occurrence
        and any suppression standing now."""
        self._users.permits(user, "read")
        now = self._context.clock()
        with read_connection(self._context.engine) as connection:
            blobs = BlobStore(self._context.blob_dir)
            facts = SpineFacts(connection, self._context.profile, blobs, now.date(), None)
            kind = str(load_record(connection, key)["kind"])
            if kind != "document":
                raise InvalidInput(f"{key} is a {kind}, not a document record: nothing to lint")
            issued = {r.key: r for r in in_force(facts)}
            record = issued.get(key) or next(r for r in facts.records(kind) if r.key == key)
            suppressed = active_suppressions(connection, now)
            found = references(facts, record)
        placed = []
        for lint, ident in found:
            accepted = suppressed.get((RULE_REFERENCES, key, ident))
            placed.append(PlacedFinding(lint, ident, accepted.reason if accepted else ""))
        return RecordLint(key, kind, record.status, record.number, historical(record), placed)
