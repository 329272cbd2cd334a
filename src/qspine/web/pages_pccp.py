"""PCCP pages: every planned modification with its envelope and the model versions made under
it (within/outside), and one model version's check with its findings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.web.auth import SessionDep
from qspine.web.errors import WebRoute
from qspine.web.rendering import get_spine, page

router = APIRouter(route_class=WebRoute)


@router.get("/pccp")
def modifications(request: Request, session: SessionDep) -> Response:
    found = get_spine(request).pccp.modifications(session.user)
    return page(request, "pccp.html", found, session, section="models")


@router.get("/models/{key}/pccp")
def model_check(request: Request, session: SessionDep, key: str) -> Response:
    report = get_spine(request).pccp.check(session.user, key)
    return page(request, "pccp_check.html", report, session, section="models")
