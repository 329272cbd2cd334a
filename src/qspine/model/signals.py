"""Follow-a-signal results: a quality event's chain across processes, hop by hop."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

# ok: found and complete; partial: found with gaps; missing: a hop the chain needs is absent;
# not_reached: the chain ended before this hop (no investigation needed, or no design change).
HopState = Literal["ok", "partial", "missing", "not_reached"]

# The quality events a signal can start from (the kinds inspectors follow).
EVENT_KINDS = (
    "complaint",
    "nonconformance",
    "finding",
    "post_market_signal",
    "vulnerability",
    "capa",
)


@dataclass(frozen=True)
class HopSignature:
    meaning: str
    signer: str
    printed_name: str
    at: dt.datetime
    valid: bool


@dataclass(frozen=True)
class HopRecord:
    """A record on the chain: the version in force, its status and signatures, and how the
    chain reached it (`via`, e.g. 'CAPA-1 addresses CMP-1'). `note` says what is wrong."""

    key: str
    kind: str
    title: str
    status: str
    version: int
    via: str
    signatures: list[HopSignature] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Hop:
    """One step of the chain (event, investigation, risk, design change, verification,
    release): what was found, and what is missing or incomplete, in words."""

    step: str
    title: str
    state: HopState
    records: list[HopRecord]
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SignalChain:
    key: str
    kind: str
    title: str
    hops: list[Hop]
    as_of: dt.datetime | None = None

    @property
    def broken(self) -> list[Hop]:
        return [hop for hop in self.hops if hop.state in ("partial", "missing")]

    @property
    def complete(self) -> bool:
        return not self.broken


def settled_without_capa(kind: str, fields: dict[str, Any]) -> str | None:
    """Why an event needs no CAPA, when its own record documents that; else None.

    Each kind says it in its own fields: a complaint's investigation summary or justified
    decision not to investigate; a nonconformance's or finding's "no CAPA required" with its
    evaluation or correction; a vulnerability triaged not affected (or fixed) with its
    justification; a post-market signal's documented assessment.
    """
    if kind == "complaint":
        if fields.get("investigation_summary"):
            return "investigated in the complaint record itself"
        if fields.get("investigation_required") is False and fields.get(
            "no_investigation_justification"
        ):
            return "no investigation needed: " + str(fields["no_investigation_justification"])
    elif kind in ("nonconformance", "finding") and fields.get("capa_required") is False:
        reason = fields.get("evaluation") or fields.get("correction")
        if reason:
            return "no CAPA required: " + str(reason)
    elif kind == "vulnerability":
        if fields.get("triage_state") in ("not_affected", "fixed") and fields.get("justification"):
            return f"triaged {fields['triage_state']}: {fields['justification']}"
    elif kind == "post_market_signal" and fields.get("assessment"):
        return "assessed in the signal record: " + str(fields["assessment"])
    return None
