"""Baseline pages: the list with a capture form, one baseline (facts, manifest, signatures,
members), and a comparison with another baseline, with now or with a past instant.

A baseline is captured here as a draft; it is approved by the ordinary signing flow of its
record (meaning `approved`), which binds the manifest and so the exact member versions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qspine.model.access import allows
from qspine.model.baselines import BaselineComparison, BaselineView
from qspine.model.errors import InvalidInput, QSpineError
from qspine.model.records import RecordSummary, key_order
from qspine.services.baselines import KIND
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.asof import as_of_instant
from qspine.web.auth import Post, PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.forms import field_of
from qspine.web.pages_records import Action
from qspine.web.pages_trace import split_list
from qspine.web.rendering import get_spine, page, redirect

router = APIRouter(route_class=WebRoute)
MAX_HTML_ROWS = 2000


@dataclass(frozen=True)
class BaselineRow:
    """One line of the baseline list."""

    key: str
    title: str
    status: str
    taken_at: dt.datetime
    member_count: int
    created_at: dt.datetime


@dataclass(frozen=True)
class KindOption:
    name: str
    title: str


@dataclass(frozen=True)
class BaselineForm:
    """The capture form as the person left it; `error_field` names the control at fault."""

    title: str = ""
    kinds: tuple[str, ...] = ()
    keys: str = ""
    as_of: str = ""
    description: str = ""
    error: str = ""
    error_field: str = ""


@dataclass(frozen=True)
class BaselinesPage:
    baselines: list[BaselineRow]
    kinds: list[KindOption]
    can_create: bool
    form: BaselineForm


@dataclass(frozen=True)
class BaselinePage:
    """One baseline, the lifecycle steps the reader may take, and what it can be compared with."""

    baseline: BaselineView
    actions: list[Action]
    others: list[RecordSummary]
    row_limit: int = MAX_HTML_ROWS


@dataclass(frozen=True)
class ComparePage:
    """`key` against the baseline `against`, or against its own selection now or as of."""

    key: str
    against: str
    as_of: dt.datetime | None
    comparison: BaselineComparison


def baselines_data(spine: Spine, user: User, form: BaselineForm | None = None) -> BaselinesPage:
    """Every baseline, newest first, and the capture form (kinds that may be members)."""
    found = spine.baselines.list(user)
    rows = []
    for summary in sorted(found, key=_number, reverse=True):
        fields = spine.records.show(summary.key).version.fields
        rows.append(
            BaselineRow(
                summary.key,
                summary.title,
                summary.status,
                dt.datetime.fromisoformat(fields["taken_at"]),
                int(fields["member_count"]),
                summary.updated_at,
            )
        )
    profile = spine.profile
    kinds = [
        KindOption(name, spec.title) for name, spec in profile.kinds.items() if not spec.managed
    ]
    can_create = allows(profile, user.roles, "write", KIND)
    return BaselinesPage(rows, kinds, can_create, form or BaselineForm())


def baseline_data(
    spine: Spine, user: User, key: str, at: dt.datetime | None = None
) -> BaselinePage:
    view = spine.baselines.show(user, key, at)
    record = spine.records.show(key, at)
    profile = spine.profile
    can_write = allows(profile, user.roles, "write", KIND)
    actions = [
        Action(
            step["to"],
            step["title"] or step["to"],
            step["signature"],
            allows(profile, user.roles, "sign", step["signature"])
            if step["signature"]
            else can_write,
        )
        for step in record.next_transitions
    ]
    return BaselinePage(view, actions, _others(spine, user, key))


def compare_data(
    spine: Spine, user: User, key: str, against: str | None, at: dt.datetime | None
) -> ComparePage:
    comparison = spine.baselines.compare(user, key, against, at)
    label = against or ("as of" if at is not None else "now")
    return ComparePage(key, label, at, comparison)


def _others(spine: Spine, user: User, key: str) -> list[RecordSummary]:
    """The other baselines, newest first (for the compare form)."""
    found = [row for row in spine.baselines.list(user) if row.key != key]
    return sorted(found, key=_number, reverse=True)


def _number(summary: RecordSummary) -> tuple[str, int]:
    return key_order(summary.key)


@router.get("/baselines")
def baselines_page(request: Request, session: SessionDep) -> Response:
    data = baselines_data(get_spine(request), session.user)
    return page(request, "baselines.html", data, session, section="baselines")


@router.post("/baselines")
def create_baseline(request: Request, post: PostDep) -> Response:
    """Capture a draft baseline; a refusal comes back in the form, input kept."""
    spine = get_spine(request)
    form = BaselineForm(
        title=post.text("title").strip(),
        kinds=tuple(post.texts("kinds")),
        keys=post.text("keys").strip(),
        as_of=post.text("as_of").strip(),
        description=post.text("description").replace("\r\n", "\n").strip(),
    )
    try:
        at = as_of_instant(spine, form.as_of)
    except InvalidInput as problem:
        return _refused(request, post, form, str(problem), "as_of", status_of(problem))
    try:
        view = spine.baselines.create(
            post.actor,
            form.title,
            kinds=form.kinds,
            keys=split_list([form.keys], upper=True),
            at=at,
            description=form.description,
        )
    except QSpineError as problem:
        message = str(problem)
        named = field_of(message)
        if named is None and "kinds and/or record keys" in message:
            named = "kinds"
        return _refused(request, post, form, message, named or "", status_of(problem))
    return redirect(f"/baselines/{view.key}?done=baseline")


def _refused(
    request: Request, post: Post, form: BaselineForm, message: str, field: str, status: int
) -> Response:
    failed = BaselineForm(
        form.title, form.kinds, form.keys, form.as_of, form.description, message, field
    )
    data = baselines_data(get_spine(request), post.session.user, failed)
    return page(request, "baselines.html", data, post.session, status=status, section="baselines")


@router.get("/baselines/{key}")
def baseline_page(
    request: Request, session: SessionDep, key: str, as_of: str | None = None
) -> Response:
    spine = get_spine(request)
    data = baseline_data(spine, session.user, key, as_of_instant(spine, as_of))
    return page(request, "baseline.html", data, session, section="baselines")


@router.get("/baselines/{key}/compare")
def compare_page(
    request: Request,
    session: SessionDep,
    key: str,
    against: Annotated[str, Query(alias="with")] = "",
    as_of: str | None = None,
) -> Response:
    spine = get_spine(request)
    at = as_of_instant(spine, as_of)
    other = against.strip().upper() or None
    data = compare_data(spine, session.user, key, other, at)
    return page(request, "baseline_compare.html", data, session, section="baselines")
