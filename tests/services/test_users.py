"""Users: argon2id, roles from the profile, lock-out after repeated failures (audited)."""

from __future__ import annotations

import pytest

from qspine import AuthenticationFailed, Conflict, Forbidden, InvalidInput, Spine

from helpers import PASSWORD, database_state


def test_password_is_stored_as_argon2id(spine: Spine) -> None:
    from qspine.store.schema import app_user

    with spine.context.engine.connect() as connection:
        stored = (
            connection.execute(app_user.select().where(app_user.c.username == "eve"))
            .mappings()
            .one()
        )
    assert (
        stored["password_hash"].startswith("$argon2id$") and PASSWORD not in stored["password_hash"]
    )
    assert spine.users.authenticate("eve", PASSWORD).full_name == "Eve Engineer"


def test_repeated_failures_lock_the_account_and_are_audited(spine: Spine) -> None:
    attempts = spine.context.policy.lockout_attempts
    for _ in range(attempts):
        with pytest.raises(AuthenticationFailed, match="wrong username or password"):
            spine.users.authenticate("eve", "guess " * 3)
    with pytest.raises(AuthenticationFailed, match="locked until"):
        spine.users.authenticate("eve", PASSWORD)
    log = spine.audit.log("user:eve", limit=attempts + 2)
    assert [(e.action, e.reason) for e in log[:2]] == [
        ("auth.failed", "locked account"),
        ("user.locked", f"{attempts} consecutive failed authentications"),
    ]
    assert [e.action for e in log[2:]] == ["auth.failed"] * attempts
    spine.users.set_active("ada", "eve", True, "identity re-verified by phone")
    assert spine.users.authenticate("eve", PASSWORD).username == "eve"


def test_only_admins_administer_users(spine: Spine) -> None:
    before = database_state(spine)
    with pytest.raises(Forbidden, match="lacks admin"):
        spine.users.add("quinn", "zed", "Zed", PASSWORD, ["viewer"])
    with pytest.raises(Forbidden):
        spine.users.set_roles("eve", "eve", ["admin"], "promote myself")
    assert database_state(spine) == before


@pytest.mark.parametrize(
    ("username", "roles", "password", "message"),
    [
        ("Bad Name", ["viewer"], PASSWORD, "lower-case"),
        ("zed", ["wizard"], PASSWORD, "unknown role 'wizard'"),
        ("zed", ["viewer"], "short", "at least 10 characters"),
        ("eve", ["viewer"], PASSWORD, "already exists"),
    ],
)
def test_user_input_is_validated(
    spine: Spine, username: str, roles: list[str], password: str, message: str
) -> None:
    with pytest.raises((InvalidInput, Conflict), match=message):
        spine.users.add("ada", username, "Zed Zulu", password, roles)


def test_inactive_user_can_neither_act_nor_authenticate(spine: Spine) -> None:
    spine.users.set_active("ada", "eve", False, "left the company")
    with pytest.raises(AuthenticationFailed, match="inactive"):
        spine.users.authenticate("eve", PASSWORD)
    with pytest.raises(Forbidden, match="inactive"):
        spine.records.create("eve", "user_need", {"title": "t", "statement": "s"})
