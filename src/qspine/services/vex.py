"""VEX and signed triage (issue 7): triage decisions on vulnerability records, VEX import and
export for a release, and the vulnerability list.

A triage decision is a new version of the vulnerability record (triage_state, vex_justification,
the justification text, triaged_on) signed `triaged` by the deciding user, who re-enters the
password (21 CFR 11.50, 11.200). The version and its signature land in one transaction, or
neither does. A VEX import applies each statement it can match as such a signed decision, all
in one transaction; what it cannot match is reported, never an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from qspine.formats.vex import STATES, parse_vex
from qspine.model.errors import InvalidInput
from qspine.model.signatures import SignatureView
from qspine.services import reads
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.lifecycle import check_expected, load_record, load_version
from qspine.services.revisions import Revision, revise_in
from qspine.services.signing import SigningService, sign_in
from qspine.services.users import User, UserService, require
from qspine.services.vex_export import FORMATS, VexExport, export_document
from qspine.services.vex_list import VulnerabilityList, VulnerabilityRow, row_of
from qspine.services.vex_match import Decision, Skipped, decision_problem, plan_import
from qspine.services.vex_reads import (
    TRIAGED,
    VULNERABILITY,
    Vulnerability,
    affected_targets,
    all_vulnerabilities,
    release_row,
    release_scope,
    triage_signatures,
)
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import link

Progress = Callable[[str, int, int], None]
MAX_VEX_BYTES = 32 << 20
"""The largest VEX document an import accepts (the web and API faces read no more)."""


@dataclass(frozen=True)
class Triage:
    """A signed triage decision: the new version and its signature."""

    key: str
    version: int
    state: str
    justification: str | None
    signature: SignatureView


@dataclass(frozen=True)
class Applied:
    key: str
    identifier: str
    state: str
    justification: str | None
    version: int
    signature: int
    statement: int
    products: tuple[str, ...]


@dataclass(frozen=True)
class VexImport:
    """What an import did: decisions signed, and every statement it left alone and why."""

    release: str
    file: str
    format: str
    spec_version: str
    sha256: str
    statements: int
    applied: tuple[Applied, ...]
    unchanged: tuple[Skipped, ...]
    skipped: tuple[Skipped, ...]
    not_in_release: tuple[Skipped, ...]
    warnings: tuple[str, ...]


class VexService:
    """Triage vulnerabilities and exchange VEX documents for releases."""

    def __init__(self, context: SpineContext, users: UserService, signing: SigningService) -> None:
        self._context = context
        self._users = users
        self._signing = signing

    # -- triage ---------------------------------------------------------------------------

    def preflight_triage(self, actor: str, key: str, expected_version: int) -> None:
        """Every check of `triage` that does not depend on the decision or the password, so a
        face can refuse before asking for either."""
        with read_connection(self._context.engine) as connection:
            row = load_record(connection, key)
            _require_vulnerability(row["kind"], key)
            require(connection, self._context, actor, "write", VULNERABILITY)
        self._signing.preflight(actor, key, TRIAGED, expected_version)

    def triage(
        self,
        actor: str,
        password: str,
        key: str,
        state: str,
        justification: str | None = None,
        detail: str = "",
        patient_risk: str | None = None,
        *,
        expected_version: int,
        remediation: str = "",
    ) -> Triage:
        """Decide `key`'s triage state as a new version signed `triaged`. not_affected needs a
        VEX justification; affected and fixed need a detail or a remediation text."""
        justification = justification or None
        self.preflight_triage(actor, key, expected_version)
        with read_connection(self._context.engine) as connection:
            current = _latest_fields(connection, key)
        problem = decision_problem(
            state, justification, detail, remediation or str(current.get("remediation") or "")
        )
        if problem:
            raise InvalidInput(f"{key}: {problem}")
        _check_patient_risk(self._context, key, patient_risk)
        signer = self._users.authenticate(actor, password)
        now = self._context.clock()
        decision = Decision(key, "", state, justification, detail.strip(), remediation, 0, ())
        reason = f"triage: {state}" + (f" ({justification})" if justification else "")
        with write_transaction(self._context.engine) as connection:
            check_expected(load_record(connection, key), expected_version)
            number, signature_id, events = _decide(
                connection, self._context, actor, signer, decision, reason, now, patient_risk
            )
            append(connection, now, events)
        with read_connection(self._context.engine) as connection:
            row = load_record(connection, key)
            views = reads.signatures_of(connection, self._context.profile, row["id"], key)
        signed = next(view for view in views if view.id == signature_id)
        return Triage(key, number, state, justification, signed)

    # -- VEX import -----------------------------------------------------------------------

    def import_vex(
        self,
        actor: str,
        password: str,
        path: Path,
        release_key: str,
        progress: Progress | None = None,
    ) -> VexImport:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InvalidInput(f"{path.name}: cannot be read: {error.strerror or error}") from error
        return self.import_bytes(actor, password, data, path.name, release_key, progress)

    def import_bytes(
        self,
        actor: str,
        password: str,
        data: bytes,
        name: str,
        release_key: str,
        progress: Progress | None = None,
    ) -> VexImport:
        """Apply the statements of a VEX document to the vulnerabilities of `release_key`, each
        as a signed triage decision, in one transaction."""
        step = progress or (lambda _what, _done, _total: None)
        step("reading the document", 0, 1)
        if len(data) > MAX_VEX_BYTES:
            raise InvalidInput(f"{name}: larger than {MAX_VEX_BYTES >> 20} MiB")
        document = parse_vex(data, name)
        with read_connection(self._context.engine) as connection:
            release_row(connection, release_key)
            require(connection, self._context, actor, "write", VULNERABILITY)
            require(connection, self._context, actor, "sign", TRIAGED)
        signer = self._users.authenticate(actor, password)
        now = self._context.clock()
        digest = hashlib.sha256(data).hexdigest()
        closed = _closed_states(self._context)
        with write_transaction(self._context.engine) as connection:
            plan = plan_import(document, release_scope(connection, release_key), closed)
            events: list[NewEvent] = []
            applied = []
            total = len(plan.decisions)
            for done, decision in enumerate(plan.decisions):
                step("signing triage decisions", done, total)
                reason = f"VEX {name} statement {decision.statement}: {decision.state}" + (
                    f" ({decision.justification})" if decision.justification else ""
                )
                number, signature_id, made = _decide(
                    connection, self._context, actor, signer, decision, reason, now, None
                )
                events += made
                applied.append(
                    Applied(
                        decision.key,
                        decision.identifier,
                        decision.state,
                        decision.justification,
                        number,
                        signature_id,
                        decision.statement,
                        decision.products,
                    )
                )
            step("signing triage decisions", total, total)
            events.append(
                NewEvent(
                    actor=actor,
                    action="vex.import",
                    subject=release_key,
                    reason=f"VEX {name} ({document.format} {document.spec_version})",
                    after=digest,
                    payload={
                        "file": name,
                        "format": document.format,
                        "identifier": document.identifier,
                        "statements": len(document.statements),
                        "applied": [a.key for a in applied],
                        "unchanged": len(plan.unchanged),
                        "skipped": len(plan.skipped),
                        "not_in_release": len(plan.outside),
                    },
                )
            )
            append(connection, now, events)
        return VexImport(
            release=release_key,
            file=name,
            format=document.format,
            spec_version=document.spec_version,
            sha256=digest,
            statements=len(document.statements),
            applied=tuple(applied),
            unchanged=tuple(plan.unchanged),
            skipped=tuple(plan.skipped),
            not_in_release=tuple(plan.outside),
            warnings=document.warnings,
        )

    # -- VEX export -----------------------------------------------------------------------

    def export_vex(
        self, user: User, release_key: str, format: str, *, author: str | None = None
    ) -> VexExport:
        """The release's vulnerabilities with their current triage as CycloneDX VEX (1.6) or
        OpenVEX (v0.2.0); the products are the affected components (purl, else bom-ref)."""
        self._users.permits(user, "read")
        if format not in FORMATS:
            raise InvalidInput(f"VEX format '{format}' is not one of {', '.join(FORMATS)}")
        with read_connection(self._context.engine) as connection:
            scope = release_scope(connection, release_key)
        return export_document(scope, format, author, self._context.clock())

    # -- reads ----------------------------------------------------------------------------

    def list_vulnerabilities(
        self, user: User, release_key: str | None = None, state: str | None = None
    ) -> VulnerabilityList:
        """Every vulnerability (or those of one release), most urgent first: open ones by
        days open, then the decided ones."""
        self._users.permits(user, "read")
        if state is not None and state not in STATES:
            raise InvalidInput(f"triage state '{state}' is not one of {', '.join(STATES)}")
        today = self._context.clock().date()
        closed = _closed_states(self._context)
        with read_connection(self._context.engine) as connection:
            pinned: dict[str, dict[str, Any]] = {}
            if release_key is not None:
                scope = release_scope(connection, release_key)
                found = list(scope.vulnerabilities)
                pinned = {c.key: c.fields for c in scope.components}
            else:
                found = all_vulnerabilities(connection)
            signatures = triage_signatures(connection, [v.key for v in found])
        rows = [row_of(v, signatures.get(v.key), today, closed, pinned) for v in found]
        counts = {name: sum(1 for r in rows if r.triage_state == name) for name in STATES}
        rows.sort(key=lambda r: (not r.open, -(r.days_open or 0), r.key))
        if state is not None:
            rows = [r for r in rows if r.triage_state == state]
        return VulnerabilityList(release_key, state, today, tuple(rows), counts)

    def vulnerability(self, user: User, key: str) -> VulnerabilityRow:
        """One vulnerability's row (the triage page)."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            row = load_record(connection, key)
            _require_vulnerability(row["kind"], key)
            targets = affected_targets(connection, link.c.source_id == row["id"])
            fields = _latest_fields(connection, key)
            signatures = triage_signatures(connection, [key])
        found = Vulnerability(
            key, row["title"], row["status"], row["latest_version"], fields, tuple(targets)
        )
        return row_of(
            found,
            signatures.get(key),
            self._context.clock().date(),
            _closed_states(self._context),
        )


def _decide(
    connection: Connection,
    context: SpineContext,
    actor: str,
    signer: User,
    decision: Decision,
    reason: str,
    now: dt.datetime,
    patient_risk: str | None,
) -> tuple[int, int, list[NewEvent]]:
    """Write `decision` as a new version of its vulnerability and sign it `triaged`, in the
    caller's transaction; returns the version number, the signature id and the events."""
    changes: dict[str, Any] = {
        "triage_state": decision.state,
        "vex_justification": decision.justification,
        "justification": decision.detail or None,
        "triaged_on": now.date().isoformat(),
    }
    if decision.action.strip():
        changes["remediation"] = decision.action.strip()
    if patient_risk is not None:
        changes["patient_risk"] = patient_risk
    events = revise_in(connection, context, actor, [Revision(decision.key, changes, reason)], now)
    number = int(load_record(connection, decision.key)["latest_version"])
    signature_id, signed = sign_in(
        connection, context, actor, signer.full_name, decision.key, TRIAGED, number, reason, now
    )
    events += signed
    events.append(
        NewEvent(
            actor=actor,
            action="vulnerability.triage",
            subject=decision.key,
            version=number,
            reason=reason,
            payload={
                "state": decision.state,
                "justification": decision.justification,
                "signature": signature_id,
            },
        )
    )
    return number, signature_id, events


def _latest_fields(connection: Connection, key: str) -> dict[str, Any]:
    row = load_record(connection, key)
    return dict(load_version(connection, row["id"], row["latest_version"])["fields"])


def _require_vulnerability(kind: str, key: str) -> None:
    if kind != VULNERABILITY:
        raise InvalidInput(f"{key} is a {kind}, not a vulnerability")


def _check_patient_risk(context: SpineContext, key: str, value: str | None) -> None:
    if value is None:
        return
    allowed = context.profile.kinds[VULNERABILITY].fields["patient_risk"].values
    if value not in allowed:
        raise InvalidInput(f"{key}: patient_risk '{value}' is not one of {', '.join(allowed)}")


def _closed_states(context: SpineContext) -> frozenset[str]:
    lifecycle = context.profile.lifecycle_of(VULNERABILITY)
    return frozenset(name for name, state in lifecycle.states.items() if state.terminal)
