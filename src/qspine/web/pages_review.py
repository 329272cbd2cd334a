"""Management review preparation page (ISO 13485:2016 5.6.2): the twelve inputs of a period
with their counts and records, and a form that opens the review record carrying them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.cli.output import jsonable
from qspine.model.access import allows
from qspine.model.errors import InvalidInput, QSpineError
from qspine.model.review import CLAUSE, REVIEW, ReviewInputs
from qspine.services.access import WebSession
from qspine.services.review import ReviewService
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page, redirect, wants_json, with_headers

router = APIRouter(route_class=WebRoute)
DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class ReviewForm:
    """The period (and title) as the person typed them, and what was wrong, if anything."""

    start: str
    end: str
    title: str = ""
    error: str = ""


@dataclass(frozen=True)
class ReviewPage:
    """The inputs of the period (None when the period was refused) and the create form."""

    form: ReviewForm
    inputs: ReviewInputs | None
    can_create: bool
    clause: str = CLAUSE


def review_data(spine: Spine, user: User, form: ReviewForm) -> ReviewPage:
    """The inputs for the form's period; a refused period comes back in the form."""
    can_create = allows(spine.profile, user.roles, "write", REVIEW)
    try:
        start, end = _day(form.start, "start"), _day(form.end, "end")
        inputs = _reviews(spine).prepare(user, start, end)
    except InvalidInput as problem:
        return ReviewPage(_with_error(form, str(problem)), None, can_create)
    return ReviewPage(form, inputs, can_create)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last DEFAULT_MONTHS whole calendar months before `today`'s month."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    month = end.year * 12 + end.month - DEFAULT_MONTHS
    return dt.date(month // 12, month % 12 + 1, 1), end


@router.get("/reviews/prepare")
def prepare_page(request: Request, session: SessionDep, start: str = "", end: str = "") -> Response:
    spine = get_spine(request)
    first, last = default_period(spine.context.clock().date())
    form = ReviewForm(start.strip() or first.isoformat(), end.strip() or last.isoformat())
    data = review_data(spine, session.user, form)
    status = 422 if data.inputs is None else 200
    return _render(request, data, session, status)


@router.post("/reviews")
def create_review(request: Request, post: PostDep) -> Response:
    """Open the review record for the period and go to it; a refusal comes back in the form."""
    spine = get_spine(request)
    form = ReviewForm(
        post.text("start").strip(), post.text("end").strip(), post.text("title").strip()
    )
    try:
        start, end = _day(form.start, "start"), _day(form.end, "end")
        key = _reviews(spine).create(post.actor, start, end, form.title or None)
    except QSpineError as problem:
        data = review_data(spine, post.session.user, form)
        failed = ReviewPage(_with_error(form, str(problem)), data.inputs, data.can_create)
        return _render(request, failed, post.session, status_of(problem))
    return redirect(f"/records/{key}?done=created")


def _render(request: Request, data: ReviewPage, session: WebSession, status: int) -> Response:
    if wants_json(request):  # the twin, with dates as YYYY-MM-DD
        body = json.dumps(jsonable(data), ensure_ascii=False, default=_iso)
        return with_headers(Response(body, status, media_type="application/json"))
    return page(request, "review_prepare.html", data, session, status=status, section="reviews")


def _reviews(spine: Spine) -> ReviewService:
    return spine.reviews


def _day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: '{text}' is not a date (YYYY-MM-DD)") from None


def _with_error(form: ReviewForm, message: str) -> ReviewForm:
    return ReviewForm(form.start, form.end, form.title, message)


def _iso(value: object) -> str:
    isoformat = getattr(value, "isoformat", None)
    if isoformat is None:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return str(isoformat())
