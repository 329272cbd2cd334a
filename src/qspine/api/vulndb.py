"""/api/v1/vulndb: import OSV advisories (an uploaded ZIP archive or record), the database's
status, and matching releases against it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, UploadFile
from pydantic import BaseModel, ConfigDict

from qspine.api.deps import CurrentUser, SpineDep
from qspine.services.vulndb import MAX_UPLOAD

router = APIRouter(prefix="/vulndb", tags=["cybersecurity"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AdvisoryImportOut(_Out):
    source: str
    file: str
    records: int
    new: int
    updated: int
    unchanged: int
    withdrawn: int
    unparsed_versions: int


class EcosystemCountOut(_Out):
    ecosystem: str
    advisories: int
    packages: int


class SourceCountOut(_Out):
    source: str
    advisories: int
    withdrawn: int
    newest_modified: dt.datetime | None
    last_imported: dt.datetime | None


class LastRunOut(_Out):
    at: dt.datetime
    actor: str
    reason: str
    payload: dict[str, Any]


class ReleaseOut(BaseModel):
    key: str
    title: str
    status: str
    components: int


class VulnDbStatusOut(_Out):
    advisories: int
    withdrawn: int
    newest_modified: dt.datetime | None
    ecosystems: list[EcosystemCountOut]
    sources: list[SourceCountOut]
    last_import: LastRunOut | None
    last_match: LastRunOut | None
    releases: list[ReleaseOut]


class VulnerabilityRefOut(_Out):
    key: str
    identifier: str
    title: str


class MatchedPairOut(_Out):
    vulnerability: str
    identifier: str
    component: str
    name: str
    version: str
    release: str
    advisories: list[str]
    reason: str


class CapaCandidateOut(_Out):
    key: str
    vulnerability: str
    release: str
    owner: str | None


class ReopenedOut(_Out):
    vulnerability: str
    reason: str


class NoLongerMatchedOut(_Out):
    vulnerability: str
    component: str
    release: str
    reason: str


class OlderVersionOut(_Out):
    vulnerability: str
    component: str
    release: str
    contained_version: str
    current_version: str


class MatchReportOut(_Out):
    releases: list[str]
    components: int
    not_matchable: int
    advisories: int
    distinct: int
    matches: list[MatchedPairOut]
    new_vulnerabilities: list[VulnerabilityRefOut]
    reused: list[VulnerabilityRefOut]
    new_links: int
    repinned: int
    components_revised: list[str]
    capa_candidates: list[CapaCandidateOut]
    reopened: list[ReopenedOut]
    no_longer_matched: list[NoLongerMatchedOut]
    older_versions: list[OlderVersionOut]
    unparsed_versions: int
    timings: dict[str, float]
    summary: dict[str, int]


@router.post(
    "/import",
    response_model=AdvisoryImportOut,
    summary="Import OSV advisories from an uploaded ZIP archive or .json/.yaml record "
    "(incremental, all or nothing)",
)
def import_advisories(spine: SpineDep, user: CurrentUser, file: UploadFile) -> AdvisoryImportOut:
    data = file.file.read(MAX_UPLOAD + 1)
    done = spine.vulndb.import_bytes(user.username, data, file.filename or "upload")
    return AdvisoryImportOut.model_validate(done)


@router.get(
    "/status",
    response_model=VulnDbStatusOut,
    summary="Advisories per ecosystem and source, the last import and match, matchable releases",
)
def status(spine: SpineDep, user: CurrentUser) -> VulnDbStatusOut:
    return VulnDbStatusOut.model_validate(spine.vulndb.status(user))


@router.post(
    "/match",
    response_model=MatchReportOut,
    summary="Match a release (or every release not withdrawn) against the database and write "
    "what is new",
)
def match(
    spine: SpineDep,
    user: CurrentUser,
    release: str | None = Query(None, description="One release key (default: every release)"),
) -> MatchReportOut:
    return MatchReportOut.model_validate(spine.vulndb.match(user.username, release))
