"""Request and response schemas of the REST API: separate from the domain model on purpose,
so the wire format is explicit and versioned (/api/v1) while the domain can evolve."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. conflict, not_found")
    message: str = Field(description="One clear sentence naming the record and field")


class ErrorOut(BaseModel):
    error: ErrorDetail


class VersionOut(_Out):
    number: int
    fields: dict[str, Any]
    fingerprint: str
    status: str
    author: str
    created_at: dt.datetime
    reason: str


class LinkOut(_Out):
    id: int
    type: str
    source: str
    target: str
    target_version: int
    target_fingerprint: str
    created_at: dt.datetime
    created_by: str
    suspect: bool
    target_released_version: int | None
    removed_at: dt.datetime | None


class SignatureOut(_Out):
    id: int
    key: str
    version: int
    signer: str
    printed_name: str
    meaning: str
    meaning_title: str
    at: dt.datetime
    reason: str
    fingerprint: str
    valid: bool
    manifestation: str = Field(description="Printed name, meaning and UTC time (21 CFR 11.50)")


class TransitionOut(_Out):
    version: int
    from_status: str | None
    to_status: str
    at: dt.datetime
    by: str
    reason: str
    signature_id: int | None


class NextTransitionOut(BaseModel):
    to: str
    signature: str | None
    separation_of_duties: bool
    title: str
    blocked_by: list[str] = Field(
        default=[], description="What must be done before the record may take this step"
    )


class RecordOut(_Out):
    key: str
    kind: str
    title: str
    status: str
    created_at: dt.datetime
    created_by: str
    version: VersionOut
    latest_version: int
    released_version: int | None
    links_out: list[LinkOut]
    links_in: list[LinkOut]
    signatures: list[SignatureOut]
    transitions: list[TransitionOut]
    next_transitions: list[NextTransitionOut]
    as_of: dt.datetime | None = Field(None, description="The past instant read; null: now")


class RecordSummaryOut(_Out):
    key: str
    kind: str
    title: str
    status: str
    version: int
    updated_at: dt.datetime


class RecordPage(BaseModel):
    total: int
    limit: int
    offset: int
    records: list[RecordSummaryOut]


class FieldChangeOut(_Out):
    field: str
    change: str
    before: Any
    after: Any


class LinksOut(BaseModel):
    out: list[LinkOut] = Field(alias="out")
    into: list[LinkOut] = Field(alias="in")

    model_config = ConfigDict(populate_by_name=True)


class AuditEventOut(_Out):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    version: int | None
    reason: str
    before: str | None
    after: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class ChainBreakOut(_Out):
    seq: int
    problem: str


class VerifyOut(_Out):
    intact: bool
    events_checked: int
    chain_break: ChainBreakOut | None
    problems: list[str]


class UserOut(_Out):
    username: str
    full_name: str
    email: str
    roles: list[str]
    active: bool
    locked_until: dt.datetime | None


class RoleOut(BaseModel):
    name: str
    title: str
    permissions: list[str]


class TokenOut(_Out):
    id: int
    username: str
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class TokenCreated(BaseModel):
    token: str = Field(description="The secret: shown once, stored only as a hash")
    info: TokenOut


class SummaryOut(_Out):
    database: str
    profile: str
    records: int
    by_kind: dict[str, dict[str, int]]
    links: int
    suspect_links: int
    signatures: int
    users: int
    audit_events: int


# -- requests ---------------------------------------------------------------------------


class RecordCreate(_In):
    kind: str = Field(min_length=1, max_length=64)
    fields: dict[str, Any]
    reason: str = ""


class RecordRevise(_In):
    changes: dict[str, Any] = Field(description="Field values to set; null removes a field")
    expected_version: int = Field(ge=1, description="The version you edited (conflict check)")
    reason: str = Field(min_length=1)


class TransitionIn(_In):
    to: str = Field(min_length=1, max_length=32)
    expected_version: int = Field(ge=1)
    reason: str = ""


class SignIn(_In):
    meaning: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, description="Re-authentication (21 CFR 11.200)")
    expected_version: int = Field(ge=1)
    reason: str = ""


class LinkIn(_In):
    type: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=32)
    target: str = Field(min_length=1, max_length=32)
    reason: str = ""


class LinkRemove(LinkIn):
    reason: str = Field(min_length=1)


class UserCreate(_In):
    username: str = Field(min_length=1, max_length=64)
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1)
    roles: list[str] = []
    email: str = ""


class RolesIn(_In):
    roles: list[str]
    reason: str = Field(min_length=1)


class ActiveIn(_In):
    active: bool
    reason: str = Field(min_length=1)


class TokenCreate(_In):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(90, ge=1, le=366)


class TraceNodeOut(_Out):
    key: str
    kind: str
    title: str
    status: str
    version: int
    depth: int


class TraceEdgeOut(_Out):
    type: str
    source: str
    target: str
    suspect: bool


class TraceOut(_Out):
    root: str
    direction: str
    depth_limit: int
    types: list[str]
    nodes: list[TraceNodeOut]
    edges: list[TraceEdgeOut]
    as_of: dt.datetime | None = Field(None, description="The past instant read; null: now")


class ImpactOut(_Out):
    changed: list[str]
    total: int
    affected: dict[str, list[TraceNodeOut]]
    will_turn_suspect: list[TraceEdgeOut]
    already_suspect: list[TraceEdgeOut]
    as_of: dt.datetime | None = Field(None, description="The past instant read; null: now")


class ChangeImpactOut(_Out):
    change: str
    changed: list[str] = Field(description="The records the change request `changes`")
    assessed_in: str = Field(description="The state whose entry marks the assessment")
    assessed_at: dt.datetime | None = Field(description="When it entered that state")
    at_assessment: ImpactOut | None = Field(
        description="The impact as the spine stood at the assessment (rebuilt from history)"
    )
    now: ImpactOut | None


class MatrixInfoOut(BaseModel):
    name: str
    title: str
    clauses: list[str]
    kinds: list[str]


class MatrixCellOut(_Out):
    key: str
    title: str
    status: str
    version: int
    suspect: bool


class MatrixRowOut(_Out):
    cells: list[MatrixCellOut | None]
    gap: bool
    suspect: bool


class MatrixHeaderOut(_Out):
    kind: str
    title: str
    link: str | None


class MatrixOut(_Out):
    name: str
    title: str
    clauses: list[str]
    columns: list[MatrixHeaderOut]
    rows: list[MatrixRowOut]
    gaps: int
    suspects: int
    generated_at: dt.datetime
    fingerprint: str = Field(description="SHA-256 of the rows shown (and the as-of instant)")
    as_of: dt.datetime | None = Field(None, description="The past instant read; null: now")
    filters: dict[str, Any] = Field(
        default_factory=dict, description="The row filters applied (gaps_only, suspect_only, text)"
    )


class BaselineMemberOut(_Out):
    key: str
    kind: str
    title: str
    version: int
    fingerprint: str = Field(description="Content fingerprint of the member version")


class BaselineOut(_Out):
    key: str | None = Field(description="BL-n; null for a preview (nothing saved)")
    title: str
    status: str
    kinds: list[str]
    keys: list[str]
    taken_at: dt.datetime = Field(description="The instant whose released versions it holds")
    manifest: str = Field(description="SHA-256 of the member list; the approval signature binds it")
    member_count: int
    members: list[BaselineMemberOut]
    skipped: list[str] = Field(description="Records of the kinds never released by then")
    created_by: str
    created_at: dt.datetime | None
    description: str
    signatures: list[SignatureOut]
    intact: bool = Field(description="The stored member versions still match the manifest")
    as_of: dt.datetime | None = Field(
        None, description="The past instant this view shows (null: now)"
    )


class MemberChangeOut(_Out):
    key: str
    kind: str
    title: str
    change: str = Field(description="added, removed or changed")
    before: int | None = Field(description="Version in the left baseline")
    after: int | None = Field(description="Version on the right")
    fields: list[FieldChangeOut]


class BaselineComparisonOut(_Out):
    left: str
    right: str = Field(description="The other baseline, 'now', or 'as of <instant>'")
    added: int
    removed: int
    changed: int
    unchanged: int
    changes: list[MemberChangeOut]


class BaselineCreate(_In):
    title: str = Field(min_length=1, max_length=200)
    kinds: list[str] = Field([], description="Take the released version of every record of these")
    keys: list[str] = Field([], description="Take the released version of each of these records")
    as_of: str | None = Field(
        None,
        description="Take the versions released at this past instant (ISO 8601 with offset, "
        "or a date); default now",
    )
    description: str = ""
    reason: str = ""
