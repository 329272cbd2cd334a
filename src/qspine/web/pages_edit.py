"""Create and edit forms, generated from the profile; refusals come back inline, input kept."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.model.access import allows
from qspine.model.errors import Conflict, InvalidInput
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute
from qspine.web.forms import RecordForm, field_of, parse_texts, posted_texts, texts_of, widgets
from qspine.web.rendering import get_spine, page, redirect

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True)
class KindChoice:
    kind: str
    title: str
    help: str
    prefix: str


@dataclass(frozen=True)
class KindChooser:
    kinds: list[KindChoice]


def chooser_data(spine: Spine, user: User) -> KindChooser:
    spine.users.check(user.username, "read")
    return KindChooser(
        [
            KindChoice(name, spec.title, spec.help, spec.prefix)
            for name, spec in spine.profile.kinds.items()
            if not spec.managed and allows(spine.profile, user.roles, "write", name)
        ]
    )


def new_form_data(spine: Spine, user: User, kind: str) -> RecordForm:
    """An empty form for `kind` (refused up front when the user may not write that kind)."""
    if kind not in spine.profile.kinds:
        raise InvalidInput(f"unknown kind '{kind}'")
    spine.users.check(user.username, "write", kind)
    spec = spine.profile.kinds[kind]
    defaults = {n: f.default for n, f in spec.fields.items() if f.default is not None}
    return _with_suggestions(
        spine, RecordForm(kind, spec.title, None, None, "", widgets(spec, texts_of(spec, defaults)))
    )


def edit_form_data(spine: Spine, user: User, key: str) -> RecordForm:
    view = spine.records.show(key)
    spine.users.check(user.username, "write", view.kind)
    spec = spine.profile.kinds[view.kind]
    form = RecordForm(
        view.kind,
        spec.title,
        key,
        view.latest_version,
        "",
        widgets(spec, texts_of(spec, view.version.fields)),
    )
    return _with_suggestions(spine, form)


def _with_suggestions(spine: Spine, form: RecordForm) -> RecordForm:
    """A first datalist for every ref field (htmx narrows it as the person types)."""
    suggestions = {}
    for widget in form.widgets:
        if widget.control == "ref":
            options = []
            for kind in widget.ref_kinds:
                _, rows = spine.records.list(kind, limit=50)
                options += [(row.key, row.title) for row in rows]
            suggestions[widget.name] = options
    return replace(form, suggestions=suggestions)


@router.get("/records/new")
def new_record(request: Request, session: SessionDep, kind: str = "") -> Response:
    spine = get_spine(request)
    if not kind:
        chooser = chooser_data(spine, session.user)
        return page(request, "choose_kind.html", chooser, session, section="new")
    data = new_form_data(spine, session.user, kind)
    return page(request, "record_form.html", data, session, section="new")


@router.post("/records/new")
def create_record(request: Request, post: PostDep) -> Response:
    spine = get_spine(request)
    kind = post.text("kind")
    if kind not in spine.profile.kinds:
        raise InvalidInput(f"unknown kind '{kind}'")
    spec = spine.profile.kinds[kind]
    texts = posted_texts(spec, post.form)
    reason = post.text("reason")
    values, errors = parse_texts(f"new {kind}", spec, texts)
    form = RecordForm(kind, spec.title, None, None, reason, widgets(spec, texts, errors))
    if errors:
        return _refused(request, post, spine, form, "Some fields need attention.", 422)
    fields = {name: value for name, value in values.items() if value is not None}
    try:
        view = spine.records.create(post.actor, kind, fields, reason)
    except InvalidInput as problem:
        return _refused(request, post, spine, _mark(form, problem), str(problem), 422)
    return redirect(f"/records/{view.key}?done=created")


@router.get("/records/{key}/edit")
def edit_record(request: Request, session: SessionDep, key: str) -> Response:
    data = edit_form_data(get_spine(request), session.user, key)
    return page(request, "record_form.html", data, session, section="records")


@router.post("/records/{key}/edit")
def revise_record(request: Request, key: str, post: PostDep) -> Response:
    spine = get_spine(request)
    view = spine.records.show(key)
    spec = spine.profile.kinds[view.kind]
    texts = posted_texts(spec, post.form)
    reason = post.text("reason")
    expected = post.number("expected_version")
    values, errors = parse_texts(key, spec, texts, view.version.fields)
    form = RecordForm(view.kind, spec.title, key, expected, reason, widgets(spec, texts, errors))
    if errors:
        return _refused(request, post, spine, form, "Some fields need attention.", 422)
    try:
        spine.records.revise(post.actor, key, values, expected, reason)
    except Conflict as problem:
        conflict = replace(form, conflict=True)
        return _refused(request, post, spine, conflict, str(problem), 409)
    except InvalidInput as problem:
        return _refused(request, post, spine, _mark(form, problem), str(problem), 422)
    return redirect(f"/records/{key}?done=revised")


def _mark(form: RecordForm, problem: Exception) -> RecordForm:
    """Attach a service's InvalidInput to the field (or the reason) it names, if any."""
    name = field_of(str(problem))
    if name is None:
        if "reason" in str(problem):
            return replace(form, reason_error=str(problem))
        return form
    marked = [replace(w, error=str(problem)) if w.name == name else w for w in form.widgets]
    return replace(form, widgets=marked)


def _refused(
    request: Request, post: PostDep, spine: Spine, form: RecordForm, message: str, status: int
) -> Response:
    data = _with_suggestions(spine, replace(form, message=message))
    section = "records" if form.key else "new"
    return page(request, "record_form.html", data, post.session, status=status, section=section)
