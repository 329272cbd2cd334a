"""The "as of" control the read pages share: `?as_of=` text to a past UTC instant, and back.

A page asked for an instant rebuilds its view as the spine stood then and says so in a
banner; every link it offers carries the same instant, so a reader stays in that history.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from qspine.model.asof import parse_instant, stamp
from qspine.spine import Spine

# What a datetime-local control (or a person) sends without an offset: taken as UTC, as the
# control's note says.
_NO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def as_of_instant(spine: Spine, text: str | None) -> dt.datetime | None:
    """The past instant `text` names (ISO 8601, or a date = the end of that UTC day), or None
    for "now" when nothing was asked. Bad or future input raises InvalidInput."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if _NO_OFFSET.fullmatch(value):
        value = value.replace(" ", "T") + "Z"
    return parse_instant(value, spine.context.clock())


def as_of_param(instant: dt.datetime | None) -> str:
    """The instant as the `as_of` query value every link repeats ('' for now)."""
    return stamp(instant) if instant is not None else ""


def at_instant(url: str, instant: dt.datetime | None) -> str:
    """`url` with `as_of=<instant>` added (unchanged for now): a Jinja filter."""
    if instant is None:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}as_of={quote(stamp(instant), safe=':')}"


def instant_text(instant: dt.datetime | None) -> str:
    """'2026-03-01 23:59:59.999999' (microseconds only when there are any), in UTC."""
    if instant is None:
        return ""
    moment = instant.astimezone(dt.UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{moment.microsecond:06d}" if moment.microsecond else "")
