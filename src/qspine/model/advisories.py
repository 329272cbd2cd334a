"""What the vulnerability database reads from OSV advisories: one vulnerability behind several
advisories (identity by alias), the identifier a vulnerability record goes by, the severity
an advisory states, and the range versions an ecosystem cannot read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from qspine.model.cvss import base_score
from qspine.model.vulnerability_match import VERSION_CLASS, AffectedPackage, parse_version

_PREFERENCE = ("CVE-", "GHSA-")
"""Identifier preference for a vulnerability record: CVE, then GHSA, then the databases' own
ids (PYSEC, GO, PSF, ...)."""


def preferred_identifier(ids: Iterable[str]) -> str:
    """The identifier a vulnerability goes by: a CVE when there is one, else a GHSA, else the
    first of the others (each tier in sorted order, so the choice is stable)."""
    ordered = sorted(set(ids))
    if not ordered:
        raise ValueError("a vulnerability needs at least one identifier")
    for prefix in _PREFERENCE:
        for each in ordered:
            if each.startswith(prefix):
                return each
    return ordered[0]


def group_by_alias(identities: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """Advisories that name the same vulnerability: `identities` maps an advisory id to its
    aliases; advisories sharing any id (their own or an alias) form one group, transitively.
    Each group is the set of every id its advisories go by; groups in order of first advisory."""
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for advisory, aliases in identities.items():
        for alias in aliases:
            a, b = root(advisory), root(alias)
            if a != b:
                parent[b] = a
        root(advisory)
    groups: dict[str, set[str]] = {}
    for item in list(parent):
        groups.setdefault(root(item), set()).add(item)
    order: dict[str, int] = {}
    for index, advisory in enumerate(identities):
        order.setdefault(root(advisory), index)
    return [groups[key] for key in sorted(groups, key=lambda key: order.get(key, len(order)))]


@dataclass(frozen=True)
class Severity:
    """An advisory's stated severity: the rating, and the CVSS vector and score behind it."""

    rating: str
    """critical, high, medium, low, none or unknown (the vulnerability kind's values)."""
    vector: str = ""
    score: float | None = None


_DATABASE_RATINGS = {
    "critical": "critical",
    "high": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
    "none": "none",
}


def severity_of(
    severity: Iterable[Mapping[str, Any]], database_specific: Mapping[str, Any]
) -> Severity:
    """From the record's `severity` list (a CVSS v3 vector is scored; the newest CVSS version
    stated is kept as the vector) or, failing that, a `database_specific.severity` word
    (GitHub's CRITICAL / HIGH / MODERATE / LOW)."""
    vectors = sorted(
        (str(item.get("type", "")), str(item.get("score", "")))
        for item in severity
        if str(item.get("type", "")).startswith("CVSS_")
    )
    scored = [base_score(vector) for kind, vector in vectors if kind == "CVSS_V3"]
    found = next((s for s in scored if s is not None), None)
    if found is not None:
        return Severity(found.severity, found.vector, found.score)
    word = str(database_specific.get("severity", "")).strip().lower()
    vector = vectors[-1][1] if vectors else ""
    return Severity(_DATABASE_RATINGS.get(word, "unknown"), vector, None)


def osv_time(value: str) -> dt.datetime | None:
    """An OSV timestamp (RFC 3339, UTC) as an aware datetime; None when empty. ValueError
    when it is not a timestamp."""
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def time_text(value: dt.datetime | None) -> str:
    """A stored advisory time as the vulnerability record keeps it: '2019-07-31T19:44:00Z'."""
    if value is None:
        return ""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def same_time(one: str | None, other: str | None) -> bool:
    """Whether two advisory times are the same instant however they are written ('Z' or
    '+00:00', with or without zero microseconds); texts that are not times compare as text."""
    if (one or "") == (other or ""):
        return True
    try:
        return osv_time(one or "") == osv_time(other or "")
    except ValueError:
        return False


def affected_from_json(
    advisory: str, affected: Iterable[Mapping[str, Any]]
) -> list[AffectedPackage]:
    """`affected_packages` for a stored record's `affected` list as plain JSON (checked when it
    was imported), without building the whole record: what matching needs, quickly."""
    found = []
    for entry in affected:
        package = entry.get("package") or {}
        name, ecosystem = package.get("name"), package.get("ecosystem")
        if not name or not ecosystem:
            continue
        ranges = tuple(
            (str(each["type"]), tuple(next(iter(event.items())) for event in each["events"]))
            for each in entry.get("ranges", ())
        )
        found.append(
            AffectedPackage(advisory, ecosystem, name, ranges, frozenset(entry.get("versions", ())))
        )
    return found


def unreadable_versions(entries: Iterable[AffectedPackage]) -> set[tuple[str, str]]:
    """(advisory, version) pairs of ECOSYSTEM and SEMVER range events whose version the
    ecosystem's order cannot read: those ranges can never match (GIT ranges name commits and
    ecosystems without a known order are not counted)."""
    found: set[tuple[str, str]] = set()
    for entry in entries:
        for kind, events in entry.ranges:
            if kind == "GIT":
                continue
            cls = VERSION_CLASS.get(entry.key[0]) if kind == "ECOSYSTEM" else None
            if kind == "SEMVER":
                cls = VERSION_CLASS["npm"]  # SemVer 2.0
            if cls is None:
                continue
            for event, value in events:
                if (
                    not (event == "introduced" and value == "0")
                    and parse_version(cls, value) is None
                ):
                    found.add((entry.advisory, value))
    return found
