"""Traceability pages: a record's upstream or downstream trace (table and picture), and the
impact of a proposed change to one or more records."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qspine.model.errors import InvalidInput, NotFound
from qspine.model.trace import Direction, ImpactReport, TraceResult
from qspine.services.trace import MAX_DEPTH
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.asof import as_of_instant
from qspine.web.auth import SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page
from qspine.web.trace_graph import trace_picture

router = APIRouter(route_class=WebRoute)
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class TracePage:
    trace: TraceResult
    link_types: list[str]


@dataclass(frozen=True)
class ImpactPage:
    keys: list[str]
    types: list[str]
    link_types: list[str]
    report: ImpactReport | None = None
    error: str = ""
    as_of: dt.datetime | None = None
    as_of_text: str = ""


def split_list(values: list[str], upper: bool = False) -> list[str]:
    """`["a,b", "c"]` -> `["a", "b", "c"]`: repeated parameters and comma lists alike."""
    items = [item for value in values for item in _SEPARATORS.split(value) if item]
    return list(dict.fromkeys(item.upper() if upper else item for item in items))


def trace_data(
    spine: Spine,
    user: User,
    key: str,
    direction: Direction,
    types: list[str],
    depth: int,
    at: dt.datetime | None = None,
) -> TracePage:
    result = spine.trace.trace(user, key, direction, types=types, depth=depth, at=at)
    return TracePage(result, list(spine.profile.links))


def impact_data(
    spine: Spine,
    user: User,
    keys: list[str] | None,
    types: list[str],
    at: dt.datetime | None = None,
) -> ImpactPage:
    """The form alone (no `keys` asked yet), the report (now or as of `at`), or the form with
    the service's error."""
    spine.users.permits(user, "read")
    link_types = list(spine.profile.links)
    if keys is None:
        return ImpactPage([], types, link_types, as_of=at)
    report = spine.trace.impact(user, keys, types=types, at=at)
    order = list(spine.profile.kinds)
    affected = dict(sorted(report.affected.items(), key=lambda item: _rank(order, item[0])))
    return ImpactPage(keys, types, link_types, replace(report, affected=affected), as_of=at)


def _rank(order: list[str], kind: str) -> tuple[int, str]:
    return (order.index(kind) if kind in order else len(order), kind)


@router.get("/records/{key}/trace")
def trace_page(
    request: Request,
    session: SessionDep,
    key: str,
    direction: Direction = "down",
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = MAX_DEPTH,
    types: Annotated[list[str], Query()] = [],  # noqa: B006
    as_of: str | None = None,
) -> Response:
    spine = get_spine(request)
    at = as_of_instant(spine, as_of)
    data = trace_data(spine, session.user, key, direction, split_list(types), depth, at)
    picture = trace_picture(data.trace, spine.profile)
    return page(request, "trace.html", data, session, section="records", extra={"graph": picture})


@router.get("/impact")
def impact_page(
    request: Request,
    session: SessionDep,
    keys: str | None = None,
    types: Annotated[list[str], Query()] = [],  # noqa: B006
    as_of: str | None = None,
) -> Response:
    spine = get_spine(request)
    asked = None if keys is None else split_list([keys], upper=True)
    wanted = split_list(types)
    try:
        at = as_of_instant(spine, as_of)
        data = impact_data(spine, session.user, asked, wanted, at)
    except (InvalidInput, NotFound) as problem:
        failed = ImpactPage(
            asked or [],
            wanted,
            list(spine.profile.links),
            error=str(problem),
            as_of_text=as_of or "",
        )
        return page(
            request, "impact.html", failed, session, status=status_of(problem), section="impact"
        )
    return page(request, "impact.html", data, session, section="impact")
