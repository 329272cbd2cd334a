"""The readiness dashboard: clauses as a heat map, the open findings with their record and
fix (each can be suppressed with a reason), the self-assessment measures and the trend;
the standalone report as HTML or Markdown; recording a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from qspine.model.errors import QSpineError
from qspine.reports.readiness_report import MEDIA_TYPES, as_data, render
from qspine.services.lint import LintedFile
from qspine.web.asof import as_of_instant
from qspine.web.auth import Post, PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page, redirect, with_headers

router = APIRouter(route_class=WebRoute)


@router.get("/readiness")
def readiness_page(
    request: Request,
    session: SessionDep,
    as_of: str | None = None,
    pack: str | None = None,
    severity: str | None = None,
) -> Response:
    """Live readiness (not recorded), or rebuilt `?as_of=`; `?severity=` filters findings."""
    spine = get_spine(request)
    at = as_of_instant(spine, as_of)
    report = spine.readiness.check(session.user, at, pack or None, record_run=False)
    return _render(request, session, as_data(report), severity)


def _render(
    request: Request,
    session: Any,
    data: dict[str, Any],
    severity: str | None,
    problem: str = "",
    status: int = 200,
) -> Response:
    standards: dict[str, list[dict[str, Any]]] = {}
    for clause in data["clauses"]:
        standards.setdefault(clause["standard"], []).append(clause)
    shown = [f for f in data["findings"] if severity in (None, "", f["severity"])]
    extra = {
        "standards": standards,
        "shown": shown,
        "severity": severity or "",
        "problem": problem,
        "query": urlencode({k: v for k, v in request.query_params.items() if k != "done"}),
    }
    return page(
        request, "readiness.html", data, session, status=status, section="readiness", extra=extra
    )


@router.get("/readiness/report.{format}")
def readiness_report(
    request: Request, session: SessionDep, format: str, as_of: str | None = None
) -> Response:
    """The standalone report file (HTML with record links, Markdown or JSON) to file or send."""
    spine = get_spine(request)
    report = spine.readiness.check(session.user, as_of_instant(spine, as_of), record_run=False)
    body = render(report, format, record_link="/records/")  # InvalidInput for another format
    headers = {"Content-Disposition": f'attachment; filename="readiness.{format}"'}
    return with_headers(Response(body, media_type=MEDIA_TYPES[format], headers=headers))


@router.post("/readiness/runs")
def record_run(request: Request, post: PostDep) -> Response:
    """Run now and record the run, so the next check shows new and resolved findings."""
    get_spine(request).readiness.check(post.session.user, record_run=True)
    return redirect("/readiness?done=recorded")


@router.post("/readiness/suppressions")
def suppress(request: Request, post: PostDep) -> Response:
    """Suppress one finding with a reason; a refusal is shown on the dashboard."""
    spine = get_spine(request)
    rule, subject = post.text("rule"), post.text("subject")
    occurrence, reason = post.text("occurrence"), post.text("reason").strip()
    withdraw = post.text("withdraw") == "1"
    try:
        if withdraw:
            spine.readiness.unsuppress(post.session.user, rule, subject, occurrence, reason)
        else:
            spine.readiness.suppress(post.session.user, rule, subject, occurrence, reason)
    except QSpineError as error:
        report = spine.readiness.check(post.session.user, record_run=False)
        return _render(request, post.session, as_data(report), None, str(error), status_of(error))
    done = "restored" if withdraw else "suppressed"
    back = post.text("back")
    if back.startswith("/records/") and "//" not in back and "?" not in back:
        return redirect(f"{back}?done={done}")
    return redirect(f"/readiness?done={done}")


@dataclass(frozen=True)
class LintPage:
    """The lint form, and the findings of the file just checked (or why it could not be)."""

    result: LintedFile | None = None
    problem: str = ""


@router.get("/lint")
def lint_page(request: Request, session: SessionDep) -> Response:
    """Upload a controlled document to check for superseded regulatory references."""
    get_spine(request).users.permits(session.user, "read")
    return page(request, "lint.html", LintPage(), session, section="readiness")


@router.post("/lint")
async def lint_upload(request: Request, post: PostDep) -> Response:
    """Check the uploaded file; nothing is stored."""
    try:
        data, status = _lint_form(request, post)
    finally:
        await post.form.close()
    return page(request, "lint.html", data, post.session, status=status, section="readiness")


def _lint_form(request: Request, post: Post) -> tuple[LintPage, int]:
    upload = post.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return LintPage(problem="choose a Markdown, text, DOCX or PDF file"), 422
    try:
        linted = get_spine(request).lint.lint_upload(
            post.session.user, upload.file, upload.filename
        )
    except QSpineError as error:
        return LintPage(problem=str(error)), status_of(error)
    return LintPage(linted), 200
