"""Options every command shares (--db, --profile, --user, --as-of) and the spine they open."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass, field

import typer

from qspine.model.asof import optional_instant
from qspine.model.errors import InvalidInput
from qspine.spine import Spine, open_spine

AS_OF_HELP = (
    "Show it as it stood at this past instant: ISO 8601 with offset "
    "(2026-03-01T12:00:00Z) or a date (end of that UTC day)"
)


@dataclass
class Options:
    database_url: str | None
    profile: str | None
    user: str | None
    _spine: Spine | None = field(default=None, repr=False)

    def spine(self) -> Spine:
        if self._spine is None:
            self._spine = open_spine(self.database_url, self.profile)
        return self._spine

    def actor(self) -> str:
        """The acting user (11.10(d)): --user, else QSPINE_USER."""
        actor = self.user or os.environ.get("QSPINE_USER")
        if not actor:
            raise InvalidInput(
                "this command changes the spine: say who you are with --user NAME or QSPINE_USER"
            )
        return actor

    def close(self) -> None:
        if self._spine is not None:
            self._spine.close()


def options(ctx: typer.Context) -> Options:
    found = ctx.find_object(Options)
    assert found is not None
    return found


def as_of(spine: Spine, text: str | None) -> dt.datetime | None:
    """The past UTC instant an --as-of option names (None: now)."""
    return optional_instant(text, spine.context.clock())


def read_password(password_stdin: bool, prompt: str = "Password") -> str:
    """The password from standard input (scripts) or a hidden prompt (people)."""
    if password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput("--password-stdin: standard input is empty")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask for the password: use --password-stdin")
    return str(typer.prompt(prompt, hide_input=True))
