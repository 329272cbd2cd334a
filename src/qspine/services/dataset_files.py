"""A dataset version's files against its pinned manifest (ADR 0015).

The validation service calls `dataset_differences` before it executes a run (any line refuses
the run) and when it reruns one (the lines are the differences it reports); the dataset
service calls `check_files` for `qspine dataset verify`. Both take the blob folder of the
spine (`SpineContext.blob_dir`) and the fields of the dataset version (its `manifest` blob
digest, `manifest_sha256` and `location`), so a caller may pass the fields of any version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qspine.formats.dataset_manifest import (
    Manifest,
    OnFile,
    build_manifest,
    manifest_differences,
)
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.fingerprint import canonical_json
from qspine.store.blobs import BlobStore


@dataclass(frozen=True)
class FilesCheck:
    """The pinned manifest, the manifest of the files now (None when they could not be
    read) and every difference in words; `matches` only when there is none."""

    pinned: Manifest | None
    current: Manifest | None
    differences: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return not self.differences


def dataset_differences(
    blob_dir: Path, fields: Mapping[str, Any], on_file: OnFile | None = None
) -> list[str]:
    """Each way the files at `fields['location']` differ from the manifest pinned by
    `fields['manifest']` (and `manifest_sha256`), one line each; [] when they match.

    Missing location or manifest, an unreadable stored manifest and files that can no longer
    be read are differences too, said in words: the caller never has to catch an error."""
    return list(check_files(blob_dir, fields, on_file).differences)


def check_files(
    blob_dir: Path, fields: Mapping[str, Any], on_file: OnFile | None = None
) -> FilesCheck:
    """As `dataset_differences`, keeping both manifests for the caller to show."""
    pinned: Manifest | None = None
    problems: list[str] = []
    digest = fields.get("manifest")
    if not digest:
        problems.append("no manifest stored with this dataset version: nothing to compare")
    else:
        try:
            pinned = load_manifest(blob_dir, str(digest))
        except (InvalidInput, NotFound) as error:
            problems.append(f"pinned manifest: {error}")
    expected = fields.get("manifest_sha256")
    if pinned is not None and expected and pinned.digest != expected:
        problems.append(
            f"pinned manifest: its digest {pinned.digest[:12]} is not the recorded "
            f"manifest_sha256 {str(expected)[:12]}"
        )
    location = fields.get("location")
    current: Manifest | None = None
    if not location:
        problems.append("no location recorded: the dataset's files cannot be checked")
    else:
        try:
            current = build_manifest(Path(str(location)), on_file, known=pinned)
        except InvalidInput as error:
            problems.append(f"location {location}: {error}")
    if pinned is not None and current is not None:
        problems += manifest_differences(pinned, current)
    return FilesCheck(pinned, current, tuple(problems))


def load_manifest(blob_dir: Path, digest: str) -> Manifest:
    """The manifest stored as blob `digest` (NotFound when absent, InvalidInput when it is
    not a manifest)."""
    content = BlobStore(blob_dir).read(digest)
    try:
        document = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"blob {digest[:12]} is not a JSON dataset manifest") from error
    return Manifest.from_json(document)


def manifest_bytes(manifest: Manifest) -> bytes:
    """The stored form: canonical JSON, so the blob's SHA-256 is the manifest digest."""
    return canonical_json(manifest.to_json()).encode("utf-8")


def managed_folder(blob_dir: Path) -> Path:
    """Where uploaded datasets are kept: beside the blob folder (`NAME.datasets`), one
    sub-folder per manifest digest, so the same upload lands in the same place."""
    return blob_dir.with_name(blob_dir.name + ".datasets")
