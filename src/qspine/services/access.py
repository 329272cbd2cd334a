"""Bearer tokens for the API and sessions for the web UI, both stored only as hashes.

A token or session id is 32 random bytes shown once; the database keeps its SHA-256 (a
high-entropy secret needs no slow hash). Tokens expire and can be revoked; web sessions end
at logout or after the idle timeout (21 CFR 11.10(d), 11.300).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from qspine.model.access import allows
from qspine.model.errors import AuthenticationFailed, Forbidden, InvalidInput, NotFound
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService, require, user_from_row
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import api_token, app_user, web_session

TOKEN_PREFIX = "qsp_"
# Built once: on the hot path of every API request.
_TOKEN_OWNER = (
    sa.select(
        api_token.c.id.label("token_id"),
        api_token.c.revoked_at,
        api_token.c.expires_at,
        api_token.c.last_used_at,
        app_user,
    )
    .join(app_user, app_user.c.id == api_token.c.user_id)
    .where(api_token.c.token_hash == sa.bindparam("digest"))
)


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never the secret itself, only its first characters."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


@dataclass(frozen=True)
class WebSession:
    """A live web session: who, and the CSRF token every form must carry."""

    user: User
    csrf_token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class AccessService:
    """Issue, check and end API tokens and web sessions."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    # -- API tokens -----------------------------------------------------------------------

    def create_token(self, actor: str, name: str, days: int = 90) -> tuple[str, TokenInfo]:
        """A new token for `actor` (the secret is returned once and never stored)."""
        if not name.strip():
            raise InvalidInput("a token needs a name saying what it is for")
        if not 1 <= days <= 366:
            raise InvalidInput(f"token lifetime {days} days: choose 1 to 366")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            user = require(connection, self._context, actor, "read")
            user_id = _user_id(connection, user.username)
            token_id = connection.execute(
                api_token.insert()
                .returning(api_token.c.id)
                .values(
                    user_id=user_id,
                    name=name.strip(),
                    token_hash=_digest(secret),
                    prefix=secret[:10],
                    created_at=now,
                    expires_at=now + dt.timedelta(days=days),
                )
            ).scalar_one()
            append(
                connection,
                now,
                [
                    NewEvent(
                        actor=actor,
                        action="token.create",
                        subject=f"user:{actor}",
                        payload={"token": token_id, "name": name.strip(), "days": days},
                    )
                ],
            )
        return secret, self._token(token_id)

    def tokens(self, actor: str) -> list[TokenInfo]:
        """The actor's own tokens (an admin sees everyone's)."""
        with read_connection(self._context.engine) as connection:
            user = require(connection, self._context, actor, "read")
            query = sa.select(api_token.c.id).order_by(api_token.c.id)
            if not allows(self._context.profile, user.roles, "admin"):
                query = query.where(api_token.c.user_id == _user_id(connection, actor))
            ids = connection.execute(query).scalars().all()
        return [self._token(token_id) for token_id in ids]

    def revoke_token(self, actor: str, token_id: int) -> TokenInfo:
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            user = require(connection, self._context, actor, "read")
            owner = connection.execute(
                sa.select(app_user.c.username)
                .join(api_token, api_token.c.user_id == app_user.c.id)
                .where(api_token.c.id == token_id)
            ).scalar()
            if owner is None:
                raise NotFound(f"no token {token_id}")
            if owner != actor and not allows(self._context.profile, user.roles, "admin"):
                raise Forbidden(f"token {token_id} belongs to {owner}")
            connection.execute(
                api_token.update()
                .where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            append(
                connection,
                now,
                [
                    NewEvent(
                        actor=actor,
                        action="token.revoke",
                        subject=f"user:{owner}",
                        payload={"token": token_id},
                    )
                ],
            )
        return self._token(token_id)

    def user_for_token(self, secret: str) -> User:
        """The user a bearer token stands for; expired, revoked or unknown tokens fail."""
        now = self._context.clock()
        with read_connection(self._context.engine) as connection:
            row = connection.execute(_TOKEN_OWNER, {"digest": _digest(secret)}).mappings().first()
            if row is None or row["revoked_at"] is not None or row["expires_at"] <= now:
                raise AuthenticationFailed("invalid, expired or revoked token")
            user = user_from_row(connection, row)
        if not user.active:
            raise AuthenticationFailed(f"account {user.username} is inactive")
        last = row["last_used_at"]
        if last is None or now - last > dt.timedelta(minutes=5):
            with write_transaction(self._context.engine) as connection:
                connection.execute(
                    api_token.update()
                    .where(api_token.c.id == row["token_id"])
                    .values(last_used_at=now)
                )
        return user

    def _token(self, token_id: int) -> TokenInfo:
        with read_connection(self._context.engine) as connection:
            row = (
                connection.execute(
                    sa.select(api_token, app_user.c.username)
                    .join(app_user, app_user.c.id == api_token.c.user_id)
                    .where(api_token.c.id == token_id)
                )
                .mappings()
                .one()
            )
        return TokenInfo(
            row["id"],
            row["username"],
            row["name"],
            row["prefix"],
            row["created_at"],
            row["expires_at"],
            row["revoked_at"],
            row["last_used_at"],
        )

    # -- web sessions ---------------------------------------------------------------------

    def login(self, username: str, password: str) -> tuple[str, WebSession]:
        """Authenticate and open a session; returns the session secret for the cookie."""
        user = self._users.authenticate(username, password)
        secret = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            connection.execute(
                web_session.insert().values(
                    session_hash=_digest(secret),
                    user_id=_user_id(connection, username),
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                )
            )
            append(
                connection,
                now,
                [NewEvent(actor=username, action="session.login", subject=f"user:{username}")],
            )
        return secret, WebSession(user, csrf)

    def session(self, secret: str) -> WebSession:
        """The live session for a cookie; refreshes its idle clock, ends it when idle too long."""
        now = self._context.clock()
        idle = dt.timedelta(minutes=self._context.policy.session_idle_minutes)
        with read_connection(self._context.engine) as connection:
            row = (
                connection.execute(
                    sa.select(web_session, app_user.c.username)
                    .join(app_user, app_user.c.id == web_session.c.user_id)
                    .where(web_session.c.session_hash == _digest(secret))
                )
                .mappings()
                .first()
            )
        if row is None or row["ended_at"] is not None:
            raise AuthenticationFailed("not signed in")
        if now - row["last_seen_at"] > idle:
            self._end(row["id"], row["username"], "idle timeout", now)
            raise AuthenticationFailed("your session timed out; please sign in again")
        user = self._users.get(row["username"])
        if not user.active:
            raise AuthenticationFailed(f"account {user.username} is inactive")
        if now - row["last_seen_at"] > dt.timedelta(seconds=30):
            with write_transaction(self._context.engine) as connection:
                connection.execute(
                    web_session.update()
                    .where(web_session.c.id == row["id"])
                    .values(last_seen_at=now)
                )
        return WebSession(user, row["csrf_token"])

    def logout(self, secret: str) -> None:
        with read_connection(self._context.engine) as connection:
            row = connection.execute(
                sa.select(web_session.c.id, web_session.c.ended_at, app_user.c.username)
                .join(app_user, app_user.c.id == web_session.c.user_id)
                .where(web_session.c.session_hash == _digest(secret))
            ).first()
        if row is not None and row.ended_at is None:
            self._end(row.id, row.username, "logout", self._context.clock())

    def _end(self, session_id: int, username: str, reason: str, now: dt.datetime) -> None:
        with write_transaction(self._context.engine) as connection:
            connection.execute(
                web_session.update().where(web_session.c.id == session_id).values(ended_at=now)
            )
            append(
                connection,
                now,
                [
                    NewEvent(
                        actor=username,
                        action="session.end",
                        subject=f"user:{username}",
                        reason=reason,
                    )
                ],
            )


def _user_id(connection: sa.Connection, username: str) -> int:
    user_id = connection.execute(
        sa.select(app_user.c.id).where(app_user.c.username == username)
    ).scalar()
    if user_id is None:
        raise NotFound(f"no user {username}")
    return int(user_id)
