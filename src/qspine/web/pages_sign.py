"""The signing page (21 CFR 11.50, 11.200): preflight first, then the meaning's statement
and the password again. A refused preflight shows its reason instead of the form."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.model.errors import AuthenticationFailed, InvalidInput, QSpineError
from qspine.model.records import RecordView
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page, redirect

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True)
class SignPage:
    """What the signer is about to sign, or why they cannot."""

    record: RecordView
    meaning: str
    meaning_title: str
    statement: str
    signer: str
    printed_name: str
    expected_version: int
    moves_to: str | None
    refusal: str = ""
    refusal_status: int = 200
    error: str = ""
    reason: str = ""


def sign_data(spine: Spine, user: User, key: str, meaning: str, expected: int | None) -> SignPage:
    """Run every check of signing but the password (`preflight`) before asking for it."""
    spine.users.check(user.username, "read")
    view = spine.records.show(key)
    spec = spine.profile.meanings.get(meaning)
    if spec is None:
        raise InvalidInput(
            f"{key}: unknown signature meaning '{meaning}' "
            f"(meanings: {', '.join(spine.profile.meanings)})"
        )
    version = expected if expected is not None else view.latest_version
    data = SignPage(
        record=view,
        meaning=meaning,
        meaning_title=spec.title,
        statement=spec.statement,
        signer=user.username,
        printed_name=user.full_name,
        expected_version=version,
        moves_to=None,
    )
    try:
        moves_to = spine.signing.preflight(user.username, key, meaning, version)
    except QSpineError as refusal:
        return replace(data, refusal=str(refusal), refusal_status=status_of(refusal))
    return replace(data, moves_to=moves_to)


@router.get("/records/{key}/sign")
def sign_page(request: Request, session: SessionDep, key: str, meaning: str) -> Response:
    data = sign_data(get_spine(request), session.user, key, meaning, None)
    return page(request, "sign.html", data, session, status=data.refusal_status, section="records")


@router.post("/records/{key}/sign")
def sign(request: Request, key: str, post: PostDep) -> Response:
    spine = get_spine(request)
    meaning = post.text("meaning")
    expected = post.number("expected_version")
    reason = post.text("reason")
    try:
        spine.signing.sign(
            post.actor, post.text("password"), key, meaning, expected, reason.strip()
        )
    except QSpineError as problem:
        data = sign_data(spine, post.session.user, key, meaning, expected)
        if isinstance(problem, AuthenticationFailed):
            data = replace(data, error=str(problem), reason=reason)
        elif not data.refusal:
            data = replace(data, refusal=str(problem), refusal_status=status_of(problem))
        status = status_of(problem)
        return page(request, "sign.html", data, post.session, status=status, section="records")
    return redirect(f"/records/{key}?done=signed#signatures")
