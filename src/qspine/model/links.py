"""Links and review stamps: a link remembers the target version it was checked against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkView:
    """A typed link from source to target, with its review stamp and suspect flag."""

    id: int
    type: str
    source: str
    target: str
    target_version: int
    target_fingerprint: str
    created_at: dt.datetime
    created_by: str
    suspect: bool
    target_released_version: int | None = None
    removed_at: dt.datetime | None = None


def is_suspect(stamped_version: int, released_version: int | None) -> bool:
    """A link is suspect when its target has a newer released version than the one reviewed.

    This is Doorstop's review stamp: the link was made (or last confirmed) against
    `stamped_version`; once a later version of the target is approved, whatever the link
    asserts (verifies, mitigates, derives from...) must be looked at again.
    """
    return released_version is not None and released_version > stamped_version
