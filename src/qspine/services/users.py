"""Users, roles and authentication (21 CFR 11.10(d), 11.100, 11.300).

Passwords are argon2id hashes. Repeated failures lock the account for a period; both the
failures and the lock are audited, in their own transaction so a failed attempt is recorded
even though the operation it was for does not happen.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.access import allows
from qspine.model.errors import AuthenticationFailed, Conflict, Forbidden, InvalidInput, NotFound
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import app_user, user_role

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class User:
    """A person who can act in the spine; `full_name` is the printed name on signatures."""

    username: str
    full_name: str
    email: str
    roles: tuple[str, ...]
    active: bool
    locked_until: dt.datetime | None


class UserService:
    """Administer users and authenticate them."""

    def __init__(self, context: SpineContext) -> None:
        self._context = context
        self._hasher = PasswordHasher(
            time_cost=context.policy.hash_time_cost, memory_cost=context.policy.hash_memory_kib
        )

    def add(
        self,
        actor: str,
        username: str,
        full_name: str,
        password: str,
        roles: list[str],
        email: str = "",
    ) -> User:
        """Create a user. The very first user may be created by anyone (bootstrap)."""
        profile = self._context.profile
        if not _USERNAME.match(username):
            raise InvalidInput(
                f"username '{username}': 2-64 characters, lower-case letters, digits, . _ -,"
                " starting with a letter"
            )
        if not full_name.strip():
            raise InvalidInput(
                f"user {username}: a full name is required (it is printed on signatures)"
            )
        unknown = [role for role in roles if role not in profile.roles]
        if unknown:
            raise InvalidInput(
                f"user {username}: unknown role '{unknown[0]}' (roles: {', '.join(profile.roles)})"
            )
        self._check_password(username, password)
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            if _count_users(connection) > 0:
                require(connection, self._context, actor, "admin")
            elif "admin" not in roles and not allows(profile, roles, "admin"):
                raise InvalidInput("the first user must hold a role with the admin permission")
            if connection.execute(
                sa.select(app_user.c.id).where(app_user.c.username == username)
            ).first():
                raise Conflict(f"user {username} already exists (usernames are never reused)")
            user_id = connection.execute(
                app_user.insert().returning(app_user.c.id),
                {
                    "username": username,
                    "full_name": full_name.strip(),
                    "email": email,
                    "password_hash": self._hasher.hash(password),
                    "active": True,
                    "failed_attempts": 0,
                    "locked_until": None,
                    "created_at": now,
                    "password_changed_at": now,
                },
            ).scalar_one()
            if roles:
                connection.execute(
                    user_role.insert(), [{"user_id": user_id, "role": r} for r in roles]
                )
            append(
                connection,
                now,
                [
                    NewEvent(
                        actor=actor,
                        action="user.create",
                        subject=f"user:{username}",
                        payload={"full_name": full_name.strip(), "roles": sorted(roles)},
                    )
                ],
            )
        return self.get(username)

    def set_roles(self, actor: str, username: str, roles: list[str], reason: str) -> User:
        unknown = [role for role in roles if role not in self._context.profile.roles]
        if unknown:
            raise InvalidInput(f"user {username}: unknown role '{unknown[0]}'")
        with write_transaction(self._context.engine) as connection:
            require(connection, self._context, actor, "admin")
            user_id, before = _user_id_and_roles(connection, username)
            connection.execute(user_role.delete().where(user_role.c.user_id == user_id))
            if roles:
                connection.execute(
                    user_role.insert(), [{"user_id": user_id, "role": r} for r in roles]
                )
            append(
                connection,
                self._context.clock(),
                [
                    NewEvent(
                        actor=actor,
                        action="user.roles",
                        subject=f"user:{username}",
                        reason=reason,
                        payload={"before": sorted(before), "after": sorted(roles)},
                    )
                ],
            )
        return self.get(username)

    def set_active(self, actor: str, username: str, active: bool, reason: str) -> User:
        with write_transaction(self._context.engine) as connection:
            require(connection, self._context, actor, "admin")
            _user_id_and_roles(connection, username)
            connection.execute(
                app_user.update()
                .where(app_user.c.username == username)
                .values(active=active, failed_attempts=0, locked_until=None)
            )
            append(
                connection,
                self._context.clock(),
                [
                    NewEvent(
                        actor=actor,
                        action="user.activate" if active else "user.deactivate",
                        subject=f"user:{username}",
                        reason=reason,
                    )
                ],
            )
        return self.get(username)

    def permits(self, user: User, action: str, scope: str | None = None) -> User:
        """`user` (just loaded by this request's authentication) if permitted; else Forbidden."""
        return _ensure_allowed(self._context, user, action, scope)

    def check(self, actor: str, action: str, scope: str | None = None) -> User:
        """The actor if permitted to `action` (e.g. read): faces call it before reads."""
        with read_connection(self._context.engine) as connection:
            return require(connection, self._context, actor, action, scope)

    def get(self, username: str) -> User:
        with read_connection(self._context.engine) as connection:
            return load_user(connection, username)

    def list(self) -> list[User]:
        with read_connection(self._context.engine) as connection:
            names = connection.execute(sa.select(app_user.c.username).order_by(app_user.c.username))
            return [load_user(connection, name) for (name,) in names.all()]

    def authenticate(self, username: str, password: str) -> User:
        """Check the password; count failures and lock after too many (both audited).

        The (deliberately slow) argon2id check runs outside the write lock, against a snapshot
        of the account; only the bookkeeping that follows takes the lock.
        """
        now = self._context.clock()
        with read_connection(self._context.engine) as connection:
            row = (
                connection.execute(sa.select(app_user).where(app_user.c.username == username))
                .mappings()
                .first()
            )
        if row is None:
            self._record_failure(username, "unknown user", now)
            raise AuthenticationFailed("authentication failed: wrong username or password")
        if not row["active"]:
            self._record_failure(username, "inactive account", now)
            raise AuthenticationFailed(f"authentication failed: account {username} is inactive")
        if row["locked_until"] is not None and row["locked_until"] > now:
            self._record_failure(username, "locked account", now)
            until = row["locked_until"].strftime("%Y-%m-%d %H:%M UTC")
            raise AuthenticationFailed(
                f"authentication failed: account {username} is locked until {until}"
            )
        if not _password_matches(self._hasher, row["password_hash"], password):
            self._record_failure(username, "wrong password", now, count=True)
            raise AuthenticationFailed("authentication failed: wrong username or password")
        if row["failed_attempts"] or row["locked_until"] is not None:
            with write_transaction(self._context.engine) as connection:
                connection.execute(
                    app_user.update()
                    .where(app_user.c.id == row["id"])
                    .values(failed_attempts=0, locked_until=None)
                )
        return self.get(username)

    def _record_failure(
        self, username: str, reason: str, now: dt.datetime, count: bool = False
    ) -> None:
        """Audit a failed attempt (11.300(d)); on a wrong password count it and maybe lock."""
        policy = self._context.policy
        with write_transaction(self._context.engine) as connection:
            events = [
                NewEvent(
                    actor=username, action="auth.failed", subject=f"user:{username}", reason=reason
                )
            ]
            if count:
                failures = (
                    1
                    + connection.execute(
                        sa.select(app_user.c.failed_attempts).where(app_user.c.username == username)
                    ).scalar_one()
                )
                locked_until = None
                events = [
                    NewEvent(
                        actor=username,
                        action="auth.failed",
                        subject=f"user:{username}",
                        reason=reason,
                        payload={"consecutive": failures},
                    )
                ]
                if failures >= policy.lockout_attempts:
                    locked_until = now + dt.timedelta(minutes=policy.lockout_minutes)
                    events.append(
                        NewEvent(
                            actor="system",
                            action="user.locked",
                            subject=f"user:{username}",
                            reason=f"{failures} consecutive failed authentications",
                            payload={"locked_until": locked_until.isoformat()},
                        )
                    )
                    failures = 0
                connection.execute(
                    app_user.update()
                    .where(app_user.c.username == username)
                    .values(failed_attempts=failures, locked_until=locked_until)
                )
            append(connection, now, events)

    def _check_password(self, username: str, password: str) -> None:
        minimum = self._context.policy.min_password_length
        if len(password) < minimum:
            raise InvalidInput(f"user {username}: a password has at least {minimum} characters")
        if password.lower() == username.lower():
            raise InvalidInput(f"user {username}: the password may not be the username")


def load_user(connection: Connection, username: str) -> User:
    row = connection.execute(_USER, {"username": username}).mappings().first()
    if row is None:
        raise NotFound(f"no user {username}")
    return user_from_row(connection, row)


def user_from_row(connection: Connection, row: RowMapping) -> User:
    """A User from an app_user row (with `id`), its roles read in one more query."""
    roles = connection.execute(_ROLES, {"user_id": row["id"]}).scalars().all()
    return User(
        row["username"],
        row["full_name"],
        row["email"],
        tuple(roles),
        row["active"],
        row["locked_until"],
    )


_USER = sa.select(app_user).where(app_user.c.username == sa.bindparam("username"))
_ROLES = (
    sa.select(user_role.c.role)
    .where(user_role.c.user_id == sa.bindparam("user_id"))
    .order_by(user_role.c.role)
)


def require(
    connection: Connection, context: SpineContext, actor: str, action: str, scope: str | None = None
) -> User:
    """The acting user, if active and permitted (11.10(g) authority check); else Forbidden."""
    try:
        acting = load_user(connection, actor)
    except NotFound:
        raise Forbidden(f"{actor} is not a user of this spine") from None
    if not acting.active:
        raise Forbidden(f"user {actor} is inactive")
    return _ensure_allowed(context, acting, action, scope)


def _ensure_allowed(context: SpineContext, user: User, action: str, scope: str | None) -> User:
    if not allows(context.profile, user.roles, action, scope):
        what = f"{action}:{scope}" if scope else action
        raise Forbidden(
            f"user {user.username} (roles: {', '.join(user.roles) or 'none'}) lacks {what}"
        )
    return user


def _count_users(connection: Connection) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(app_user)).scalar_one())


def _user_id_and_roles(connection: Connection, username: str) -> tuple[int, list[str]]:
    user_id = connection.execute(
        sa.select(app_user.c.id).where(app_user.c.username == username)
    ).scalar()
    if user_id is None:
        raise NotFound(f"no user {username}")
    roles = connection.execute(sa.select(user_role.c.role).where(user_role.c.user_id == user_id))
    return int(user_id), list(roles.scalars().all())


def _password_matches(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
