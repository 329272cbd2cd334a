"""/api/v1/datasets: register a dataset by uploading its files, list datasets, read a
dataset's manifest, verify its files and follow its lineage."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.schemas import RecordOut
from qspine.model.errors import InvalidInput
from qspine.services.datasets import MAX_UPLOAD_BYTES

router = APIRouter(prefix="/datasets", tags=["clinical AI"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DatasetRowOut(_Out):
    key: str
    title: str
    status: str
    version: int
    purpose: str
    file_count: int | None
    row_count: int | None
    manifest_sha256: str
    location: str


class DatasetCheckOut(_Out):
    key: str
    version: int
    location: str
    manifest_sha256: str
    current_sha256: str | None
    differences: list[str]
    matches: bool


class RelatedOut(_Out):
    key: str
    kind: str
    title: str
    status: str
    version: int
    depth: int
    via: str
    purpose: str
    transformation: str
    split: str


class LineageOut(_Out):
    key: str
    title: str
    ancestors: list[RelatedOut]
    descendants: list[RelatedOut]
    models: list[RelatedOut]
    runs: list[RelatedOut]


class ManifestOut(BaseModel):
    key: str
    digest: str
    rows: int
    manifest: dict[str, Any]


@router.post(
    "",
    response_model=RecordOut,
    status_code=201,
    summary="Register a dataset from uploaded files (kept in the managed dataset folder)",
)
def upload_dataset(
    spine: SpineDep,
    user: CurrentUser,
    files: Annotated[list[UploadFile], File(description="The dataset's files")],
    title: Annotated[str, Form()],
    source: Annotated[str, Form()],
    purpose: Annotated[str | None, Form()] = None,
    license: Annotated[str | None, Form()] = None,
    transformation: Annotated[str | None, Form()] = None,
    split: Annotated[str | None, Form()] = None,
    derived_from: Annotated[list[str] | None, Form()] = None,
    fields: Annotated[str | None, Form(description="Other dataset fields as a JSON object")] = None,
) -> RecordOut:
    extra = _extra_fields(fields)
    given = {
        "title": title,
        "source": source,
        "purpose": purpose,
        "license": license,
        "transformation": transformation,
        "split": split,
    }
    extra.update({name: value for name, value in given.items() if value})
    view = spine.datasets.upload(user.username, _read(files), extra, derived_from or [])
    return RecordOut.model_validate(view)


@router.get("", response_model=list[DatasetRowOut], summary="Every dataset, newest first")
def list_datasets(spine: SpineDep, user: CurrentUser) -> list[DatasetRowOut]:
    return [DatasetRowOut.model_validate(r) for r in spine.datasets.list(user)]


@router.get(
    "/{key}/manifest",
    response_model=ManifestOut,
    summary="The manifest the dataset pins: every file with its SHA-256, size, rows, columns",
)
def manifest(key: str, spine: SpineDep, user: CurrentUser) -> ManifestOut:
    found = spine.datasets.manifest(user, key)
    return ManifestOut(key=key, digest=found.digest, rows=found.rows, manifest=found.to_json())


@router.post(
    "/{key}/verify",
    response_model=DatasetCheckOut,
    summary="Hash the files at the dataset's location again and compare with its manifest",
)
def verify(key: str, spine: SpineDep, user: CurrentUser) -> DatasetCheckOut:
    return DatasetCheckOut.model_validate(spine.datasets.verify(user, key))


@router.get(
    "/{key}/lineage",
    response_model=LineageOut,
    summary="Ancestors, descendants, models trained on it and validation runs that used it",
)
def lineage(key: str, spine: SpineDep, user: CurrentUser) -> LineageOut:
    return LineageOut.model_validate(spine.datasets.lineage(user, key))


def _read(files: list[UploadFile]) -> list[tuple[str, bytes]]:
    read, total = [], 0
    for index, upload in enumerate(files, 1):
        data = upload.file.read(MAX_UPLOAD_BYTES + 1 - total)
        total += len(data)
        if total > MAX_UPLOAD_BYTES:
            raise InvalidInput(
                f"upload: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB; register "
                "large datasets from their folder with `qspine dataset register`"
            )
        read.append((upload.filename or f"file-{index}", data))
    return read


def _extra_fields(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"fields: not JSON: {error.msg}") from error
    if not isinstance(value, dict):
        raise InvalidInput("fields: must be a JSON object of field names and values")
    return value
