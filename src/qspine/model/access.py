"""Permission logic (21 CFR 11.10(d), (g)): which roles may read, write, sign or administer."""

from __future__ import annotations

from collections.abc import Iterable

from qspine.model.profile import Profile


def allows(profile: Profile, roles: Iterable[str], action: str, scope: str | None = None) -> bool:
    """True when any of the roles grants `action` (read, admin, write, sign) on `scope`.

    `scope` is a kind for write and a meaning for sign. Unknown roles grant nothing.
    """
    wanted = {"*", action, f"{action}:*"}
    if scope is not None:
        wanted.add(f"{action}:{scope}")
    for role in roles:
        spec = profile.roles.get(role)
        if spec is not None and wanted.intersection(spec.permissions):
            return True
    return False
