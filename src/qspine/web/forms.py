"""Record forms generated from the profile's field specs, and the typed values they post.

A widget per field type (text, textarea for markdown, select for enum, number, checkbox,
date, datetime-local, comma list, ref with a datalist). Parsing keeps the typed text so a
refused form comes back exactly as the person left it, with the error next to the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from qspine.model.errors import InvalidInput
from qspine.model.fields import parse_field_text
from qspine.model.profile import FieldSpec, KindSpec
from qspine.web.rendering import field_label

_FIELD_IN_MESSAGE = re.compile(r"field '([a-z][a-z0-9_]*)'")


@dataclass(frozen=True)
class Widget:
    """One form control, described for the template (and for the JSON twin)."""

    name: str
    label: str
    type: str
    control: str
    required: bool
    help: str
    value: str
    checked: bool = False
    options: tuple[str, ...] = ()
    step: str = ""
    min: float | None = None
    max: float | None = None
    ref_kinds: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class RecordForm:
    """A create or edit form: the kind, the widgets, and what went wrong last time, if anything."""

    kind: str
    kind_title: str
    key: str | None
    expected_version: int | None
    reason: str
    widgets: list[Widget]
    message: str = ""
    reason_error: str = ""
    conflict: bool = False
    suggestions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return f"/records/{self.key}/edit" if self.key else "/records/new"


def control_for(spec: FieldSpec) -> str:
    return {
        "markdown": "textarea",
        "enum": "select",
        "int": "number",
        "float": "number",
        "bool": "checkbox",
        "date": "date",
        "datetime": "datetime-local",
        "ref": "ref",
        "list": "list",
    }.get(spec.type, "text")


def widgets(
    kind: KindSpec, texts: dict[str, str], errors: dict[str, str] | None = None
) -> list[Widget]:
    """The kind's fields in profile order, filled with `texts` (what the form shows)."""
    errors = errors or {}
    result = []
    for name, spec in kind.fields.items():
        control = control_for(spec)
        help_text = spec.help
        if spec.type == "list":
            help_text = (help_text + " Separate items with commas.").strip()
            if spec.items == "enum" and spec.values:
                help_text += f" Allowed: {', '.join(spec.values)}."
        if spec.type == "datetime":
            help_text = (help_text + " Enter UTC.").strip()
        result.append(
            Widget(
                name=name,
                label=field_label(name, spec),
                type=spec.type,
                control=control,
                required=spec.required,
                help=help_text,
                value=texts.get(name, ""),
                checked=texts.get(name, "") in ("on", "true"),
                options=spec.values if spec.type == "enum" else (),
                step="1" if spec.type == "int" else ("any" if spec.type == "float" else ""),
                min=spec.min,
                max=spec.max,
                ref_kinds=spec.kinds if spec.type == "ref" else (),
                error=errors.get(name, ""),
            )
        )
    return result


def texts_of(kind: KindSpec, fields: dict[str, Any]) -> dict[str, str]:
    """Stored field values as the text the form controls show."""
    texts = {}
    for name, spec in kind.fields.items():
        if name not in fields or fields[name] is None:
            continue
        value = fields[name]
        if spec.type == "list":
            texts[name] = ", ".join(str(item) for item in value)
        elif spec.type == "bool":
            texts[name] = "true" if value else ""
        elif spec.type == "datetime":
            texts[name] = _datetime_local(str(value))
        else:
            texts[name] = str(value)
    return texts


def posted_texts(kind: KindSpec, form: Any) -> dict[str, str]:
    """The typed text of every field of the kind from a posted form (CRLF made LF)."""
    texts = {}
    for name in kind.fields:
        value = form.get(f"field.{name}")
        if isinstance(value, str):
            texts[name] = value.replace("\r\n", "\n").replace("\r", "\n")
    return texts


def parse_texts(
    subject: str,
    kind: KindSpec,
    texts: dict[str, str],
    before: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """(values, errors by field). An empty control means "no value" (None); an unticked
    box means False only where the field is required or had a value before."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    before = before or {}
    for name, spec in kind.fields.items():
        text = texts.get(name, "")
        if spec.type == "bool":
            if text in ("on", "true"):
                values[name] = True
            elif spec.required or before.get(name) is not None:
                values[name] = False
            else:
                values[name] = None
            continue
        if not text.strip():
            values[name] = None
            continue
        try:
            values[name] = _parse(subject, name, spec, text)
        except InvalidInput as problem:
            errors[name] = str(problem)
    return values, errors


def field_of(message: str) -> str | None:
    """The field an InvalidInput message names ("REQ-3: field 'title' is required")."""
    match = _FIELD_IN_MESSAGE.search(message)
    return match.group(1) if match else None


def _parse(subject: str, name: str, spec: FieldSpec, text: str) -> Any:
    if spec.type in ("int", "float", "list"):
        return parse_field_text(subject, name, spec, text.strip())
    if spec.type == "datetime":
        stripped = text.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?", stripped):
            return stripped + "Z"
        return stripped
    if spec.type in ("enum", "date", "ref", "blob"):
        return text.strip()
    return text


def _datetime_local(value: str) -> str:
    """'2026-03-01T10:00:00Z' -> '2026-03-01T10:00:00' (a datetime-local control, in UTC)."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed.isoformat(timespec="seconds")
