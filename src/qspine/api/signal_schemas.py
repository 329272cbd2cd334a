"""Response schemas of /api/v1/signals: a quality event's chain, hop by hop, on the wire.

The same shape as the CLI's `--json` and the web page's JSON twin (all three render the one
`SignalChain` the service returns)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class HopSignatureOut(_Out):
    meaning: str
    signer: str
    printed_name: str
    at: dt.datetime
    valid: bool = Field(description="False when the signed content changed since (11.70)")


class HopRecordOut(_Out):
    key: str
    kind: str
    title: str
    status: str
    version: int = Field(description="The version in force (now, or as of)")
    via: str = Field(description="How the chain reached it, e.g. 'CAPA-1 addresses CMP-1'")
    signatures: list[HopSignatureOut] = Field(description="Signatures of that version")
    note: str = Field(description="What is wrong with this record on the chain ('' if nothing)")


class HopOut(_Out):
    step: str = Field(
        description="event, investigation, risk, design_change, verification or release"
    )
    title: str
    state: Literal["ok", "partial", "missing", "not_reached"] = Field(
        description="ok; partial (found, with gaps); missing; not_reached (the chain ended)"
    )
    records: list[HopRecordOut]
    findings: list[str] = Field(description="What is missing or incomplete, in words")


class SignalChainOut(_Out):
    key: str
    kind: str
    title: str
    hops: list[HopOut] = Field(description="The six hops, in order")
    as_of: dt.datetime | None = Field(None, description="The past instant read; null: now")
    broken: list[HopOut] = Field(description="The partial or missing hops, in order")
    complete: bool = Field(description="No hop is partial or missing")
