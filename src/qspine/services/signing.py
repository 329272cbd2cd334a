"""Electronic signatures with re-authentication and separation of duties (21 CFR 11.50-11.200).

Signing re-enters the password every time (11.200(a)(1)(ii): outside one continuous
controlled session, every component). When the lifecycle gates a transition on the meaning
signed, the signature and the transition happen in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import Forbidden, InvalidInput
from qspine.model.profile import LifecycleSpec, TransitionSpec
from qspine.model.signatures import SignatureView, signature_binding
from qspine.services import guards, reads
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.lifecycle import change_status, check_expected, load_record, load_version
from qspine.services.training import signing_blockers
from qspine.services.users import UserService, require
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import signature


@dataclass(frozen=True)
class _Plan:
    row: RowMapping
    lifecycle: LifecycleSpec
    version: RowMapping
    step: TransitionSpec | None


class SigningService:
    """Sign the current version of a record with a meaning."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def preflight(self, actor: str, key: str, meaning: str, expected_version: int) -> str | None:
        """Every check of `sign` but the password; returns the status the signature moves to.

        Faces call it before asking for the password, so nobody types a password for a
        signature that would be refused anyway.
        """
        with read_connection(self._context.engine) as connection:
            plan = self._plan(connection, actor, key, meaning, expected_version)
        return plan.step.to if plan.step else None

    def sign(
        self,
        actor: str,
        password: str,
        key: str,
        meaning: str,
        expected_version: int,
        reason: str = "",
    ) -> SignatureView:
        self.preflight(actor, key, meaning, expected_version)
        signer = self._users.authenticate(actor, password)
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            signature_id, events = sign_in(
                connection,
                self._context,
                actor,
                signer.full_name,
                key,
                meaning,
                expected_version,
                reason,
                now,
            )
            append(connection, now, events)
            record_id = load_record(connection, key)["id"]
        with read_connection(self._context.engine) as connection:
            views = reads.signatures_of(connection, self._context.profile, record_id, key)
        return next(view for view in views if view.id == signature_id)

    def _plan(
        self, connection: Connection, actor: str, key: str, meaning: str, expected_version: int
    ) -> _Plan:
        return _plan(connection, self._context, actor, key, meaning, expected_version)


def sign_in(
    connection: Connection,
    context: SpineContext,
    actor: str,
    printed_name: str,
    key: str,
    meaning: str,
    expected_version: int,
    reason: str,
    now: dt.datetime,
) -> tuple[int, list[NewEvent]]:
    """Sign in the caller's write transaction, every check of `sign` made but the password
    (the caller has just authenticated `actor`): a decision written as a new version and the
    signature on it land together or not at all. Returns the signature id and the events
    for the caller to append."""
    plan = _plan(connection, context, actor, key, meaning, expected_version)
    current = plan.version
    binding = signature_binding(
        signer=actor,
        printed_name=printed_name,
        meaning=meaning,
        at=now,
        key=key,
        version=current["number"],
        fingerprint=current["fingerprint"],
    )
    signature_id = int(
        connection.execute(
            signature.insert()
            .returning(signature.c.id)
            .values(
                record_id=plan.row["id"],
                version_number=current["number"],
                signer=actor,
                printed_name=printed_name,
                meaning=meaning,
                at=now,
                reason=reason,
                fingerprint=current["fingerprint"],
                binding=binding,
            )
        ).scalar_one()
    )
    events = [
        NewEvent(
            actor=actor,
            action="signature.create",
            subject=key,
            version=current["number"],
            reason=reason,
            after=current["fingerprint"],
            payload={
                "meaning": meaning,
                "printed_name": printed_name,
                "signature": signature_id,
                "binding": binding,
            },
        )
    ]
    if plan.step is not None:
        events += change_status(
            connection,
            lifecycle=plan.lifecycle,
            row=plan.row,
            number=current["number"],
            from_status=current["status"],
            to_status=plan.step.to,
            actor=actor,
            reason=reason or f"signed: {meaning}",
            at=now,
            signature_id=signature_id,
        )
        events += guards.reasoning(
            connection, context.profile, key, plan.step.to, actor, now.date(), context.blob_dir
        )
    return signature_id, events


def _plan(
    connection: Connection,
    context: SpineContext,
    actor: str,
    key: str,
    meaning: str,
    expected_version: int,
) -> _Plan:
    profile = context.profile
    if meaning not in profile.meanings:
        raise InvalidInput(
            f"{key}: unknown signature meaning '{meaning}' "
            f"(meanings: {', '.join(profile.meanings)})"
        )
    row = load_record(connection, key)
    require(connection, context, actor, "sign", meaning)
    owed = signing_blockers(connection, context.profile, actor, row["kind"], context.clock().date())
    if owed:
        raise Forbidden(
            f"{actor} may not sign {key} until trained for their job role "
            f"(21 CFR 11.10(g); ISO 13485:2016 6.2): " + "; ".join(owed)
        )
    check_expected(row, expected_version)
    lifecycle = profile.lifecycle_of(row["kind"])
    current = load_version(connection, row["id"], row["latest_version"])
    status = current["status"]
    if lifecycle.states[status].terminal:
        raise InvalidInput(f"{key} v{current['number']} is {status}: it cannot be signed")
    step = next((t for t in lifecycle.next_states(status) if t.signature == meaning), None)
    gating = {t.signature for t in lifecycle.transitions if t.signature}
    if step is None and meaning in gating:
        following = ", ".join(t.to for t in lifecycle.next_states(status)) or "none"
        raise InvalidInput(
            f"{key} v{current['number']} is {status}: a '{meaning}' signature is not "
            f"what this state needs (next: {following})"
        )
    if step is not None and step.separation_of_duties and current["author"] == actor:
        raise Forbidden(
            f"{key} v{current['number']}: separation of duties — its author "
            f"{actor} cannot sign it as {meaning}"
        )
    if step is not None:
        guards.refuse_if_blocked(
            connection, profile, key, step.to, context.clock().date(), context.blob_dir
        )
    return _Plan(row, lifecycle, current, step)
