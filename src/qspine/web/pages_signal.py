"""Follow-a-signal pages: a quality event's chain as a timeline of hops (now, or as of), and
the start page that names an event and lists the kinds a signal starts from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.model.records import RecordSummary
from qspine.model.signals import EVENT_KINDS, SignalChain
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.asof import as_of_instant
from qspine.web.auth import SessionDep
from qspine.web.errors import WebRoute
from qspine.web.rendering import get_spine, page, redirect

router = APIRouter(route_class=WebRoute)
NEWEST = 5


@dataclass(frozen=True)
class SignalPage:
    chain: SignalChain
    event_kinds: list[str]


@dataclass(frozen=True)
class EventKind:
    """A kind a signal starts from, how many there are, and the newest few."""

    kind: str
    title: str
    total: int
    newest: list[RecordSummary]


@dataclass(frozen=True)
class SignalStart:
    kinds: list[EventKind]
    as_of_text: str = ""


def signal_data(spine: Spine, user: User, key: str, at: dt.datetime | None = None) -> SignalPage:
    chain = spine.signals.follow(user, key, at)
    return SignalPage(chain, [kind for kind in EVENT_KINDS if kind in spine.profile.kinds])


def start_data(spine: Spine, user: User, as_of_text: str = "") -> SignalStart:
    spine.users.permits(user, "read")
    kinds = []
    for kind in EVENT_KINDS:
        spec = spine.profile.kinds.get(kind)
        if spec is None:
            continue
        total, newest = spine.records.list(kind, limit=NEWEST)
        kinds.append(EventKind(kind, spec.title, total, newest))
    return SignalStart(kinds, as_of_text)


@router.get("/signals")
def signals_page(
    request: Request,
    session: SessionDep,
    key: str | None = None,
    as_of: str | None = None,
) -> Response:
    """The start page; with `?key=` (the form), a redirect to that event's chain."""
    wanted = (key or "").strip().upper()
    if wanted:
        query = {
            name: value.strip()
            for name, value in (("as_of", as_of), ("format", request.query_params.get("format")))
            if value is not None and value.strip()
        }
        target = f"/signals/{quote(wanted, safe='')}"
        return redirect(target + (f"?{urlencode(query)}" if query else ""))
    data = start_data(get_spine(request), session.user, (as_of or "").strip())
    return page(request, "signals.html", data, session, section="signals")


@router.get("/signals/{key}")
def signal_page(
    request: Request, session: SessionDep, key: str, as_of: str | None = None
) -> Response:
    spine = get_spine(request)
    data = signal_data(spine, session.user, key, as_of_instant(spine, as_of))
    return page(request, "signal.html", data, session, section="signals")
