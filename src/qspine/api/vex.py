"""/api/v1/vulnerabilities (list, signed triage) and /api/v1/releases/{key}/vex (import a
CycloneDX VEX or OpenVEX document, export the release's triage as either)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.schemas import SignatureOut
from qspine.services.vex import MAX_VEX_BYTES

router = APIRouter(tags=["cybersecurity"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AffectedComponentOut(_Out):
    key: str
    name: str
    version: str
    purl: str


class VulnerabilityOut(_Out):
    key: str
    title: str
    status: str
    version: int = Field(description="Current version: send it as expected_version to triage")
    identifier: str
    aliases: list[str]
    severity: str | None
    cvss_score: float | None
    triage_state: str
    vex_justification: str | None
    justification: str
    patient_risk: str | None
    remediation: str
    owner: str | None
    discovered_on: dt.date | None
    triaged_on: dt.date | None
    days_open: int | None
    open: bool
    components: list[AffectedComponentOut]
    releases: list[str] = Field(description="Releases it affects directly")
    signed_by: str = Field(description="Printed name and user of the latest triage signature")
    signed_at: dt.datetime | None
    signed_version: int | None
    signed_current: bool = Field(description="The triage signature is on the current version")


class VulnerabilityListOut(_Out):
    release: str | None
    state: str | None
    today: dt.date
    total: int
    counts: dict[str, int] = Field(description="By triage state, before the state filter")
    rows: list[VulnerabilityOut]


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str = Field(description="under_investigation, affected, not_affected or fixed")
    justification: str | None = Field(
        None, description="OpenVEX justification label; required for not_affected"
    )
    detail: str = Field("", description="The reasoning; affected and fixed need it or remediation")
    remediation: str = ""
    patient_risk: str | None = Field(None, description="controlled, uncontrolled, not_assessed")
    password: str = Field(min_length=1, description="Re-authentication (21 CFR 11.200)")
    expected_version: int = Field(ge=1)


class TriageOut(_Out):
    key: str
    version: int
    state: str
    justification: str | None
    signature: SignatureOut


class AppliedOut(_Out):
    key: str
    identifier: str
    state: str
    justification: str | None
    version: int
    signature: int
    statement: int
    products: list[str]


class SkippedOut(_Out):
    statement: int
    vulnerability: str
    reason: str


class VexImportOut(_Out):
    release: str
    file: str
    format: str
    spec_version: str
    sha256: str
    statements: int
    applied: list[AppliedOut]
    unchanged: list[SkippedOut]
    skipped: list[SkippedOut]
    not_in_release: list[SkippedOut]
    warnings: list[str]


@router.get(
    "/vulnerabilities",
    response_model=VulnerabilityListOut,
    summary="Vulnerabilities with their triage (open ones first), optionally of one release",
)
def list_vulnerabilities(
    spine: SpineDep,
    user: CurrentUser,
    release: Annotated[str | None, Query(description="Only this release's")] = None,
    state: Annotated[str | None, Query(description="Only this triage state")] = None,
) -> VulnerabilityListOut:
    return VulnerabilityListOut.model_validate(spine.vex.list_vulnerabilities(user, release, state))


@router.post(
    "/vulnerabilities/{key}/triage",
    response_model=TriageOut,
    status_code=201,
    summary="Decide the triage state as a new version signed 'triaged' (password re-entered)",
)
def triage(key: str, body: TriageIn, spine: SpineDep, user: CurrentUser) -> TriageOut:
    done = spine.vex.triage(
        user.username,
        body.password,
        key,
        body.state,
        body.justification,
        body.detail,
        body.patient_risk,
        expected_version=body.expected_version,
        remediation=body.remediation,
    )
    return TriageOut.model_validate(done)


@router.post(
    "/releases/{key}/vex",
    response_model=VexImportOut,
    summary="Import a CycloneDX VEX or OpenVEX document: each matched statement becomes a "
    "signed triage decision (all or nothing); the rest is reported",
)
def import_vex(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    file: UploadFile,
    password: Annotated[str, Form(min_length=1, description="Re-authentication")],
) -> VexImportOut:
    data = file.file.read(MAX_VEX_BYTES + 1)
    done = spine.vex.import_bytes(user.username, password, data, file.filename or "upload", key)
    return VexImportOut.model_validate(done)


@router.get(
    "/releases/{key}/vex",
    summary="The release's vulnerabilities and triage as CycloneDX VEX 1.6 or OpenVEX 0.2.0",
    response_class=Response,
)
def export_vex(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    format: Annotated[str, Query(description="cyclonedx or openvex")] = "cyclonedx",
) -> Response:
    done = spine.vex.export_vex(user, key, format)
    return Response(
        done.text,
        media_type=done.media_type,
        headers={"Content-Disposition": f'attachment; filename="{done.filename}"'},
    )
