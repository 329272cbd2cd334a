"""Dataset pages: the list with an upload form, and one dataset with its manifest, schema,
lineage both ways and a verify button (htmx swaps in the result)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from qspine.formats.dataset_manifest import Manifest
from qspine.model.errors import InvalidInput, QSpineError
from qspine.model.records import RecordView
from qspine.services.datasets import MAX_UPLOAD_BYTES, DatasetCheck, DatasetRow, Lineage
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page, redirect

router = APIRouter(route_class=WebRoute)
UPLOAD_FIELDS = ("title", "source", "purpose", "license", "transformation", "split")


@dataclass
class DatasetsPage:
    """Every dataset, the purposes the profile allows, and the last upload's problem."""

    datasets: list[DatasetRow]
    purposes: list[str]
    form: dict[str, Any] = field(default_factory=dict)
    problem: str = ""


@dataclass
class DatasetPage:
    record: RecordView
    manifest: Manifest | None
    lineage: Lineage
    check: DatasetCheck | None = None
    problem: str = ""


@router.get("/datasets")
def datasets(request: Request, session: SessionDep) -> Response:
    return page(request, "datasets.html", _list(request, session.user), session, section="data")


@router.post("/datasets")
async def upload(request: Request, post: PostDep) -> Response:
    """Register the uploaded files as a new dataset; on a problem the list page shows it and
    keeps what was typed."""
    form = {name: post.text(name).strip() for name in UPLOAD_FIELDS}
    form["derived_from"] = post.text("derived_from").strip()
    try:
        files, total = [], 0
        for item in post.form.getlist("files"):
            if isinstance(item, UploadFile) and item.filename:
                data = await item.read(MAX_UPLOAD_BYTES + 1 - total)
                total += len(data)
                if total > MAX_UPLOAD_BYTES:
                    raise InvalidInput(
                        f"upload: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB; register "
                        "large datasets from their folder with `qspine dataset register`"
                    )
                files.append((item.filename, data))
        parents = [k.strip() for k in form["derived_from"].replace(",", " ").split() if k]
        fields = {name: form[name] for name in UPLOAD_FIELDS if form[name]}
        view = get_spine(request).datasets.upload(post.actor, files, fields, parents)
    except QSpineError as error:
        listing = _list(request, post.session.user)
        listing.form, listing.problem = form, str(error)
        return page(
            request,
            "datasets.html",
            listing,
            post.session,
            status=status_of(error),
            section="data",
        )
    finally:
        await post.form.close()
    return redirect(f"/datasets/{view.key}")


@router.get("/datasets/{key}")
def dataset(request: Request, session: SessionDep, key: str) -> Response:
    return page(request, "dataset.html", _view(request, session.user, key), session, section="data")


@router.post("/datasets/{key}/verify")
def verify(request: Request, post: PostDep, key: str) -> Response:
    """Hash the files again; an htmx request swaps only the result into the page."""
    check = get_spine(request).datasets.verify(post.session.user, key)
    if request.headers.get("HX-Request") == "true":
        return page(request, "dataset_verify.html", check, post.session, section="data")
    view = _view(request, post.session.user, key)
    view.check = check
    return page(request, "dataset.html", view, post.session, section="data")


def _list(request: Request, user: Any) -> DatasetsPage:
    spine = get_spine(request)
    purpose = spine.profile.kinds["dataset"].fields["purpose"]
    return DatasetsPage(datasets=spine.datasets.list(user), purposes=list(purpose.values))


def _view(request: Request, user: Any, key: str) -> DatasetPage:
    spine = get_spine(request)
    lineage = spine.datasets.lineage(user, key)
    record = spine.records.show(key)
    manifest, problem = None, ""
    try:
        manifest = spine.datasets.manifest(user, key)
    except QSpineError as error:
        problem = str(error)
    return DatasetPage(record=record, manifest=manifest, lineage=lineage, problem=problem)
