"""The monitoring page of a model version record: one chart per monitored series with its
thresholds, the signals and CAPA candidates its breaches raised, and (for users who may write
post-market signals) an upload form for a new series file (htmx swaps the result in place)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.datastructures import UploadFile

from qspine.model.access import allows
from qspine.model.errors import InvalidInput, QSpineError
from qspine.reports.monitoring_chart import render_svg, series_chart
from qspine.services.monitoring import MAX_SERIES_BYTES, IngestReport, Series
from qspine.services.users import User
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page

router = APIRouter(route_class=WebRoute)


@dataclass
class MonitoringPage:
    """A model's monitored series, and the outcome of the last upload on this page."""

    model: str
    title: str
    status: str
    series: list[Series] = field(default_factory=list)
    can_ingest: bool = False
    ingested: IngestReport | None = None
    problem: str = ""


@router.get("/models/{key}/monitoring")
def monitoring(request: Request, session: SessionDep, key: str) -> Response:
    view = _view(request, session.user, key)
    return page(request, "monitoring.html", view, session, section="records", extra=_charts(view))


@router.post("/models/{key}/monitoring")
async def ingest(request: Request, post: PostDep, key: str) -> Response:
    """Ingest the uploaded series file; the page shows what it added or the one error."""
    try:
        upload = post.form.get("file")
        problem, ingested, status = "", None, 200
        if not isinstance(upload, UploadFile) or not upload.filename:
            problem, status = "choose a CSV or JSON monitoring file", 422
        else:
            data = await upload.read(MAX_SERIES_BYTES + 1)
            try:
                version = post.text("version").strip()
                if version and not version.isdecimal():
                    raise InvalidInput(f"version: '{version}' is not a version number")
                ingested = get_spine(request).monitoring.ingest(
                    post.actor, key, upload.filename, data, int(version) if version else None
                )
            except QSpineError as error:
                problem, status = str(error), status_of(error)
    finally:
        await post.form.close()
    view = _view(request, post.session.user, key)
    view.problem, view.ingested = problem, ingested
    if request.headers.get("HX-Request") == "true":
        status = 200  # htmx swaps only 2xx answers; the error is in the swapped section
    return page(
        request,
        "monitoring.html",
        view,
        post.session,
        status=status,
        section="records",
        extra=_charts(view),
    )


def _view(request: Request, user: User, key: str) -> MonitoringPage:
    spine = get_spine(request)
    found = spine.monitoring.overview(user, key)
    return MonitoringPage(
        model=key,
        title=found.title,
        status=found.status,
        series=list(found.series),
        can_ingest=allows(spine.profile, user.roles, "write", "post_market_signal"),
    )


def _charts(view: MonitoringPage) -> dict[str, Any]:
    """The charts' SVG (escaped by the renderer), kept out of the page's JSON twin."""
    return {
        "charts": [
            Markup(render_svg(series_chart(s, view.model), f"series-{index}"))
            for index, s in enumerate(view.series, start=1)
        ]
    }
