"""Dataset manifests: every file of a dataset with its SHA-256 and size, and for tabular files
(CSV, TSV, JSON lines) the row count and the columns with inferred types (ADR 0015).

The manifest names files by their path relative to the dataset's root, never the root itself,
so the same files pin to the same digest wherever they are kept. Files are streamed in 1 MiB
chunks: memory stays flat however large the dataset is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex

FORMAT = "qspine-dataset-manifest/1"
CHUNK = 1 << 20
MAX_LINE = 64 << 20
"""The longest line of a tabular file: a longer one (a CR-only CSV is one line) is refused
rather than read into memory whole."""
TYPES = ("int", "float", "bool", "date", "text", "empty")
CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
JSONL_SUFFIXES = (".jsonl", ".ndjson")
SKIPPED_FOLDERS = (".git",)
OnFile = Callable[[str, int], None]


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class ManifestFile:
    """One file: `rows` and `columns` are None for files that are not tabular."""

    path: str
    sha256: str
    size: int
    rows: int | None = None
    columns: tuple[Column, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"path": self.path, "sha256": self.sha256, "size": self.size}
        if self.rows is not None:
            document["rows"] = self.rows
        if self.columns is not None:
            document["columns"] = [{"name": c.name, "type": c.type} for c in self.columns]
        return document


@dataclass(frozen=True)
class Manifest:
    """The files of one dataset version, sorted by path."""

    files: tuple[ManifestFile, ...]

    @property
    def rows(self) -> int:
        """Rows of the tabular files (other files have no known row count)."""
        return sum(f.rows for f in self.files if f.rows is not None)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON: what a dataset record pins as manifest_sha256."""
        return sha256_hex(canonical_json(self.to_json()))

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "files": [f.to_json() for f in self.files]}

    @classmethod
    def from_json(cls, document: Any) -> Manifest:
        """Read a manifest document back; anything malformed is refused, naming the part."""
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise InvalidInput(f"dataset manifest: not a {FORMAT} document")
        items = document.get("files")
        if not isinstance(items, list):
            raise InvalidInput("dataset manifest: 'files' must be a list")
        files = tuple(_file_from_json(index, item) for index, item in enumerate(items, 1))
        paths = [f.path for f in files]
        if paths != sorted(set(paths)):
            raise InvalidInput("dataset manifest: file paths must be unique and sorted")
        return cls(files)

    def schema_markdown(self) -> str:
        """The columns of each tabular file as Markdown tables ('' when there are none)."""
        parts = []
        for item in self.files:
            if not item.columns:
                continue
            lines = [f"**{item.path}** ({item.rows} rows)", "", "| Column | Type |", "|---|---|"]
            lines += [f"| {_cell(c.name)} | {c.type} |" for c in item.columns]
            parts.append("\n".join(lines))
        return "\n\n".join(parts)


def build_manifest(
    path: Path, on_file: OnFile | None = None, known: Manifest | None = None
) -> Manifest:
    """The manifest of one file or of a folder (recursive, `.git` skipped); `on_file(relative
    path, size)` is called after each file, for progress.

    A file whose bytes are those of `known`'s entry for its path (same SHA-256 and size) is
    only hashed and keeps that entry's rows and columns, which are a function of the bytes:
    verifying a pinned dataset reads each unchanged file once, without parsing it."""
    pinned = {} if known is None else {f.path: f for f in known.files}
    files = []
    for relative, source in dataset_files(path):
        item = _unchanged(pinned.get(relative), source) or _describe(relative, source)
        files.append(item)
        if on_file is not None:
            on_file(relative, item.size)
    return Manifest(tuple(files))


def dataset_files(path: Path) -> list[tuple[str, Path]]:
    """(relative POSIX path, file) for every file of the dataset at `path`, sorted by path."""
    if path.is_file():
        return [(path.name, path)]
    if not path.is_dir():
        raise InvalidInput(f"{path}: no such file or folder")
    found = []
    for folder, folders, names in os.walk(path, onerror=_unlistable):
        folders[:] = [f for f in folders if f not in SKIPPED_FOLDERS]
        for name in names:
            source = Path(folder) / name
            if source.is_file():
                found.append((source.relative_to(path).as_posix(), source))
    if not found:
        raise InvalidInput(f"{path}: the folder holds no files")
    return sorted(found)


def manifest_differences(old: Manifest, new: Manifest) -> list[str]:
    """What changed from `old` to `new`, one line per file, in path order."""
    before = {f.path: f for f in old.files}
    after = {f.path: f for f in new.files}
    lines = []
    for path in sorted(before.keys() | after.keys()):
        was, now = before.get(path), after.get(path)
        if was is None:
            lines.append(f"file {path} added")
        elif now is None:
            lines.append(f"file {path} removed")
        else:
            lines += _file_differences(was, now)
    return lines


def _file_differences(was: ManifestFile, now: ManifestFile) -> list[str]:
    lines = []
    changes = []
    if was.sha256 != now.sha256:
        changes.append(f"sha256 {was.sha256[:12]} -> {now.sha256[:12]}")
    if was.size != now.size:
        changes.append(f"size {was.size} -> {now.size} bytes")
    if was.rows != now.rows:
        changes.append(f"rows {_shown(was.rows)} -> {_shown(now.rows)}")
    if changes:
        lines.append(f"file {was.path}: " + ", ".join(changes))
    columns = _column_changes(was.columns or (), now.columns or ())
    if columns:
        lines.append(f"file {was.path}: columns changed: " + ", ".join(columns))
    return lines


def _column_changes(was: Iterable[Column], now: Iterable[Column]) -> list[str]:
    before = {c.name: c.type for c in was}
    after = {c.name: c.type for c in now}
    changes = [f"+ {name} ({kind})" for name, kind in after.items() if name not in before]
    changes += [f"- {name}" for name in before if name not in after]
    changes += [
        f"{name} ({before[name]} -> {kind})"
        for name, kind in after.items()
        if name in before and before[name] != kind
    ]
    return changes


def _unlistable(error: OSError) -> None:
    """A folder os.walk cannot list would silently leave its files out of the manifest."""
    raise InvalidInput(f"{error.filename}: cannot be listed: {error.strerror}") from error


def _shown(rows: int | None) -> str:
    return "unknown" if rows is None else str(rows)


def _bytes(size: int) -> str:
    return f"{size >> 20} MiB" if size >= 1 << 20 and size % (1 << 20) == 0 else f"{size} bytes"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- describing one file -------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A raw reader that digests every byte read through it (one pass hashes and parses)."""

    def __init__(self, raw: io.RawIOBase) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer)
        if count:
            view = memoryview(buffer)[:count]
            self.digest.update(view)
            self.size += count
        return count or 0

    def drain(self) -> None:
        while chunk := self.raw.read(CHUNK):
            self.digest.update(chunk)
            self.size += len(chunk)


def _unchanged(entry: ManifestFile | None, source: Path) -> ManifestFile | None:
    """`entry` when `source` holds exactly its bytes (a tabular file only: any other file is
    just hashed anyway); None when it differs, so the caller describes it afresh."""
    if entry is None or entry.rows is None:
        return None
    try:
        if source.stat().st_size != entry.size:
            return None
        with source.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None  # _describe reports it, naming the file
    return entry if digest == entry.sha256 else None


def _describe(relative: str, source: Path) -> ManifestFile:
    suffix = source.suffix.lower()
    try:
        with io.FileIO(source, "rb") as raw:
            hashing = _Hashing(raw)
            rows: int | None = None
            columns: tuple[Column, ...] | None = None
            if suffix in CSV_SUFFIXES or suffix in JSONL_SUFFIXES:
                lines = _Lines(relative, io.BufferedReader(hashing, CHUNK))
                if suffix in CSV_SUFFIXES:
                    rows, columns = _read_delimited(relative, lines, CSV_SUFFIXES[suffix])
                else:
                    rows, columns = _read_json_lines(relative, lines)
            hashing.drain()
    except OSError as error:
        raise InvalidInput(f"{relative}: cannot be read: {error}") from error
    return ManifestFile(relative, hashing.digest.hexdigest(), hashing.size, rows, columns)


class _Lines:
    """The text lines of a UTF-8 file (endings kept, a leading BOM dropped), decoded one by
    one so an undecodable byte is reported at its line; a line over MAX_LINE is refused."""

    def __init__(self, relative: str, binary: io.BufferedReader) -> None:
        self.relative = relative
        self.binary = binary
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        while line := self.binary.readline(MAX_LINE + 1):
            self.number += 1
            if len(line) > MAX_LINE:
                raise InvalidInput(
                    f"{self.relative}: line {self.number} is longer than {_bytes(MAX_LINE)}; "
                    "is it a text table with LF or CRLF line endings?"
                )
            text = line.decode("utf-8")
            yield text.removeprefix("\ufeff") if self.number == 1 else text


def _read_delimited(relative: str, lines: _Lines, delimiter: str) -> tuple[int, tuple[Column, ...]]:
    reader = csv.reader(lines, delimiter=delimiter)
    rows = 0
    header: list[str] | None = None
    try:
        header = next(_non_blank(reader), None)
        if header is None:
            return 0, ()
        kinds = [_Inference() for _ in header]
        chunk: list[list[str]] = []
        for values in _non_blank(reader):
            rows += 1
            if len(values) != len(header):
                raise InvalidInput(
                    f"{relative}: row {rows} (line {reader.line_num}) has {len(values)} fields; "
                    f"the header has {len(header)}"
                )
            chunk.append(values)
            if len(chunk) == _CHUNK:
                _infer(kinds, chunk)
                chunk = []
        _infer(kinds, chunk)
    except UnicodeDecodeError as error:
        where = "the header" if header is None else f"row {rows + 1}"
        raise InvalidInput(
            f"{relative}: {where} (line {lines.number}) is not valid UTF-8"
        ) from error
    except csv.Error as error:
        raise InvalidInput(f"{relative}: row {rows + 1} (line {lines.number}): {error}") from error
    return rows, tuple(Column(n, k.result()) for n, k in zip(header, kinds, strict=True))


def _infer(kinds: list[_Inference], chunk: list[list[str]]) -> None:
    if chunk:
        for inference, column in zip(kinds, zip(*chunk, strict=True), strict=True):
            inference.add_texts(column)


def _non_blank(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    return (values for values in reader if values)


def _read_json_lines(relative: str, lines: _Lines) -> tuple[int, tuple[Column, ...]]:
    rows = 0
    kinds: dict[str, _Inference] = {}
    try:
        for line in lines:
            if not line.strip():
                continue
            rows += 1
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise InvalidInput(
                    f"{relative}: line {lines.number} is not JSON: {error.msg}"
                ) from error
            if not isinstance(value, dict):
                raise InvalidInput(f"{relative}: line {lines.number} is not a JSON object")
            for key, item in value.items():
                kinds.setdefault(key, _Inference()).add_json(item)
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{relative}: line {lines.number} is not valid UTF-8") from error
    return rows, tuple(Column(name, k.result()) for name, k in kinds.items())


# -- column types ---------------------------------------------------------------------------

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_BOOLEANS = {"true", "false", "yes", "no"}
_CHUNK = 4096  # rows whose columns are typed together (one regex call per column and chunk)
_BLOCKS = {
    kind: re.compile(rf"(?:(?:{pattern.pattern})\n)*(?:{pattern.pattern})")
    for kind, pattern in (("int", _INT), ("float", _FLOAT), ("date", _DATE))
}


class _Inference:
    """The narrowest type every non-empty value of a column fits: int, float, bool, date, or
    else text; a column with no value at all is 'empty'."""

    def __init__(self) -> None:
        self.possible = {"int", "float", "bool", "date"}
        self.seen = False

    def add_text(self, value: str) -> None:
        value = value.strip()
        if not value:
            return
        self.seen = True
        if not self.possible:
            return
        if "int" in self.possible and not _INT.fullmatch(value):
            self.possible.discard("int")
        if "float" in self.possible and not _FLOAT.fullmatch(value):
            self.possible.discard("float")
        if "bool" in self.possible and value.lower() not in _BOOLEANS:
            self.possible.discard("bool")
        if "date" in self.possible and not _DATE.fullmatch(value):
            self.possible.discard("date")

    def add_texts(self, values: Sequence[str]) -> None:
        """`add_text` for many values at once: the values joined by newlines and matched in
        one call per type (each value alone when one holds a newline itself)."""
        present = [value for value in map(str.strip, values) if value]
        if not present:
            return
        block = "\n".join(present)
        if block.count("\n") != len(present) - 1:
            for value in present:
                self.add_text(value)
            return
        self.seen = True
        for kind in sorted(self.possible):
            if kind == "bool":
                fits = all(value.lower() in _BOOLEANS for value in present)
            else:
                fits = _BLOCKS[kind].fullmatch(block) is not None
            if not fits:
                self.possible.discard(kind)

    def add_json(self, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            self.seen = True
            self.possible &= {"date"} if _DATE.fullmatch(value.strip()) else set()
            return
        self.seen = True
        if isinstance(value, bool):
            self.possible &= {"bool"}
        elif isinstance(value, int):
            self.possible &= {"int", "float"}
        elif isinstance(value, float):
            self.possible &= {"float"}
        else:
            self.possible = set()

    def result(self) -> str:
        if not self.seen:
            return "empty"
        for kind in ("int", "float", "bool", "date"):
            if kind in self.possible:
                return kind
        return "text"


def _file_from_json(index: int, item: Any) -> ManifestFile:
    where = f"dataset manifest: file {index}"
    if not isinstance(item, dict):
        raise InvalidInput(f"{where}: not an object")
    path, digest, size = item.get("path"), item.get("sha256"), item.get("size")
    if not isinstance(path, str) or not path:
        raise InvalidInput(f"{where}: 'path' must be a non-empty text")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise InvalidInput(f"{where} ({path}): 'sha256' must be 64 lowercase hex digits")
    if not isinstance(size, int) or not _count(size):
        raise InvalidInput(f"{where} ({path}): 'size' must be a whole number >= 0")
    rows = item.get("rows")
    if rows is not None and not _count(rows):
        raise InvalidInput(f"{where} ({path}): 'rows' must be a whole number >= 0")
    columns = item.get("columns")
    return ManifestFile(
        path, digest, size, rows, None if columns is None else _columns(where, path, columns)
    )


def _columns(where: str, path: str, columns: Any) -> tuple[Column, ...]:
    if not isinstance(columns, list):
        raise InvalidInput(f"{where} ({path}): 'columns' must be a list")
    found = []
    for column in columns:
        if (
            not isinstance(column, dict)
            or not isinstance(column.get("name"), str)
            or column.get("type") not in TYPES
        ):
            raise InvalidInput(
                f"{where} ({path}): each column needs a 'name' and a 'type' ({', '.join(TYPES)})"
            )
        found.append(Column(column["name"], column["type"]))
    return tuple(found)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
