"""The parts of a model system that are pinned by fingerprint: code references and the
runtime environment (ADR 0015).

A code reference names a file in a repository at a commit, with the SHA-256 of the file's
bytes there: `repo=REPOSITORY; commit=COMMIT; path=PATH; sha256=HEX`. The repository is a
local folder (a git work tree when a commit is given) or a URL kept for the record; QSpine
resolves what it can reach and compares the bytes with the pinned digest. An environment is
the Python version, the key packages pinned as NAME==VERSION and the lock file's digest; its
fingerprint is the SHA-256 of its canonical JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PART_NAMES = ("repo", "commit", "path", "sha256")
_PACKAGE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s=]+)$")


@dataclass(frozen=True)
class CodeRef:
    """A file in a repository at a commit, pinned by the SHA-256 of its bytes."""

    repo: str
    path: str
    sha256: str
    commit: str = ""

    def __str__(self) -> str:
        parts = [f"repo={self.repo}"]
        if self.commit:
            parts.append(f"commit={self.commit}")
        parts += [f"path={self.path}", f"sha256={self.sha256}"]
        return "; ".join(parts)


def parse_code_ref(text: str, where: str = "code reference") -> CodeRef:
    """Read 'repo=...; commit=...; path=...; sha256=...' (commit optional), or raise naming
    `where` and the part that is wrong."""
    parts: dict[str, str] = {}
    for piece in (p.strip() for p in text.split(";")):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or name not in _PART_NAMES:
            raise InvalidInput(
                f"{where}: '{piece}' is not one of {', '.join(n + '=...' for n in _PART_NAMES)}"
            )
        if name in parts:
            raise InvalidInput(f"{where}: '{name}' is given twice")
        parts[name] = value
    missing = [n for n in ("repo", "path", "sha256") if not parts.get(n)]
    if missing:
        raise InvalidInput(
            f"{where}: {', '.join(missing)} missing (repo=...; path=...; sha256=...)"
        )
    digest = parts["sha256"].lower()
    if not _SHA256.match(digest):
        raise InvalidInput(f"{where}: sha256 must be 64 hexadecimal characters")
    return CodeRef(parts["repo"], parts["path"], digest, parts.get("commit", ""))


@dataclass(frozen=True)
class Environment:
    """A runtime environment: Python version, key packages and lock-file digest."""

    python: str
    packages: Mapping[str, str] = field(default_factory=dict)
    lockfile_sha256: str = ""
    platform: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "python": self.python,
            "packages": dict(sorted(self.packages.items())),
            "lockfile_sha256": self.lockfile_sha256,
            "platform": self.platform,
        }

    @property
    def sha256(self) -> str:
        return sha256_hex(canonical_json(self.as_json()))

    def package_list(self) -> list[str]:
        return [f"{name}=={version}" for name, version in sorted(self.packages.items())]


def parse_packages(items: Iterable[str], where: str = "packages") -> dict[str, str]:
    """NAME==VERSION items as {normalised name: version}, or raise naming the item (one not
    NAME==VERSION, or naming a package again: which version would be the pin?)."""
    packages: dict[str, str] = {}
    for position, item in enumerate(items, start=1):
        match = _PACKAGE.match(item.strip())
        if match is None:
            raise InvalidInput(f"{where}: item {position} '{item}' is not NAME==VERSION")
        name = normalise_package(match["name"])
        if name in packages:
            raise InvalidInput(f"{where}: item {position} '{item}' names {name} again")
        packages[name] = match["version"]
    return packages


def normalise_package(name: str) -> str:
    """A package name as PEP 503 compares it (lower case, runs of -_. as one '-')."""
    return re.sub(r"[-_.]+", "-", name).lower()


def environment_differences(old: Environment, new: Environment) -> list[str]:
    """What differs between two environments, one line each, in words."""
    found = []
    if old.python != new.python:
        found.append(f"Python {old.python} -> {new.python}")
    if old.platform != new.platform:
        found.append(f"platform {old.platform or '(none)'} -> {new.platform or '(none)'}")
    for name in sorted(set(old.packages) | set(new.packages)):
        before, after = old.packages.get(name), new.packages.get(name)
        if before != after:
            found.append(f"{name} {before or '(absent)'} -> {after or '(absent)'}")
    if old.lockfile_sha256 != new.lockfile_sha256:
        found.append(
            f"lock file {old.lockfile_sha256[:12] or '(none)'} -> "
            f"{new.lockfile_sha256[:12] or '(none)'}"
        )
    return found
