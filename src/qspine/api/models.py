"""/api/v1/models: register a model system by uploading its weights, list model versions,
read one as a system, and evaluate its release gate."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.model_schemas import GateReportOut, ModelRowOut, ModelSystemOut
from qspine.api.schemas import RecordOut
from qspine.model.errors import InvalidInput
from qspine.services.models import MAX_UPLOAD_BYTES, code_spec, too_large, upload_name

router = APIRouter(prefix="/models", tags=["clinical AI"])
CODE = "Code reference REPO:PATH[@COMMIT]; REPO is a folder on the server"


@router.post(
    "",
    response_model=RecordOut,
    status_code=201,
    summary="Register a model version: every fingerprint computed from the uploaded files",
)
def register_model(
    spine: SpineDep,
    user: CurrentUser,
    weights: Annotated[UploadFile, File(description="The serialised weights file")],
    title: Annotated[str, Form()],
    version_label: Annotated[str, Form()],
    preprocessing: Annotated[str | None, Form(description=CODE)] = None,
    postprocessing: Annotated[str | None, Form(description=CODE)] = None,
    decision_threshold: Annotated[float | None, Form()] = None,
    configuration: Annotated[str | None, Form(description="Configuration JSON object")] = None,
    packages: Annotated[list[str] | None, Form(description="NAME or NAME==VERSION")] = None,
    python_version: Annotated[str | None, Form()] = None,
    lockfile: Annotated[UploadFile | None, File(description="The environment's lock file")] = None,
    trained_on: Annotated[list[str] | None, Form()] = None,
    implements: Annotated[list[str] | None, Form()] = None,
    fields: Annotated[str | None, Form(description="Other model fields as a JSON object")] = None,
) -> RecordOut:
    with tempfile.TemporaryDirectory(prefix="qspine-model-") as folder:
        weights_path = _save(Path(folder) / "weights", weights, "weights")
        lock_path = _save(Path(folder) / "lock", lockfile, "lockfile") if lockfile else None
        view = spine.models.register(
            user.username,
            weights=weights_path,
            title=title,
            version_label=version_label,
            preprocessing=code_spec("preprocessing", preprocessing),
            postprocessing=code_spec("postprocessing", postprocessing),
            decision_threshold=decision_threshold,
            configuration=_object("configuration", configuration),
            packages=packages or [],
            python_version=python_version,
            lockfile=lock_path,
            trained_on=trained_on or [],
            implements=implements or [],
            fields=_object("fields", fields),
        )
    return RecordOut.model_validate(view)


@router.get("", response_model=list[ModelRowOut], summary="Every model version, newest first")
def list_models(spine: SpineDep, user: CurrentUser) -> list[ModelRowOut]:
    return [ModelRowOut.model_validate(r) for r in spine.models.list(user)]


@router.get(
    "/{key}",
    response_model=ModelSystemOut,
    summary="The model system: fingerprints, code, environment, data, requirements, runs, gate",
)
def model_system(key: str, spine: SpineDep, user: CurrentUser) -> ModelSystemOut:
    return ModelSystemOut.model_validate(spine.models.system(user, key))


@router.get(
    "/{key}/gate",
    response_model=GateReportOut,
    summary="The release gate of the current version, each condition with its evidence",
)
def gate(key: str, spine: SpineDep, user: CurrentUser) -> GateReportOut:
    return GateReportOut.model_validate(spine.models.gate(user, key))


def _save(folder: Path, upload: UploadFile, what: str) -> Path:
    """The upload as a file under `folder`, keeping its base name (the blob's file name)."""
    folder.mkdir()
    path = folder / upload_name(upload.filename, what)
    total = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            total += len(chunk)
            if total > MAX_UPLOAD_BYTES:
                raise too_large(what)
            out.write(chunk)
    return path


def _object(what: str, text: str | None) -> dict[str, Any] | None:
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{what}: not JSON: {error.msg}") from error
    if not isinstance(value, dict):
        raise InvalidInput(f"{what}: must be a JSON object")
    return value
