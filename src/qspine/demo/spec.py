"""Building blocks of the demo content: users, records and links by local id, and dates.

Content modules hold their records as YAML text (data, like the profile; it also keeps long
regulatory wording readable). Layout of one content document:

    records:
      KIND:
        _: {by: lena, signers: {approved: dana}, FIELD: default}   # optional defaults
        LOCAL_ID: {status: approved, by: ..., signers: {...}, FIELD: value, ...}
    links:
      LINK_TYPE: {SOURCE_ID: [TARGET_ID, ...], ...}

`by` writes the record (and makes its links and unsigned moves); `status` is where its
lifecycle ends; `signers` names who signs each gated meaning; `also_signs` adds signatures
that gate nothing (meaning: signer), made before the record moves; `early: true` creates the
record before all others (a change request raised before the records it changes). Tags make
dates relative to the seeding day so the story (and its gaps) stays true whenever the demo runs:
`!ago 45`, `!ahead 21` (dates), `!stamp 320` or `!stamp [320, 9]` (UTC date-times),
`!fmt "Review {half:200}"` ({ago:N} {ahead:N} {year:N} {half:N}), `!digest label` (a stable
SHA-256 standing in for an artifact the demo cannot ship) and `!ref doc5` (a record key).
Local ids are named after the key prefix ("req2" becomes REQ-2), which the test checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

DEMO_PASSWORD = "cytoassist-demo"


class DemoUser(NamedTuple):
    """A demo login: username, printed name (on signatures) and access roles."""

    username: str
    full_name: str
    roles: tuple[str, ...]


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "Priya Raman", ("admin",)),
    DemoUser("dana", "Dana Whitfield", ("qa_ra_lead",)),
    DemoUser("marco", "Marco Bianchi", ("quality_engineer",)),
    DemoUser("lena", "Lena Kowalski", ("design_engineer",)),
    DemoUser("tomas", "Tomas Herrera", ("design_engineer",)),
    DemoUser("aisha", "Aisha Mensah", ("test_engineer",)),
    DemoUser("ravi", "Ravi Iyer", ("security_engineer",)),
    DemoUser("mei", "Mei Chen", ("data_scientist",)),
]
JOB_TITLES: dict[str, str] = {
    "admin": "System administrator",
    "dana": "Head of QA/RA",
    "marco": "Quality engineer",
    "lena": "Software design lead",
    "tomas": "Systems and risk engineer",
    "aisha": "Test and validation engineer",
    "ravi": "Product security engineer",
    "mei": "Clinical data scientist",
}


@dataclass(frozen=True)
class Ref:
    """A field value that names another demo record by its local id (resolved to its key)."""

    local: str


@dataclass(frozen=True)
class Rec:
    """One demo record: kind, author, the status it ends in, its signers and field values."""

    local: str
    kind: str
    author: str
    status: str
    fields: dict[str, Any]
    signers: dict[str, str] = field(default_factory=dict)
    # meaning -> signer of signatures that gate no transition (a CAPA's
    # effectiveness_verified), given to the first version before the record moves
    also_signs: dict[str, str] = field(default_factory=dict)
    # created before every other record: a change request raised before the records it
    # changes were written
    early: bool = False


@dataclass(frozen=True)
class Link:
    """`source <type> target`, both by local id; made by the source record's author."""

    type: str
    source: str
    target: str


@dataclass(frozen=True)
class Revision:
    """A new version of a released record, reviewed and approved again.

    Links to the old version keep their stamp (they become suspect), except those in
    `confirm`, which their source's author re-reviews once the new version is approved.
    """

    local: str
    author: str
    approver: str
    changes: dict[str, Any]
    reason: str
    confirm: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Gap:
    """A deliberate, realistic gap the readiness rules should find."""

    number: int
    title: str
    locals: tuple[str, ...]
    problem: str
    clause: str
    rules: tuple[str, ...]
    """The readiness rules that find it (their findings name one of `locals`' records)."""


@dataclass
class Content:
    """What one content module contributes."""

    records: list[Rec] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    late_links: list[Link] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)


def digest(label: str) -> str:
    """A stable SHA-256 standing in for an artifact the demo cannot ship (weights, manifests)."""
    return hashlib.sha256(f"acme-medtech/cytoassist/{label}".encode()).hexdigest()


@dataclass(frozen=True)
class Days:
    """Dates relative to the seeding day."""

    today: dt.date

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def ago(self, days: int) -> str:
        return self.day(days).isoformat()

    def ahead(self, days: int) -> str:
        return self.day(-days).isoformat()

    def stamp(self, days_ago: int, hour: int = 14) -> str:
        """An ISO 8601 UTC date and time `days_ago` days before today."""
        return f"{self.ago(days_ago)}T{hour:02d}:00:00Z"

    def year(self, days_ago: int) -> str:
        return str(self.day(days_ago).year)

    def half(self, days_ago: int) -> str:
        """'H1 2026'-style label of the half-year containing that day."""
        day = self.day(days_ago)
        return f"H{1 if day.month <= 6 else 2} {day.year}"


_PLACEHOLDER = re.compile(r"\{(ago|ahead|year|half):(-?\d+)\}")


def load(text: str, days: Days) -> Content:
    """Parse one content document (see the module docstring) into records and links."""
    data = yaml.load(text, Loader=_loader(days))  # a SafeLoader with the tags above
    content = Content()
    for kind, entries in (data.get("records") or {}).items():
        defaults = dict(entries.pop("_", {}))
        default_signers = defaults.pop("signers", {})
        for local, body in entries.items():
            merged = {**defaults, **body}
            author, status = merged.pop("by"), merged.pop("status")
            signers = {**default_signers, **merged.pop("signers", {})}
            also, early = merged.pop("also_signs", {}), bool(merged.pop("early", False))
            content.records.append(Rec(local, kind, author, status, merged, signers, also, early))
    content.links = _links(data.get("links") or {})
    content.late_links = _links(data.get("late_links") or {})
    for item in data.get("revisions") or []:
        confirm = tuple(Link(*triple) for triple in item.get("confirm", []))
        content.revisions.append(
            Revision(
                item["local"],
                item["by"],
                item["approver"],
                item["changes"],
                item["reason"],
                confirm,
            )
        )
    return content


def _links(spec: dict[str, dict[str, list[str]]]) -> list[Link]:
    return [
        Link(type_, source, target)
        for type_, by_source in spec.items()
        for source, targets in by_source.items()
        for target in targets
    ]


def _loader(days: Days) -> type[yaml.SafeLoader]:
    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def scalar(loader: yaml.SafeLoader, node: yaml.Node) -> str:
        return str(loader.construct_scalar(node))  # type: ignore[arg-type]

    def stamp(loader: yaml.SafeLoader, node: yaml.Node) -> str:
        if isinstance(node, yaml.SequenceNode):
            days_ago, hour = (int(v) for v in loader.construct_sequence(node))
            return days.stamp(days_ago, hour)
        return days.stamp(int(scalar(loader, node)))

    def fmt(loader: yaml.SafeLoader, node: yaml.Node) -> str:
        def one(match: re.Match[str]) -> str:
            function = getattr(days, match.group(1))
            return str(function(int(match.group(2))))

        return _PLACEHOLDER.sub(one, scalar(loader, node))

    Loader.add_constructor("!ago", lambda lo, n: days.ago(int(scalar(lo, n))))
    Loader.add_constructor("!ahead", lambda lo, n: days.ahead(int(scalar(lo, n))))
    Loader.add_constructor("!stamp", stamp)
    Loader.add_constructor("!fmt", fmt)
    Loader.add_constructor("!digest", lambda lo, n: digest(scalar(lo, n)))
    Loader.add_constructor("!ref", lambda lo, n: Ref(scalar(lo, n)))
    return Loader
