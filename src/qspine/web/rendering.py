"""One data object, two renderings: an HTML template for people, its JSON twin for programs.

Every page handler computes a plain data object with one data function (services only),
then calls `page`: the template gets the object as `data`; `?format=json` or an
`Accept: application/json` request gets `jsonable(data)` instead. Templates never query.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from qspine.cli.output import jsonable, utc
from qspine.model.access import allows
from qspine.model.metric_criteria import judged_text
from qspine.model.profile import FieldSpec, Profile
from qspine.model.signals import EVENT_KINDS
from qspine.services.access import WebSession
from qspine.spine import Spine
from qspine.web.asof import as_of_param, at_instant, instant_text

TEMPLATES = Path(__file__).parent / "templates"
HTMX_VERSION = "2.0.11"
_KEY = re.compile(r"^[A-Z][A-Z0-9]{0,9}-[1-9][0-9]*$")

# What a redirect's `?done=` code tells the person who just acted (never free text from a URL).
NOTICES = {
    "created": "Record created.",
    "revised": "New version saved.",
    "transition": "Status changed.",
    "signed": "Signed. The signature is shown below with its manifestation.",
    "linked": "Link created.",
    "confirmed": "Link confirmed against the target's current version.",
    "user_added": "User added.",
    "roles": "Roles changed.",
    "active": "Account status changed.",
    "revoked": "Token revoked.",
    "baseline": "Baseline captured as a draft; approve it by signing.",
    "recorded": "Check recorded: the next check shows what changed since this one.",
    "suppressed": "Finding suppressed with your reason (audited).",
    "restored": "Suppression withdrawn (audited): the finding is open again.",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def get_spine(request: Request) -> Spine:
    spine: Spine = request.app.state.spine
    return spine


def wants_json(request: Request) -> bool:
    """The JSON twin: `?format=json`, or an Accept header asking for JSON and not HTML."""
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def page(
    request: Request,
    template: str,
    data: Any,
    session: WebSession | None,
    *,
    status: int = 200,
    section: str = "",
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Render `data` with `template`, or as JSON when the request asks for the twin."""
    if wants_json(request):
        return with_headers(JSONResponse(jsonable(data), status))
    context = {
        "request": request,
        "data": data,
        "session": session,
        "user": session.user if session else None,
        "csrf_token": session.csrf_token if session else "",
        "profile": get_spine(request).profile,
        "section": section,
        "notice": NOTICES.get(request.query_params.get("done", "")),
        "htmx_version": HTMX_VERSION,
        **(extra or {}),
    }
    context["is_admin"] = bool(session and allows(context["profile"], session.user.roles, "admin"))
    html = environment().get_template(template).render(context)
    return with_headers(HTMLResponse(html, status))


def redirect(url: str) -> Response:
    """303 See Other: after a POST the browser GETs the result (no resubmission on reload)."""
    return with_headers(RedirectResponse(url, status_code=303))


def with_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@functools.cache
def environment() -> Environment:
    """The Jinja environment (built once; templates are package data, never user input)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        utc=utc,
        human=human,
        label=field_label,
        tone=status_tone,
        state_title=state_title,
        kind_title=kind_title,
        linked_subject=linked_subject,
        field_value=field_value,
        at=at_instant,
        instant=instant_text,
        as_of_param=as_of_param,
        judged=judged_text,
    )
    env.globals["event_kinds"] = EVENT_KINDS
    return env


# -- filters: presentation only ---------------------------------------------------------------


def human(name: str | None) -> str:
    """`in_review` -> `In review`."""
    if not name:
        return ""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def field_label(name: str, spec: FieldSpec | None = None) -> str:
    if spec is not None and spec.label:
        return spec.label
    return human(name)


def status_tone(status: str, kind: str, profile: Profile) -> str:
    """A colour family for a status: draft, progress, released or final (from the lifecycle)."""
    spec = profile.kinds.get(kind)
    if spec is None:
        return "progress"
    lifecycle = profile.lifecycles[spec.lifecycle]
    state = lifecycle.states.get(status)
    if state is None:
        return "progress"
    if state.released:
        return "released"
    if state.terminal:
        return "final"
    if status == lifecycle.initial:
        return "draft"
    return "progress"


def state_title(status: str, kind: str, profile: Profile) -> str:
    spec = profile.kinds.get(kind)
    if spec is not None:
        state = profile.lifecycles[spec.lifecycle].states.get(status)
        if state is not None and state.title:
            return state.title
    return human(status)


def kind_title(kind: str, profile: Profile) -> str:
    spec = profile.kinds.get(kind)
    return spec.title if spec is not None else human(kind)


def record_link(key: str) -> Markup:
    return Markup('<a href="/records/{0}">{0}</a>').format(key)


def linked_subject(subject: str) -> Markup:
    """An audit subject ("TC-4 REQ-12", "REQ-3", "user:eve") with record keys as links."""
    parts = [record_link(part) if _KEY.match(part) else escape(part) for part in subject.split()]
    return Markup(" ").join(parts)


def field_value(value: Any, spec: FieldSpec | None) -> Markup:
    """A stored field value as HTML, by the field's type (markdown stays escaped text)."""
    type_name = spec.type if spec is not None else "text"
    if type_name == "list" and isinstance(value, list):
        item_spec = spec.model_copy(update={"type": spec.items or "text"}) if spec else None
        items = [field_value(item, item_spec) for item in value]
        return Markup('<ul class="inline-list">{}</ul>').format(
            Markup("").join(Markup("<li>{}</li>").format(item) for item in items)
        )
    if type_name == "markdown":
        return Markup('<pre class="prose">{}</pre>').format(value)
    if type_name == "bool":
        return Markup("Yes") if value else Markup("No")
    if type_name == "ref" and isinstance(value, str) and _KEY.match(value):
        return record_link(value)
    if type_name == "enum":
        return Markup('<span class="enum">{}</span>').format(human(str(value)))
    if type_name == "blob":
        return Markup('<code title="sha256:{0}">sha256:{1}…</code>').format(value, str(value)[:16])
    if type_name == "datetime":
        try:
            return Markup("{}").format(utc(dt.datetime.fromisoformat(str(value))))
        except ValueError:
            return escape(str(value))
    return escape(str(value))
