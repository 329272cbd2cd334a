"""As-of instants: read views rebuilt as they stood at a past UTC moment."""

from __future__ import annotations

import datetime as dt

from qspine.model.errors import InvalidInput

_END_OF_DAY = dt.time(23, 59, 59, 999999, tzinfo=dt.UTC)


def parse_instant(text: str, now: dt.datetime) -> dt.datetime:
    """A past UTC instant from ISO 8601 text.

    A full timestamp must carry its offset (`2026-03-01T12:00:00Z`, `...+01:00`); a bare date
    (`2026-03-01`) means the end of that UTC day, so "as of 1 March" includes 1 March.
    """
    value = text.strip()
    try:
        if len(value) == 10:
            instant = dt.datetime.combine(dt.date.fromisoformat(value), _END_OF_DAY)
        else:
            instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"as-of '{text}': give an ISO 8601 UTC instant such as 2026-03-01T12:00:00Z "
            "or a date such as 2026-03-01"
        ) from None
    if instant.tzinfo is None:
        raise InvalidInput(f"as-of '{text}': give the UTC offset, e.g. {value}Z")
    try:
        instant = instant.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidInput(f"as-of '{text}' is out of range") from None
    if instant > now:
        raise InvalidInput(f"as-of '{text}' is in the future (now is {stamp(now)})")
    return instant


def optional_instant(text: str | None, now: dt.datetime) -> dt.datetime | None:
    """`parse_instant` for an optional as-of: None (not given) means now."""
    return None if text is None else parse_instant(text, now)


def stamp(instant: dt.datetime) -> str:
    """The canonical text of a UTC instant, e.g. 2026-03-01T12:00:00.000000Z."""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
