"""The offline vulnerability database page: what it holds per ecosystem and source, an upload
form for an OSV archive, a "Match" button per release, and the last match's report with links
to the records it made."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from qspine.model.errors import QSpineError
from qspine.model.vulndb_report import MatchReport
from qspine.services.access import WebSession
from qspine.services.vulndb import MAX_UPLOAD, AdvisoryImport, VulnDbStatus
from qspine.web.auth import Post, PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page

router = APIRouter(route_class=WebRoute)
SHOWN = 200
"""Rows shown per list of a match report (the JSON twin has them all)."""


@dataclass(frozen=True)
class VulnDbPage:
    """The database's status, and the outcome of the import or match just made."""

    status: VulnDbStatus
    imported: AdvisoryImport | None = None
    report: MatchReport | None = None
    problem: str = ""


@router.get("/vulndb")
def vulndb_page(request: Request, session: SessionDep) -> Response:
    status = get_spine(request).vulndb.status(session.user)
    return _render(request, session, VulnDbPage(status))


@router.post("/vulndb/import")
async def import_advisories(request: Request, post: PostDep) -> Response:
    """Import the uploaded ZIP archive or OSV record; the page shows the counts or the error."""
    try:
        imported, problem, code = await _import(request, post)
    finally:
        await post.form.close()
    status = get_spine(request).vulndb.status(post.session.user)
    data = VulnDbPage(status, imported=imported, problem=problem)
    return _render(request, post.session, data, code)


@router.post("/vulndb/match")
def match(request: Request, post: PostDep) -> Response:
    """Match one release (the form's `release`) or all of them; the page shows the report."""
    spine = get_spine(request)
    report, problem, code = None, "", 200
    try:
        report = spine.vulndb.match(post.actor, post.text("release") or None)
    except QSpineError as error:
        problem, code = str(error), status_of(error)
    data = VulnDbPage(spine.vulndb.status(post.session.user), report=report, problem=problem)
    return _render(request, post.session, data, code)


async def _import(request: Request, post: Post) -> tuple[AdvisoryImport | None, str, int]:
    upload = post.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, "choose a ZIP archive of OSV records or one .json/.yaml record", 422
    data = await upload.read(MAX_UPLOAD + 1)
    try:
        done = get_spine(request).vulndb.import_bytes(post.actor, data, upload.filename)
    except QSpineError as error:
        return None, str(error), status_of(error)
    return done, "", 200


def _render(request: Request, session: WebSession, data: VulnDbPage, status: int = 200) -> Response:
    return page(
        request,
        "vulndb.html",
        data,
        session,
        status=status,
        section="cyber",
        extra={"shown": SHOWN},
    )
