"""Dashboard, suspect links and the audit trail: the overview pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qspine.model.access import allows
from qspine.model.audit import AuditEvent
from qspine.model.links import LinkView
from qspine.model.records import RecordSummary
from qspine.model.todo import TodoItem
from qspine.services.audit import VerifyReport
from qspine.services.summary import SpineSummary
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.auth import SessionDep
from qspine.web.errors import MAX_PAGE, WebRoute
from qspine.web.rendering import get_spine, page

router = APIRouter(route_class=WebRoute)
AUDIT_PAGE = 50


@dataclass(frozen=True)
class Dashboard:
    summary: SpineSummary
    open_work_total: int
    open_work: list[RecordSummary]
    recent: list[AuditEvent]
    overdue: list[TodoItem] = field(default_factory=list)


@dataclass(frozen=True)
class SuspectLink:
    link: LinkView
    can_confirm: bool


@dataclass(frozen=True)
class SuspectLinks:
    links: list[SuspectLink]


@dataclass(frozen=True)
class AuditPage:
    subject: str
    page: int
    has_more: bool
    events: list[AuditEvent]
    verification: VerifyReport | None


def dashboard_data(spine: Spine, user: User) -> Dashboard:
    spine.users.check(user.username, "read")
    total, work = spine.worklist.open_work(user.username, limit=15)
    overdue = spine.todo.overdue(user)
    return Dashboard(spine.summary.summary(), total, work, spine.audit.log(limit=15), overdue)


def suspect_data(spine: Spine, user: User) -> SuspectLinks:
    spine.users.check(user.username, "read")
    profile = spine.profile
    links = []
    for link in spine.links.suspect(limit=500):
        kind = profile.kind_for_prefix(link.source.rpartition("-")[0])
        links.append(SuspectLink(link, allows(profile, user.roles, "write", kind)))
    return SuspectLinks(links)


def audit_data(spine: Spine, user: User, subject: str, page: int, verify: bool) -> AuditPage:
    spine.users.check(user.username, "read")
    events = spine.audit.log(
        subject=subject or None, limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE
    )
    report = spine.audit.verify() if verify else None
    return AuditPage(subject, page, len(events) > AUDIT_PAGE, events[:AUDIT_PAGE], report)


@router.get("/")
def dashboard(request: Request, session: SessionDep) -> Response:
    data = dashboard_data(get_spine(request), session.user)
    return page(request, "dashboard.html", data, session, section="dashboard")


@router.get("/links/suspect")
def suspect_links(request: Request, session: SessionDep) -> Response:
    data = suspect_data(get_spine(request), session.user)
    return page(request, "suspect.html", data, session, section="dashboard")


@router.get("/audit")
def audit(
    request: Request,
    session: SessionDep,
    subject: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    verify: bool = False,
) -> Response:
    data = audit_data(get_spine(request), session.user, subject.strip(), page_number, verify)
    return page(request, "audit.html", data, session, section="audit")
