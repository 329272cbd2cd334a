"""/api/v1/releases/{key}/sbom: import an SBOM into a release, its components, the diff against
the previous SBOM, and the export as CycloneDX or SPDX."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from qspine.api.deps import CurrentUser, SpineDep
from qspine.services.sbom import MAX_SBOM_BYTES

router = APIRouter(tags=["cybersecurity"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ComponentChangeOut(_Out):
    package: str
    name: str
    old_version: str
    new_version: str
    key: str


class SuspectLinkOut(_Out):
    type: str
    source: str
    target: str
    target_version: int


class SbomDiffOut(_Out):
    release: str
    previous: str | None
    added: list[ComponentChangeOut]
    removed: list[ComponentChangeOut]
    upgraded: list[ComponentChangeOut]
    changed: list[ComponentChangeOut]
    unchanged: int
    suspect: list[SuspectLinkOut]
    total: int


class SbomImportOut(_Out):
    release: str
    file: str
    format: str
    spec_version: str
    serial: str
    digest: str
    diff: SbomDiffOut
    dependencies: int
    warnings: list[str]


class ComponentOut(_Out):
    key: str
    number: int
    latest: int
    status: str
    fields: dict[str, Any]


@router.post(
    "/releases/{key}/sbom",
    response_model=SbomImportOut,
    summary="Import a CycloneDX or SPDX SBOM into the release (checked, all or nothing)",
)
def import_sbom(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    file: UploadFile,
    previous: str | None = Query(None, description="Compare with this release"),
) -> SbomImportOut:
    data = file.file.read(MAX_SBOM_BYTES + 1)
    done = spine.sbom.import_bytes(user.username, data, file.filename or "upload", key, previous)
    return SbomImportOut.model_validate(done)


@router.get(
    "/releases/{key}/sbom/components",
    response_model=list[ComponentOut],
    summary="The components the release contains, at the versions it contains",
)
def components(key: str, spine: SpineDep, user: CurrentUser) -> list[ComponentOut]:
    return [ComponentOut.model_validate(c) for c in spine.sbom.components(user, key)]


@router.get(
    "/releases/{key}/sbom/diff",
    response_model=SbomDiffOut,
    summary="Components added, removed, upgraded and changed since another release",
)
def diff(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    against: str | None = Query(None, description="Default: the product's previous release"),
) -> SbomDiffOut:
    return SbomDiffOut.model_validate(spine.sbom.diff(user, key, against))


@router.get(
    "/releases/{key}/sbom",
    summary="The release's SBOM as CycloneDX 1.6 or SPDX 2.3 JSON",
    response_class=Response,
)
def export(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    format: str = Query("cyclonedx", description="cyclonedx or spdx"),
) -> Response:
    text = spine.sbom.export(user, key, format)
    media = "application/vnd.cyclonedx+json" if format == "cyclonedx" else "application/spdx+json"
    return Response(
        text,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{key}.{format}.json"'},
    )
