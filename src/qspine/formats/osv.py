"""OSV advisories (https://ossf.github.io/osv-schema/) read from files: JSON or YAML, one
record a file, from a folder tree or a ZIP archive (the form osv.dev's per-ecosystem
exports take). Records are checked against the parts of the schema that matching relies on
(pydantic); a record that fails is reported with its file and the field, never half-read."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qspine.model.errors import InvalidInput

SUFFIXES = (".json", ".yaml", ".yml")


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class OsvPackage(_Record):
    ecosystem: str = ""
    name: str = ""
    purl: str = ""


class OsvRange(_Record):
    type: str
    events: tuple[dict[str, str], ...] = Field(min_length=1)
    repo: str = ""


class OsvAffected(_Record):
    package: OsvPackage | None = None
    ranges: tuple[OsvRange, ...] = ()
    versions: tuple[str, ...] = ()


class OsvSeverity(_Record):
    type: str
    score: str


class OsvReference(_Record):
    type: str = ""
    url: str = ""


class OsvRecord(_Record):
    """One advisory: what matching, triage and the vulnerability record read."""

    id: str = Field(min_length=1)
    modified: str = ""
    published: str = ""
    withdrawn: str = ""
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    severity: tuple[OsvSeverity, ...] = ()
    affected: tuple[OsvAffected, ...] = ()
    references: tuple[OsvReference, ...] = ()
    database_specific: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class OsvFile:
    """A record as read, with where it came from and the text it was read from (kept, so a
    stored advisory is exactly what was imported)."""

    path: str
    record: OsvRecord
    text: str


def parse_osv(data: bytes, path: str) -> OsvFile:
    """One OSV record from a file's bytes; InvalidInput naming the file and field."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    try:
        raw = json.loads(text) if _is_json(path) else _yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise InvalidInput(f"{path}: not valid {_syntax(path)}: {error}") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: an OSV record is an object with an 'id'")
    try:
        record = OsvRecord.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        raise InvalidInput(f"{path}: not an OSV record: {where}: {first['msg']}") from None
    for affected in record.affected:
        for each in affected.ranges:
            for event in each.events:
                if len(event) != 1 or not set(event) <= _EVENTS:
                    raise InvalidInput(
                        f"{path}: not an OSV record: affected range event {event}: one of "
                        f"{', '.join(sorted(_EVENTS))}"
                    )
    return OsvFile(path, record, text)


_EVENTS = frozenset({"introduced", "fixed", "last_affected", "limit"})


def _yaml(text: str) -> Any:
    """YAML with every scalar read as written: an unquoted `fixed: 1.10` stays the version
    "1.10" (not the number 1.1) and `modified: 2023-01-01T00:00:00Z` stays a string."""
    return yaml.load(text, Loader=_BASE_LOADER)  # a base loader makes no objects


_BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml's, when built with it


def _is_json(path: str) -> bool:
    return path.lower().endswith(".json")


def _syntax(path: str) -> str:
    return "JSON" if _is_json(path) else "YAML"


def read_osv_tree(source: Path) -> Iterator[OsvFile]:
    """Every OSV record under a folder (recursively) or in a ZIP archive, in name order.
    Files that are not .json/.yaml/.yml are passed over; the first bad record stops the
    read with InvalidInput naming it (an import writes nothing unless all are good)."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix.lower() in SUFFIXES and not _skipped(path.name):
                yield parse_osv(path.read_bytes(), str(path.relative_to(source)))
        return
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for name in sorted(archive.namelist()):
                if name.lower().endswith(SUFFIXES) and not _skipped(Path(name).name):
                    yield parse_osv(archive.read(name), f"{source.name}:{name}")
        return
    if source.is_file() and source.suffix.lower() in SUFFIXES:
        yield parse_osv(source.read_bytes(), source.name)
        return
    raise InvalidInput(f"{source}: not a folder, a ZIP archive or an OSV .json/.yaml file")


def _skipped(name: str) -> bool:
    """Files that sit beside advisories in published databases and are not records."""
    return name.startswith(".") or name in {"schema.json", "ecosystems.json", "all.json"}
