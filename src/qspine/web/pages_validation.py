"""Validation run pages: a run with its pinned inputs, metrics, judgements and execution
history, a Rerun button, each execution's log, and the form that runs a model's validation."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from qspine.model.access import allows
from qspine.model.errors import QSpineError
from qspine.model.records import RecordSummary
from qspine.services.users import User
from qspine.services.validation import RerunResult, RunView
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page, redirect, with_headers

router = APIRouter(route_class=WebRoute)
SECTION = "models"


@dataclass
class RunPage:
    """One run: what the service shows, whether this user may rerun it, the last rerun."""

    run: RunView
    can_run: bool
    rerun: RerunResult | None = None


@dataclass
class NewRunPage:
    """The run form: the model, the datasets to choose from, and what was entered."""

    model: str
    datasets: list[RecordSummary]
    chosen: list[str] = field(default_factory=list)
    command: str = ""
    title: str = ""
    problem: str = ""
    can_run: bool = False


@router.get("/validation-runs/new")
def new_run(request: Request, session: SessionDep, model: str = "") -> Response:
    view = _form(request, session.user, model)
    return page(request, "validation_new.html", view, session, section=SECTION)


@router.post("/validation-runs")
def run(request: Request, post: PostDep) -> Response:
    """Execute the run; on success show it, else the form again with the one error."""
    model = post.text("model").strip()
    chosen = [key.strip() for key in post.texts("datasets") if key.strip()]
    command, title = post.text("command").strip(), post.text("title").strip()
    try:
        done = get_spine(request).validation.run(post.actor, model, chosen, command, title)
    except QSpineError as error:
        view = _form(request, post.session.user, model)
        view.chosen, view.command, view.title, view.problem = chosen, command, title, str(error)
        return page(
            request, "validation_new.html", view, post.session,
            status=status_of(error), section=SECTION,
        )  # fmt: skip
    return redirect(f"/validation-runs/{done.key}")


@router.get("/validation-runs/{key}")
def show(request: Request, session: SessionDep, key: str) -> Response:
    view = _page(request, session.user, key)
    return page(request, "validation_run.html", view, session, section=SECTION)


@router.post("/validation-runs/{key}/rerun")
def rerun(request: Request, post: PostDep, key: str) -> Response:
    """Rerun and show the page with the verdict (htmx swaps the page body in place)."""
    done = get_spine(request).validation.rerun(post.actor, key)
    view = _page(request, post.session.user, key)
    view.rerun = done
    return page(request, "validation_run.html", view, post.session, section=SECTION)


@router.get("/validation-runs/{key}/executions/{execution_id}/log")
def log(request: Request, session: SessionDep, key: str, execution_id: int) -> Response:
    text = get_spine(request).validation.log(session.user, key, execution_id)
    return with_headers(PlainTextResponse(text))


def _page(request: Request, user: User, key: str) -> RunPage:
    spine = get_spine(request)
    can_run = allows(spine.profile, user.roles, "write", "validation_run")
    return RunPage(spine.validation.show(user, key), can_run)


def _form(request: Request, user: User, model: str) -> NewRunPage:
    spine = get_spine(request)
    spine.users.permits(user, "read")
    _, datasets = spine.records.list(kind="dataset", limit=500)
    can_run = allows(spine.profile, user.roles, "write", "validation_run")
    return NewRunPage(model=model, datasets=datasets, can_run=can_run)
