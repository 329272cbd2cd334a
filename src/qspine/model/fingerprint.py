"""Canonical JSON and SHA-256 fingerprints: the identity of content, independent of storage."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Serialise deterministically: sorted keys, no insignificant whitespace, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_fingerprint(kind: str, key: str, fields: dict[str, Any]) -> str:
    """Fingerprint of a version's content: what a signature binds and a link reviews against.

    The version number and status are deliberately left out: identical content is identical
    evidence, and status is lifecycle state recorded by transitions, not content.
    """
    return sha256_hex(canonical_json({"kind": kind, "key": key, "fields": fields}))
