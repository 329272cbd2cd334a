"""The premarket cybersecurity package of a release as JSON (stable keys) and as a standalone
HTML file (inline style and SVG, no scripts). One data function (`as_data`) feeds both and
the API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from qspine.model.asof import stamp
from qspine.model.cyber_package import CyberPackage, MatrixTable
from qspine.model.errors import InvalidInput
from qspine.reports.cyber_chart import triage_chart

FORMATS = ("html", "json")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json"}
FORMAT_NAME = "qspine-cyber-package"
FORMAT_VERSION = 1
_TEMPLATES = Path(__file__).parent / "templates"


def as_data(package: CyberPackage) -> dict[str, Any]:
    """The whole package as plain data, in the order a reviewer reads it."""
    components = [plain(c) for c in package.components]
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "generated_at": stamp(package.generated_at),
        "release": plain(package.release),
        "sbom": {
            "count": len(components),
            "past_end_of_support": sum(1 for c in package.components if c.past_end_of_support),
            "components": components,
        },
        "threat_model": plain(package.threat_summary),
        "risk_assessment": [plain(r) for r in package.risks],
        "traceability": _matrix(package.traceability),
        "safety_bridge": _matrix(package.safety_bridge),
        "bridge": plain(package.bridge),
        "control_categories": [plain(c) for c in package.control_categories],
        "anomalies": {
            "known_anomalies": package.release.known_anomalies,
            "vulnerabilities": [plain(a) for a in package.anomalies],
        },
        "metrics": plain(package.metrics),
    }


def render(package: CyberPackage, format: str, record_link: str = "") -> str:
    """The package as a file of `format` (html or json); `record_link` as in to_html."""
    if format == "json":
        return json.dumps(as_data(package), indent=2, ensure_ascii=False) + "\n"
    if format == "html":
        return to_html(package, record_link)
    raise InvalidInput(f"package format '{format}': one of {', '.join(FORMATS)}")


def to_html(package: CyberPackage, record_link: str = "") -> str:
    """A standalone HTML file. `record_link` prefixes record keys to make links (e.g. the
    server's /records/); empty means plain keys."""
    data = as_data(package)
    return (
        _environment()
        .get_template("cyber_package.html")
        .render(
            data=data,
            chart=triage_chart(package.metrics.by_triage_state),
            record_link=record_link,
            human=human,
            days=days,
        )
    )


def filename(package: CyberPackage, format: str) -> str:
    return f"cyber-package-{package.release.key}.{format}"


def plain(value: Any) -> Any:
    """Dataclasses (with their public properties), dates and tuples as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in _properties(type(value)):
            data[name] = plain(getattr(value, name))
        return data
    if isinstance(value, dt.datetime):
        return stamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def human(name: str | None) -> str:
    return "" if not name else name.replace("_", " ")


def days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g} days"


def _matrix(table: MatrixTable | None) -> dict[str, Any] | None:
    if table is None:
        return None
    return {
        "name": table.name,
        "title": table.title,
        "columns": list(table.columns),
        "gaps": table.gaps,
        "suspects": table.suspects,
        "fingerprint": table.fingerprint,
        "rows": [
            {
                "cells": [{"key": key, "title": title} for key, title in cells],
                "gap": gap,
                "suspect": suspect,
            }
            for cells, gap, suspect in table.rows
        ],
    }


@functools.cache
def _properties(cls: type) -> tuple[str, ...]:
    return tuple(
        name
        for name in dir(cls)
        if not name.startswith("_") and isinstance(getattr(cls, name, None), property)
    )


@functools.cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True)
