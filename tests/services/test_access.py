"""API tokens and web sessions: stored hashed, expiring, revocable, idle timeout, audited."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from qspine import AuthenticationFailed, Forbidden, InvalidInput, NotFound, Spine
from qspine.store.schema import api_token, web_session

from helpers import PASSWORD


def later(spine: Spine, **delta: float) -> None:
    """Move the spine's clock forward (the services read time only through it)."""
    now = dt.datetime.now(dt.UTC) + dt.timedelta(**delta)
    spine.context.clock = lambda: now


def test_tokens_are_stored_hashed_and_resolve_to_their_user(spine: Spine) -> None:
    secret, info = spine.access.create_token("eve", "CI pipeline", days=7)
    assert secret.startswith("qsp_") and info.prefix == secret[:10]
    with spine.context.engine.connect() as connection:
        stored = connection.execute(sa.select(api_token.c.token_hash)).scalar_one()
    assert secret not in stored and len(stored) == 64
    assert spine.access.user_for_token(secret).username == "eve"
    assert spine.audit.log("user:eve")[0].action == "token.create"


def test_expired_revoked_and_unknown_tokens_fail(spine: Spine) -> None:
    secret, info = spine.access.create_token("eve", "short", days=1)
    later(spine, days=2)
    with pytest.raises(AuthenticationFailed, match="expired"):
        spine.access.user_for_token(secret)
    spine.context.clock = lambda: dt.datetime.now(dt.UTC)
    other, info = spine.access.create_token("eve", "revoke me")
    with pytest.raises(Forbidden, match="belongs to eve"):
        spine.access.revoke_token("quinn", info.id)
    assert spine.access.revoke_token("ada", info.id).revoked_at is not None
    with pytest.raises(AuthenticationFailed):
        spine.access.user_for_token(other)
    with pytest.raises(AuthenticationFailed):
        spine.access.user_for_token("qsp_made_up")
    with pytest.raises(NotFound):
        spine.access.revoke_token("ada", 999)


def test_token_input_is_checked(spine: Spine) -> None:
    with pytest.raises(InvalidInput, match="needs a name"):
        spine.access.create_token("eve", " ")
    with pytest.raises(InvalidInput, match="choose 1 to 366"):
        spine.access.create_token("eve", "forever", days=5000)
    assert [t.name for t in spine.access.tokens("eve")] == []


def test_admins_see_every_token_others_their_own(spine: Spine) -> None:
    spine.access.create_token("eve", "eve's")
    spine.access.create_token("quinn", "quinn's")
    assert [t.name for t in spine.access.tokens("eve")] == ["eve's"]
    assert [t.name for t in spine.access.tokens("ada")] == ["eve's", "quinn's"]


def test_sessions_end_at_logout_and_after_the_idle_timeout(spine: Spine) -> None:
    secret, session = spine.access.login("eve", PASSWORD)
    assert spine.access.session(secret).csrf_token == session.csrf_token
    spine.access.logout(secret)
    with pytest.raises(AuthenticationFailed, match="not signed in"):
        spine.access.session(secret)

    secret, _ = spine.access.login("eve", PASSWORD)
    later(spine, minutes=spine.context.policy.session_idle_minutes + 1)
    with pytest.raises(AuthenticationFailed, match="timed out"):
        spine.access.session(secret)
    with spine.context.engine.connect() as connection:
        ended = connection.execute(sa.select(web_session.c.ended_at)).scalars().all()
    assert all(at is not None for at in ended)
    actions = [e.action for e in spine.audit.log("user:eve", limit=4)]
    assert actions[:2] == ["session.end", "session.login"]


def test_login_with_wrong_password_opens_no_session(spine: Spine) -> None:
    with pytest.raises(AuthenticationFailed):
        spine.access.login("eve", "wrong password")
    with spine.context.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(web_session)).scalar() == 0
