"""The error family every face maps to one clear message and one exit or status code."""

from __future__ import annotations


class QSpineError(Exception):
    """Base of every error QSpine raises on purpose; `code` is stable for APIs."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(QSpineError):
    """Input that breaks a rule of the profile or of the command: nothing is written."""

    code = "invalid_input"


class NotFound(QSpineError):
    """A record, version, link, user or blob that does not exist."""

    code = "not_found"


class Conflict(QSpineError):
    """A stale expected version or a duplicate: someone else changed it first."""

    code = "conflict"


class Forbidden(QSpineError):
    """The actor lacks the permission, or a rule such as separation of duties forbids it."""

    code = "forbidden"


class AuthenticationFailed(QSpineError):
    """Wrong credentials, or a locked or inactive account."""

    code = "authentication_failed"


class ProfileError(QSpineError):
    """A profile that does not validate; the message names the YAML path."""

    code = "profile_error"

    def __init__(self, problems: list[str], source: str = "profile") -> None:
        self.problems = problems
        self.source = source
        super().__init__(f"{source}: " + "; ".join(problems))
