"""The superseded-reference linter as a service: a file (Markdown, text, DOCX, PDF) or a
document record's text (its body and its attached file), with each finding's occurrence and
whether it is suppressed. Dated historical records are allowed their legacy terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qspine.formats.document_text import read_document
from qspine.model.errors import InvalidInput
from qspine.model.superseded import LintFinding, occurrence, scan
from qspine.rules.qmsr.documents import historical
from qspine.services.context import SpineContext
from qspine.services.facts import SpineFacts
from qspine.services.readiness import RULE_REFERENCES, active_suppressions
from qspine.services.users import User, UserService
from qspine.store.blobs import BlobStore
from qspine.store.engine import read_connection


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
    historical: bool
    """A dated historical record (allowed its legacy terms): findings shown, not counted."""
    findings: list[PlacedFinding] = field(default_factory=list)

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

    def lint_file(self, path: Path, name: str | None = None) -> LintedFile:
        return lint_file(path, name)

    def lint_record(self, user: User, key: str) -> RecordLint:
        """A document record's text (current version), each finding with its occurrence."""
        self._users.permits(user, "read")
        now = self._context.clock()
        with read_connection(self._context.engine) as connection:
            blobs = BlobStore(self._context.blob_dir)
            facts = SpineFacts(connection, self._context.profile, blobs, now.date(), None)
            kinds = [k for k, spec in self._context.profile.kinds.items() if "body" in spec.fields]
            record = next((r for kind in kinds for r in facts.records(kind) if r.key == key), None)
            if record is None:
                raise InvalidInput(f"{key}: not a document record with text to lint")
            suppressed = active_suppressions(connection, now)
            lines = facts.text_of(record)
        placed = []
        for lint in scan([line.text for line in lines]):
            line = lines[lint.line - 1]
            found = LintFinding(
                lint.rule,
                lint.title,
                lint.line,
                lint.column,
                lint.text,
                lint.replacement,
                lint.reason,
                lint.severity,
                line.place,
            )
            ident = occurrence(lint, line.text)
            accepted = suppressed.get((RULE_REFERENCES, key, ident))
            placed.append(PlacedFinding(found, ident, accepted.reason if accepted else ""))
        return RecordLint(key, record.kind, record.status, historical(record), placed)
