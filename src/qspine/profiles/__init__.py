"""Load, merge and validate profiles: the built-in `qmsr` and organisation extensions of it.

An organisation profile says `extends: qmsr` (or a path to another profile) and lists only
what it adds or changes. Mappings merge key by key, all the way down; a list or a scalar
replaces the base's. So a new kind, field, link type, role or rule is a few lines, and the
organisation never copies the default profile.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from qspine.model.errors import ProfileError
from qspine.model.profile import Profile, build_profile

BUILTIN = ("qmsr",)


def load_profile(name_or_path: str | Path | None = None) -> Profile:
    """The built-in profile by name (default `qmsr`), or a profile file, validated."""
    if name_or_path is None or str(name_or_path) in BUILTIN:
        return _builtin(str(name_or_path or "qmsr"))
    path = Path(name_or_path)
    return build_profile(_resolved(path, set()), source=str(path))


@cache
def _builtin(name: str) -> Profile:
    return build_profile(_builtin_raw(name), source=f"built-in profile {name}")


def _builtin_raw(name: str) -> dict[str, Any]:
    text = resources.files("qspine.profiles").joinpath(f"{name}.yaml").read_text("utf-8")
    return _parse(text, f"built-in profile {name}")


def _resolved(path: Path, seen: set[Path]) -> dict[str, Any]:
    if not path.is_file():
        raise ProfileError(["no such profile file"], str(path))
    real = path.resolve()
    if real in seen:
        raise ProfileError(["extends: profiles extend each other in a cycle"], str(path))
    seen.add(real)
    data = _parse(path.read_text("utf-8"), str(path))
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    if not isinstance(base_name, str):
        raise ProfileError(["extends: name a built-in profile or a profile file"], str(path))
    if base_name in BUILTIN:
        base = _builtin_raw(base_name)
    else:
        base = _resolved((path.parent / base_name), seen)
    return merge(base, data)


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(error, "problem", None) or str(error)
        raise ProfileError([f"{where}: {problem}"], source) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProfileError(["(top level): a profile is a mapping"], source)
    return data


def merge(base: dict[str, Any], extension: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge mappings; anything else in `extension` replaces what `base` had."""
    merged = dict(base)
    for key, value in extension.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
