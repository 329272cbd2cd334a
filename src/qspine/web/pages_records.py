"""Record list, record page (fields, lifecycle, links, history, signatures, picture), and the
small POSTs made from it: a plain transition, a new link, confirming a suspect link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qspine.model.access import allows
from qspine.model.errors import InvalidInput, QSpineError
from qspine.model.profile import Profile
from qspine.model.records import FieldChange, RecordSummary, RecordView, VersionView, diff_fields
from qspine.model.trace import ChangeImpact
from qspine.services.access import WebSession
from qspine.services.baselines import KIND as BASELINE_KIND
from qspine.services.lint import RecordLint
from qspine.services.trace import CHANGE_KIND
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.asof import as_of_instant
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import MAX_PAGE, WebRoute, safe_next, status_of
from qspine.web.graph import neighbourhood
from qspine.web.rendering import field_label, get_spine, page, redirect

router = APIRouter(route_class=WebRoute)
PER_PAGE = 50


@dataclass(frozen=True)
class RecordList:
    kind: str
    status: str
    q: str
    page: int
    pages: int
    total: int
    records: list[RecordSummary]
    statuses: list[str]


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    type: str
    value: Any


@dataclass(frozen=True)
class VersionEntry:
    version: VersionView
    changes: list[FieldChange]


@dataclass(frozen=True)
class Action:
    """A next step of the lifecycle: a plain button, or a link to the signing page."""

    to: str
    title: str
    signature: str | None
    allowed: bool
    blocked_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkForm:
    type: str = ""
    target: str = ""
    reason: str = ""
    error: str = ""


@dataclass(frozen=True)
class RecordPage:
    """A record now (actions offered), or as of a past instant (read-only history)."""

    record: RecordView
    fields: list[FieldRow]
    history: list[VersionEntry]
    actions: list[Action]
    can_write: bool
    editable: bool
    link_types: list[str]
    target_kinds: list[str]
    link_form: LinkForm = field(default_factory=LinkForm)
    baseline_href: str = ""
    other_signatures: list[str] = field(default_factory=list)
    change_impact: ChangeImpact | None = None
    lint: RecordLint | None = None

    @property
    def as_of(self) -> dt.datetime | None:
        return self.record.as_of


@dataclass(frozen=True)
class Suggestions:
    q: str
    records: list[RecordSummary]


def list_data(spine: Spine, user: User, kind: str, status: str, q: str, page: int) -> RecordList:
    spine.users.check(user.username, "read")
    profile = spine.profile
    if kind and kind not in profile.kinds:
        raise InvalidInput(f"unknown kind '{kind}'")
    total, rows = spine.records.list(
        kind or None, status or None, q or None, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    lifecycles = [profile.lifecycle_of(kind)] if kind else list(profile.lifecycles.values())
    statuses = sorted({state for lifecycle in lifecycles for state in lifecycle.states})
    pages = max(1, -(-total // PER_PAGE))
    return RecordList(kind, status, q, page, pages, total, rows, statuses)


def record_data(
    spine: Spine,
    user: User,
    key: str,
    link_form: LinkForm | None = None,
    at: dt.datetime | None = None,
) -> RecordPage:
    """The record page now, or as of `at`: the version then, its history up to then, the
    links and signatures of then, and no actions (history is not edited)."""
    spine.users.permits(user, "read")
    profile = spine.profile
    view = spine.records.show(key, at)
    spec = profile.kinds[view.kind]
    lifecycle = profile.lifecycles[spec.lifecycle]
    versions = spine.records.history(key)
    if at is not None:
        versions = _versions_then(versions, view)
    history = [
        VersionEntry(v, diff_fields(versions[i - 1].fields, v.fields) if i else [])
        for i, v in enumerate(versions)
    ]
    rows = [
        FieldRow(name, field_label(name, fspec), fspec.type, view.version.fields[name])
        for name, fspec in spec.fields.items()
        if name in view.version.fields
    ]
    can_write = at is None and allows(profile, user.roles, "write", view.kind)
    actions = [
        Action(
            step["to"],
            step["title"] or step["to"],
            step["signature"],
            allows(profile, user.roles, "sign", step["signature"])
            if step["signature"]
            else can_write,
            tuple(step.get("blocked_by", ())),
        )
        for step in view.next_transitions
    ]
    link_types = [name for name, link in profile.links.items() if view.kind in link.from_]
    target_kinds = sorted({k for name in link_types for k in profile.links[name].to})
    return RecordPage(
        record=view,
        fields=rows,
        history=list(reversed(history)),
        actions=actions,
        can_write=can_write,
        editable=can_write and not spec.managed and not lifecycle.states[view.status].terminal,
        link_types=link_types,
        target_kinds=target_kinds,
        link_form=link_form or LinkForm(),
        baseline_href=f"/baselines/{view.key}" if view.kind == BASELINE_KIND else "",
        other_signatures=[]
        if at is not None or lifecycle.states[view.status].terminal
        else _other_signatures(profile, user),
        change_impact=spine.trace.change_impact(user, key)
        if at is None and view.kind == CHANGE_KIND
        else None,
        lint=spine.lint.lint_record(user, key) if at is None and view.kind == "document" else None,
    )


def _other_signatures(profile: Profile, user: User) -> list[str]:
    """Meanings signed without a status change (no lifecycle gates a transition on them,
    e.g. a CAPA's effectiveness_verified) that `user` may sign."""
    gating = {t.signature for lc in profile.lifecycles.values() for t in lc.transitions}
    return [
        meaning
        for meaning in profile.meanings
        if meaning not in gating and allows(profile, user.roles, "sign", meaning)
    ]


def _versions_then(versions: list[VersionView], view: RecordView) -> list[VersionView]:
    """The versions that existed at the view's instant, each with the status it had then."""
    status_then = {step.version: step.to_status for step in view.transitions}
    return [
        replace(v, status=status_then.get(v.number, v.status))
        for v in versions
        if v.number <= view.version.number
    ]


def suggest_data(spine: Spine, user: User, q: str, kinds: list[str]) -> Suggestions:
    """Up to 20 records per kind whose key or title contains `q` (filter-as-you-type)."""
    spine.users.check(user.username, "read")
    found: list[RecordSummary] = []
    for kind in kinds or [""]:
        if kind and kind not in spine.profile.kinds:
            continue
        _, rows = spine.records.list(kind or None, None, q or None, limit=20)
        found += rows
    return Suggestions(q, found[:50])


def record_response(
    request: Request, session: WebSession, data: RecordPage, status: int = 200
) -> Response:
    profile = get_spine(request).profile
    view = data.record
    picture = neighbourhood(
        view.key, profile.kinds[view.kind].title, view.links_in, view.links_out, profile
    )
    return page(
        request,
        "record.html",
        data,
        session,
        status=status,
        section="records",
        extra={"graph": picture, "kind_spec": profile.kinds[view.kind]},
    )


@router.get("/records")
def record_list(
    request: Request,
    session: SessionDep,
    kind: str = "",
    status: str = "",
    q: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    data = list_data(get_spine(request), session.user, kind, status, q.strip(), page_number)
    query = urlencode({k: v for k, v in (("kind", kind), ("status", status), ("q", q)) if v})
    return page(request, "records.html", data, session, section="records", extra={"query": query})


@router.get("/records/suggest")
def suggest(
    request: Request,
    session: SessionDep,
    q: str = "",
    kind: Annotated[list[str], Query()] = [],  # noqa: B006
) -> Response:
    """<option>s for a key datalist. htmx sends the typing input under its own name (`q`,
    a link form's `target` or a record form's `field.NAME`), so any of those is the query."""
    typed = [q, request.query_params.get("target", "")] + [
        value for name, value in request.query_params.items() if name.startswith("field.")
    ]
    text = next((value.strip() for value in typed if value.strip()), "")
    data = suggest_data(get_spine(request), session.user, text, kind)
    return page(request, "suggest.html", data, session)


@router.get("/records/{key}")
async def record_page(
    request: Request, session: SessionDep, key: str, as_of: str | None = None
) -> Response:
    spine = get_spine(request)
    data = record_data(spine, session.user, key, at=as_of_instant(spine, as_of))
    return record_response(request, session, data)


@router.post("/records/{key}/transition")
def transition(request: Request, key: str, post: PostDep) -> Response:
    get_spine(request).records.transition(
        post.actor, key, post.text("to"), post.number("expected_version"), post.text("reason")
    )
    return redirect(f"/records/{key}?done=transition")


@router.post("/records/{key}/links")
def add_link(request: Request, key: str, post: PostDep) -> Response:
    spine = get_spine(request)
    form = LinkForm(post.text("type"), post.text("target").strip().upper(), post.text("reason"))
    try:
        spine.links.link(post.actor, form.type, key, form.target, form.reason)
    except QSpineError as problem:
        failed = LinkForm(form.type, form.target, form.reason, str(problem))
        data = record_data(spine, post.session.user, key, failed)
        return record_response(request, post.session, data, status=status_of(problem))
    return redirect(f"/records/{key}?done=linked#links")


@router.post("/links/confirm")
def confirm_link(request: Request, post: PostDep) -> Response:
    source, target = post.text("source"), post.text("target")
    get_spine(request).links.confirm(
        post.actor, post.text("type"), source, target, post.text("reason")
    )
    back = safe_next(post.text("next") or f"/records/{source}")
    separator = "&" if "?" in back else "?"
    return redirect(f"{back}{separator}done=confirmed")
