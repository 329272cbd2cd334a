"""The approved supplier list (ISO 13485:2016 7.4.1) as data: each supplier's approval, its
evaluation and re-evaluation dates, the evidence and audits behind it and what it supplies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qspine.model.todo import due_state

OVERDUE, DUE_SOON, CURRENT, NO_DUE_DATE, NOT_APPROVED = (
    "re-evaluation overdue",
    "re-evaluation due soon",
    "current",
    "no re-evaluation date",
    "not approved",
)
STATES = (OVERDUE, DUE_SOON, NO_DUE_DATE, CURRENT, NOT_APPROVED)
"""Evaluation states, most urgent first."""
_BY_DUE_STATE = {"overdue": OVERDUE, "due soon": DUE_SOON, "later": CURRENT, "open": NO_DUE_DATE}
"""An approved supplier's state from its re-evaluation date, as a to-do item's from its due."""


@dataclass(frozen=True)
class SupplierAudit:
    key: str
    title: str
    status: str
    audit_date: dt.date | None


@dataclass(frozen=True)
class SupplierEntry:
    """One supplier as the approved supplier list shows it."""

    key: str
    title: str
    status: str
    approval_status: str | None
    criticality: str | None
    supplier_type: str | None
    evaluation_method: str | None
    evaluation_date: dt.date | None
    reevaluation_due: dt.date | None
    evidence: tuple[str, ...]
    audits: tuple[SupplierAudit, ...]
    supplies: tuple[str, ...]
    state: str

    @staticmethod
    def state_of(status: str, due: dt.date | None, today: dt.date) -> str:
        """Where the supplier's evaluation stands: only an approved supplier has one in force."""
        if status != "approved":
            return NOT_APPROVED
        return _BY_DUE_STATE[due_state(due, today)]


@dataclass(frozen=True)
class SupplierList:
    today: dt.date
    suppliers: tuple[SupplierEntry, ...]

    @property
    def counts(self) -> dict[str, int]:
        """How many suppliers are in each evaluation state (every state listed)."""
        return {state: sum(s.state == state for s in self.suppliers) for state in STATES}
