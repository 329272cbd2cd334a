"""How two SBOMs of one product differ, component by component.

A component is known by its package identity: the Package URL without version, qualifiers and
subpath (`pkg:pypi/requests`), or, without a purl, its group and name. Within one package the
versions that appear on both sides are unchanged; the versions left over are paired in version
order (an upgrade, or a downgrade), and what is still left is added or removed. A package an
SBOM lists at two versions (npm does this) is therefore two components, each paired on its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from packageurl import PackageURL

Old = TypeVar("Old")
New = TypeVar("New")


def package_identity(purl: str, group: str, name: str) -> str:
    """`pkg:type/namespace/name` from a purl, else `group/name` or `name`."""
    if purl:
        try:
            parsed = PackageURL.from_string(purl)
        except ValueError:
            parsed = None
        if parsed is not None:
            return PackageURL(
                type=parsed.type, namespace=parsed.namespace, name=parsed.name
            ).to_string()
    return f"{group}/{name}" if group else name


_PARTS = re.compile(r"(\d+)")


def version_order(version: str) -> tuple[tuple[int, int | str], ...]:
    """A natural order for pairing left-over versions: numbers compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _PARTS.split(version) if part
    )


@dataclass
class Pairing(Generic[Old, New]):
    """Old and new components matched by package and version."""

    unchanged: list[tuple[Old, New]] = field(default_factory=list)
    upgraded: list[tuple[Old, New]] = field(default_factory=list)  # version changed
    added: list[New] = field(default_factory=list)
    removed: list[Old] = field(default_factory=list)


def pair(
    old: Iterable[Old],
    new: Iterable[New],
    old_key: Callable[[Old], tuple[str, str]],
    new_key: Callable[[New], tuple[str, str]],
) -> Pairing[Old, New]:
    """Match `old` with `new` by (package, version) keys; see the module docstring."""
    before: dict[str, dict[str, list[Old]]] = defaultdict(lambda: defaultdict(list))
    after: dict[str, dict[str, list[New]]] = defaultdict(lambda: defaultdict(list))
    for item in old:
        package, version = old_key(item)
        before[package][version].append(item)
    for fresh in new:
        package, version = new_key(fresh)
        after[package][version].append(fresh)
    result: Pairing[Old, New] = Pairing()
    for package in sorted(before.keys() | after.keys()):
        was, now = before.get(package, {}), after.get(package, {})
        left_old: list[tuple[str, Old]] = []
        left_new: list[tuple[str, New]] = []
        for version in sorted(was.keys() | now.keys(), key=version_order):
            olds, news = was.get(version, []), now.get(version, [])
            result.unchanged += zip(olds, news, strict=False)
            left_old += [(version, item) for item in olds[len(news) :]]
            left_new += [(version, item) for item in news[len(olds) :]]
        for (_, gone), (_, came) in zip(left_old, left_new, strict=False):
            result.upgraded.append((gone, came))
        result.removed += [item for _, item in left_old[len(left_new) :]]
        result.added += [item for _, item in left_new[len(left_old) :]]
    return result


@dataclass(frozen=True)
class ComponentChange:
    """One line of an SBOM diff."""

    package: str
    name: str
    old_version: str  # "" when added
    new_version: str  # "" when removed
    key: str  # the sbom_component record


@dataclass(frozen=True)
class SuspectLink:
    """Evidence made against an earlier version of a changed component."""

    type: str
    source: str
    target: str
    target_version: int


@dataclass(frozen=True)
class SbomDiff:
    """What changed between the components of `previous` and those of `release`."""

    release: str
    previous: str | None
    added: Sequence[ComponentChange]
    removed: Sequence[ComponentChange]
    upgraded: Sequence[ComponentChange]
    changed: Sequence[ComponentChange]  # same version, other SBOM facts (hashes, licences...)
    unchanged: int
    suspect: Sequence[SuspectLink] = ()

    @property
    def total(self) -> int:
        return len(self.added) + len(self.upgraded) + len(self.changed) + self.unchanged
