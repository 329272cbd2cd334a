"""What a transition guard reads (see qspine.services.guards), and small readers they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from qspine.model.profile import Profile
from qspine.model.records import RecordView
from qspine.services import reads

CLOSED = ("closed", "cancelled")


@dataclass(frozen=True)
class Subject:
    """What a guard reads: the record, the profile, a way to read other records, the day, and
    the blob folder (for guards that read stored files)."""

    connection: Connection
    profile: Profile
    view: RecordView
    today: dt.date
    blob_dir: Path | None = None

    @property
    def fields(self) -> dict[str, Any]:
        return self.view.version.fields

    def other(self, key: str) -> RecordView:
        return reads.record_view(self.connection, self.profile, key)


Guard = Callable[[Subject], list[str]]


def sources(view: RecordView, link_type: str) -> list[str]:
    """Keys of the records that link to `view` with `link_type`."""
    return [link.source for link in view.links_in if link.type == link_type]


def targets(view: RecordView, link_type: str) -> list[str]:
    """Keys of the records `view` links to with `link_type`."""
    return [link.target for link in view.links_out if link.type == link_type]


def has_text(value: Any) -> bool:
    """A non-blank string: a rationale, justification or summary actually written."""
    return isinstance(value, str) and value.strip() != ""
