"""The Cybersecurity hub: metrics (cards and a bar chart of vulnerabilities by triage state),
the security control categories, the threat model and risk bridge, and a release picker that
downloads the premarket cybersecurity package; links to the SBOM, advisory and triage pages."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.model.errors import InvalidInput
from qspine.reports.cyber_chart import triage_chart
from qspine.reports.cyber_package import FORMATS, MEDIA_TYPES, filename, render
from qspine.web.auth import SessionDep
from qspine.web.errors import WebRoute
from qspine.web.rendering import get_spine, page, with_headers

router = APIRouter(route_class=WebRoute)

GAP_TEXT = {
    "no_risk": "poses no security risk",
    "no_control": "no control mitigates it",
    "no_test": "no test verifies it",
    "no_may_cause": "safety impact, but not linked to the safety risk file",
}


@router.get("/cyber")
def cyber_page(request: Request, session: SessionDep, as_of: str | None = None) -> Response:
    """`?as_of=YYYY-MM-DD` takes the metrics as at that day."""
    data = get_spine(request).cyber.overview(session.user, _day(as_of))
    extra = {"chart": triage_chart(data.metrics.by_triage_state), "gap_text": GAP_TEXT}
    return page(request, "cyber.html", data, session, section="cyber", extra=extra)


@router.get("/cyber/package")
def cyber_package(
    request: Request, session: SessionDep, release: str = "", format: str = "html"
) -> Response:
    """The premarket cybersecurity package of `release` as a file to keep or send."""
    if format not in FORMATS:
        raise InvalidInput(f"package format '{format}': one of {', '.join(FORMATS)}")
    if not release.strip():
        raise InvalidInput("choose the release to make the package for")
    built = get_spine(request).cyber.package(session.user, release.strip())
    body = render(built, format, record_link="/records/" if format == "html" else "")
    headers = {"Content-Disposition": f'attachment; filename="{filename(built, format)}"'}
    return with_headers(Response(body, media_type=MEDIA_TYPES[format], headers=headers))


def _day(text: str | None) -> dt.date | None:
    if not text or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"as of '{text}': not a date (YYYY-MM-DD)") from None
