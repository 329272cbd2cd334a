"""SBOM pages: releases with their component counts; a release's components at the versions it
contains, the diff against the product's previous SBOM, SBOM import (upload) and export."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from qspine.model.errors import QSpineError
from qspine.model.sbom_diff import SbomDiff
from qspine.services.sbom import MAX_SBOM_BYTES, SbomImport
from qspine.services.sbom_reads import Contained
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page, with_headers

router = APIRouter(route_class=WebRoute)


@dataclass
class SbomPage:
    """One release's SBOM: what it contains, how it differs, and the last import's outcome."""

    release: str
    title: str = ""
    components: list[Contained] = field(default_factory=list)
    diff: SbomDiff | None = None
    imported: SbomImport | None = None
    problem: str = ""


@router.get("/sboms")
def sboms(request: Request, session: SessionDep) -> Response:
    releases = get_spine(request).sbom.releases(session.user)
    return page(request, "sboms.html", releases, session, section="cyber")


@router.get("/sboms/{key}")
def sbom(request: Request, session: SessionDep, key: str, against: str | None = None) -> Response:
    return page(
        request, "sbom.html", _view(request, session.user, key, against), session, section="cyber"
    )


@router.post("/sboms/{key}/import")
async def import_sbom(request: Request, post: PostDep, key: str) -> Response:
    """Check and import the uploaded SBOM; the page shows the diff or the one error."""
    try:
        upload = post.form.get("file")
        problem, imported, status = "", None, 200
        if not isinstance(upload, UploadFile) or not upload.filename:
            problem, status = "choose a CycloneDX or SPDX file", 422
        else:
            data = await upload.read(MAX_SBOM_BYTES + 1)
            try:
                imported = get_spine(request).sbom.import_bytes(
                    post.actor, data, upload.filename, key, post.text("previous") or None
                )
            except QSpineError as error:
                problem, status = str(error), status_of(error)
    finally:
        await post.form.close()
    view = _view(request, post.session.user, key, None)
    view.problem, view.imported = problem, imported
    if imported is not None:
        view.diff = imported.diff
    return page(request, "sbom.html", view, post.session, status=status, section="cyber")


@router.get("/sboms/{key}/export")
def export(request: Request, session: SessionDep, key: str, format: str = "cyclonedx") -> Response:
    text = get_spine(request).sbom.export(session.user, key, format)
    media = "application/vnd.cyclonedx+json" if format == "cyclonedx" else "application/spdx+json"
    return with_headers(
        Response(
            text,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{key}.{format}.json"'},
        )
    )


def _view(request: Request, user: Any, key: str, against: str | None) -> SbomPage:
    spine = get_spine(request)
    record = spine.records.show(key)
    return SbomPage(
        release=key,
        title=record.title,
        components=spine.sbom.components(user, key),
        diff=spine.sbom.diff(user, key, against),
    )
