"""Field values checked against a kind's field specs, with messages naming record and field.

Values are JSON-native (str, int, float, bool, list). `parse_field_text` turns the text a
person types on a command line into such a value, by the field's type.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from qspine.model.errors import InvalidInput
from qspine.model.profile import FieldSpec, KindSpec

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_KEY = re.compile(r"^[A-Z][A-Z0-9]{0,9}-[1-9][0-9]*$")


def validate_fields(
    subject: str, kind_name: str, kind: KindSpec, fields: dict[str, Any]
) -> dict[str, Any]:
    """Return the normalised field values (defaults applied, empties dropped) or raise.

    `subject` names the record in messages: its key, or "new <kind>" before it has one.
    """
    unknown = sorted(set(fields) - set(kind.fields))
    if unknown:
        raise InvalidInput(
            f"{subject}: unknown field '{unknown[0]}' for kind {kind_name} "
            f"(fields: {', '.join(kind.fields)})"
        )
    result: dict[str, Any] = {}
    for name, spec in kind.fields.items():
        value = fields.get(name)
        if _is_empty(value) and spec.default is not None:
            value = spec.default
        if _is_empty(value):
            if spec.required:
                raise InvalidInput(f"{subject}: field '{name}' is required")
            continue
        result[name] = _check_value(f"{subject}: field '{name}'", spec, spec.type, value)
    return result


def references(kind: KindSpec, fields: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(field, key, allowed kinds) for every ref value, so services can check they exist."""
    found = []
    for name, spec in kind.fields.items():
        if name not in fields:
            continue
        if spec.type == "ref":
            found.append((name, fields[name], spec.kinds))
        elif spec.type == "list" and spec.items == "ref":
            found += [(name, key, spec.kinds) for key in fields[name]]
    return found


def blob_digests(kind: KindSpec, fields: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, sha256) for every blob value, so services can check the blobs are stored."""
    found = []
    for name, spec in kind.fields.items():
        if name not in fields:
            continue
        if spec.type == "blob":
            found.append((name, fields[name]))
        elif spec.type == "list" and spec.items == "blob":
            found += [(name, digest) for digest in fields[name]]
    return found


def parse_field_text(subject: str, name: str, spec: FieldSpec, text: str) -> Any:
    """Turn typed text into a JSON value of the field's type (lists: JSON array or commas)."""
    where = f"{subject}: field '{name}'"
    if spec.type == "list":
        stripped = text.strip()
        if stripped.startswith("["):
            try:
                items = json.loads(stripped)
            except json.JSONDecodeError as error:
                raise InvalidInput(f"{where}: not a JSON list ({error.msg})") from None
            if not isinstance(items, list):
                raise InvalidInput(f"{where}: not a JSON list")
            return items
        parts = [part.strip() for part in stripped.split(",") if part.strip()]
        return [_parse_scalar(where, spec.items or "text", part) for part in parts]
    return _parse_scalar(where, spec.type, text)


def _parse_scalar(where: str, type_name: str, text: str) -> Any:
    if type_name == "int":
        try:
            return int(text)
        except ValueError:
            raise InvalidInput(f"{where}: '{text}' is not a whole number") from None
    if type_name == "float":
        try:
            return float(text)
        except ValueError:
            raise InvalidInput(f"{where}: '{text}' is not a number") from None
    if type_name == "bool":
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise InvalidInput(f"{where}: '{text}' is not true or false")
    return text


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _check_value(where: str, spec: FieldSpec, type_name: str, value: Any) -> Any:
    if type_name == "list":
        if not isinstance(value, list):
            raise InvalidInput(f"{where}: expected a list, got {_describe(value)}")
        item_type = spec.items or "text"
        return [
            _check_value(f"{where} item {i + 1}", spec, item_type, v) for i, v in enumerate(value)
        ]
    checker = _CHECKERS[type_name]
    return checker(where, spec, value)


def _check_text(where: str, spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: expected text, got {_describe(value)}")
    if "\x00" in value:
        raise InvalidInput(f"{where}: text may not contain NUL characters")
    return value


def _check_enum(where: str, spec: FieldSpec, value: Any) -> str:
    if value not in spec.values:
        raise InvalidInput(f"{where}: '{value}' is not one of {', '.join(spec.values)}")
    return str(value)


def _check_int(where: str, spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{where}: expected a whole number, got {_describe(value)}")
    _check_range(where, spec, value)
    return value


def _check_float(where: str, spec: FieldSpec, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{where}: expected a number, got {_describe(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(f"{where}: expected a finite number")
    _check_range(where, spec, float(value))
    return float(value)


def _check_range(where: str, spec: FieldSpec, value: float) -> None:
    if spec.min is not None and value < spec.min:
        raise InvalidInput(f"{where}: {value} is below the minimum {spec.min:g}")
    if spec.max is not None and value > spec.max:
        raise InvalidInput(f"{where}: {value} is above the maximum {spec.max:g}")


def _check_bool(where: str, spec: FieldSpec, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{where}: expected true or false, got {_describe(value)}")
    return value


def _check_date(where: str, spec: FieldSpec, value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidInput(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from None


def _check_datetime(where: str, spec: FieldSpec, value: Any) -> str:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{where}: '{value}' is not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise InvalidInput(f"{where}: '{value}' has no time zone (use Z or +00:00)")
    return parsed.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _check_ref(where: str, spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str) or not _KEY.match(value):
        raise InvalidInput(f"{where}: '{value}' is not a record key such as REQ-12")
    return value


def _check_blob(where: str, spec: FieldSpec, value: Any) -> str:
    text = str(value).removeprefix("sha256:")
    if not _SHA256.match(text):
        raise InvalidInput(f"{where}: '{value}' is not a SHA-256 blob digest")
    return text


_CHECKERS = {
    "text": _check_text,
    "markdown": _check_text,
    "enum": _check_enum,
    "int": _check_int,
    "float": _check_float,
    "bool": _check_bool,
    "date": _check_date,
    "datetime": _check_datetime,
    "ref": _check_ref,
    "blob": _check_blob,
}


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {json.dumps(value, default=str)[:40]}"
