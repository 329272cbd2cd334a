"""Model pages: the list of model versions with their release gate and a registration form,
and one model system with its fingerprints, code, environment, data, requirements, validation
runs and the release gate checklist (and the report recorded at release)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from qspine.model.access import allows
from qspine.model.errors import InvalidInput, QSpineError
from qspine.services.model_reads import ModelSystem
from qspine.services.models import MAX_UPLOAD_BYTES, ModelRow, code_spec, too_large, upload_name
from qspine.services.users import User
from qspine.web.auth import Post, PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page, redirect

router = APIRouter(route_class=WebRoute)
SECTION = "models"
FORM_FIELDS = (
    "title",
    "version_label",
    "preprocessing",
    "postprocessing",
    "decision_threshold",
    "configuration",
    "packages",
    "python_version",
    "trained_on",
    "implements",
    "intended_use",
)


@dataclass
class ModelsPage:
    """Every model version with its gate state, and the registration form."""

    models: list[ModelRow]
    can_register: bool
    form: dict[str, str] = field(default_factory=dict)
    problem: str = ""


@dataclass
class ModelPage:
    """One model system, and whether this user may sign its next step."""

    system: ModelSystem
    next_steps: list[dict[str, Any]]


@router.get("/models")
def models(request: Request, session: SessionDep) -> Response:
    return page(request, "models.html", _list(request, session.user), session, section=SECTION)


@router.post("/models")
async def register(request: Request, post: PostDep) -> Response:
    """Register the uploaded weights as a new model version; on a problem the list page shows
    it and keeps what was typed."""
    form = {name: post.text(name).strip() for name in FORM_FIELDS}
    try:
        with tempfile.TemporaryDirectory(prefix="qspine-model-") as folder:
            weights = await _saved(post, "weights", Path(folder) / "weights")
            if weights is None:
                raise InvalidInput("weights: choose the weights file to upload")
            lockfile = await _saved(post, "lockfile", Path(folder) / "lock")
            view = get_spine(request).models.register(
                post.actor,
                weights=weights,
                title=form["title"],
                version_label=form["version_label"],
                preprocessing=code_spec("preprocessing", form["preprocessing"]),
                postprocessing=code_spec("postprocessing", form["postprocessing"]),
                decision_threshold=_threshold(form["decision_threshold"]),
                configuration=_configuration(form["configuration"]),
                packages=form["packages"].split(),
                python_version=form["python_version"] or None,
                lockfile=lockfile,
                trained_on=_keys(form["trained_on"]),
                implements=_keys(form["implements"]),
                fields={"intended_use": form["intended_use"]},
            )
    except QSpineError as error:
        listing = _list(request, post.session.user)
        listing.form, listing.problem = form, str(error)
        return page(
            request, "models.html", listing, post.session,
            status=status_of(error), section=SECTION,
        )  # fmt: skip
    finally:
        await post.form.close()
    return redirect(f"/models/{view.key}")


@router.get("/models/{key}")
def model(request: Request, session: SessionDep, key: str) -> Response:
    spine = get_spine(request)
    system = spine.models.system(session.user, key)
    steps = spine.records.show(key).next_transitions
    data = ModelPage(system=system, next_steps=steps)
    return page(request, "model.html", data, session, section=SECTION)


def _list(request: Request, user: User) -> ModelsPage:
    spine = get_spine(request)
    can_register = allows(spine.profile, user.roles, "write", "model_version")
    return ModelsPage(models=spine.models.list(user), can_register=can_register)


async def _saved(post: Post, name: str, folder: Path) -> Path | None:
    """The uploaded file `name` written under `folder` with its base name, or None; streamed
    in 1 MiB chunks (weights may be large)."""
    item = post.form.get(name)
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    folder.mkdir()
    path = folder / upload_name(item.filename, name)
    total = 0
    with path.open("wb") as out:
        while chunk := await item.read(1 << 20):
            total += len(chunk)
            if total > MAX_UPLOAD_BYTES:
                raise too_large(name)
            out.write(chunk)
    return path


def _threshold(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"decision_threshold: '{text}' is not a number") from None


def _configuration(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"configuration: not JSON: {error.msg}") from None
    if not isinstance(value, dict):
        raise InvalidInput("configuration: must be a JSON object of settings")
    return value


def _keys(text: str) -> list[str]:
    return [key for key in text.replace(",", " ").split() if key]
