"""The approved supplier list (ISO 13485:2016 7.4.1): read from the supplier records, the
audits and documents that evidence their evaluation, and the records they supply."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Connection

from qspine.model.deadlines import as_date
from qspine.model.suppliers import STATES, SupplierAudit, SupplierEntry, SupplierList
from qspine.services import reads
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection
from qspine.store.schema import link

EVIDENCE_LINKS = ("audits_supplier", "evidences", "supplied_by")


class SupplierService:
    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def approved_list(self, user: User, approved_only: bool = False) -> SupplierList:
        """Every supplier (or only the approved ones), the most urgent evaluation first:
        overdue re-evaluations, then due soon, then by criticality and key."""
        self._users.permits(user, "read")
        today = self._context.clock().date()
        with read_connection(self._context.engine) as connection:
            entries = _entries(connection, today)
        if approved_only:
            entries = [e for e in entries if e.status == "approved"]
        rank = {"critical": 0, "major": 1, "minor": 2}
        entries.sort(
            key=lambda e: (
                STATES.index(e.state),
                e.reevaluation_due or today,
                rank.get(e.criticality or "", 3),
            )
        )  # stable: creation order within a tie
        return SupplierList(today, tuple(entries))


def _entries(connection: Connection, today: dt.date) -> list[SupplierEntry]:
    links = reads.links_where(connection, link.c.type.in_(EVIDENCE_LINKS), frozenset())
    audits: dict[str, list[str]] = {}
    evidence: dict[str, list[str]] = {}
    supplies: dict[str, list[str]] = {}
    for item in links:
        if item.type == "audits_supplier":
            audits.setdefault(item.target, []).append(item.source)
        elif item.type == "evidences":
            evidence.setdefault(item.target, []).append(item.source)
        else:
            supplies.setdefault(item.target, []).append(item.source)
    audit_rows = {
        row.key: row
        for row in reads.kind_records(
            connection, "audit", keys={key for keys in audits.values() for key in keys}
        )
    }
    entries = []
    for row in reads.kind_records(connection, "supplier"):
        fields = row.fields
        due = as_date(fields.get("reevaluation_due"))
        entries.append(
            SupplierEntry(
                key=row.key,
                title=row.title,
                status=row.status,
                approval_status=fields.get("approval_status"),
                criticality=fields.get("criticality"),
                supplier_type=fields.get("supplier_type"),
                evaluation_method=fields.get("evaluation_method"),
                evaluation_date=as_date(fields.get("evaluation_date")),
                reevaluation_due=due,
                evidence=tuple(evidence.get(row.key, ())),
                audits=tuple(
                    SupplierAudit(
                        key,
                        audit_rows[key].title,
                        audit_rows[key].status,
                        as_date(audit_rows[key].fields.get("audit_date")),
                    )
                    for key in audits.get(row.key, ())
                    if key in audit_rows
                ),
                supplies=tuple(supplies.get(row.key, ())),
                state=SupplierEntry.state_of(row.status, due, today),
            )
        )
    return entries
