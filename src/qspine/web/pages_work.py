"""My work (each person's due items across workflows), the training matrix and the approved
supplier list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.web.auth import SessionDep
from qspine.web.errors import WebRoute
from qspine.web.rendering import get_spine, page

router = APIRouter(route_class=WebRoute)


@router.get("/todo")
def todo_page(request: Request, session: SessionDep, user: str | None = None) -> Response:
    """Assigned, due and overdue items, overdue first; `?user=` shows someone else's."""
    work = get_spine(request).todo.for_user(session.user, (user or "").strip() or None)
    return page(request, "todo.html", work, session, section="todo")


@router.get("/training")
def training_page(request: Request, session: SessionDep) -> Response:
    matrix = get_spine(request).training.matrix(session.user)
    return page(request, "training.html", matrix, session, section="training")


@router.get("/suppliers")
def suppliers_page(request: Request, session: SessionDep, approved: bool = False) -> Response:
    listing = get_spine(request).suppliers.approved_list(session.user, approved)
    return page(request, "suppliers.html", listing, session, section="suppliers")
