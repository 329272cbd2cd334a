"""Vulnerability pages: the list with a triage-state filter, the signed triage form (state,
a justification for not_affected, detail, the password again), and a release's VEX page
(upload a CycloneDX VEX or OpenVEX document, download the release's VEX)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from qspine.formats.vex import JUSTIFICATIONS, STATES
from qspine.model.errors import AuthenticationFailed, QSpineError
from qspine.services.users import User
from qspine.services.vex import MAX_VEX_BYTES, VexImport
from qspine.services.vex_list import VulnerabilityList, VulnerabilityRow
from qspine.services.vex_reads import TRIAGED
from qspine.spine import Spine
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page, redirect, with_headers

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True)
class TriageForm:
    """What the person chose (kept when the form comes back with a problem)."""

    state: str = ""
    justification: str = ""
    detail: str = ""
    remediation: str = ""
    patient_risk: str = ""
    error: str = ""  # the decision was refused
    password_error: str = ""  # the password was wrong


@dataclass(frozen=True)
class TriagePage:
    vulnerability: VulnerabilityRow
    form: TriageForm
    states: tuple[str, ...]
    justifications: tuple[str, ...]
    patient_risks: tuple[str, ...]
    statement: str  # what a `triaged` signature means
    signer: str
    printed_name: str
    refusal: str = ""
    refusal_status: int = 200


@dataclass(frozen=True)
class VexPage:
    release: str
    title: str
    vulnerabilities: VulnerabilityList
    imported: VexImport | None = None
    problem: str = ""


@router.get("/vulnerabilities")
def vulnerabilities(
    request: Request, session: SessionDep, state: str = "", release: str = ""
) -> Response:
    found = get_spine(request).vex.list_vulnerabilities(
        session.user, release.strip() or None, state or None
    )
    query = urlencode({k: v for k, v in (("state", state), ("release", release)) if v})
    return page(
        request,
        "vulnerabilities.html",
        found,
        session,
        section="cyber",
        extra={"states": STATES, "query": query},
    )


@router.get("/vulnerabilities/{key}/triage")
def triage_page(request: Request, session: SessionDep, key: str, state: str = "") -> Response:
    """The form; `?state=` (htmx, on changing the state) shows the justification select for
    not_affected. A refusal (no right to triage, a closed record) replaces the form."""
    data = triage_data(get_spine(request), session.user, key, TriageForm(state=state))
    return page(
        request,
        "vulnerabilities_triage.html",
        data,
        session,
        status=data.refusal_status,
        section="cyber",
    )


@router.post("/vulnerabilities/{key}/triage")
def triage(request: Request, key: str, post: PostDep) -> Response:
    spine = get_spine(request)
    form = TriageForm(
        state=post.text("state"),
        justification=post.text("justification"),
        detail=post.text("detail"),
        remediation=post.text("remediation"),
        patient_risk=post.text("patient_risk"),
    )
    try:
        spine.vex.triage(
            post.actor,
            post.text("password"),
            key,
            form.state,
            form.justification if form.state == "not_affected" else None,
            form.detail,
            form.patient_risk or None,
            expected_version=post.number("expected_version"),
            remediation=form.remediation,
        )
    except QSpineError as problem:
        if isinstance(problem, AuthenticationFailed):
            form = replace(form, password_error=str(problem))
        else:
            form = replace(form, error=str(problem))
        data = triage_data(spine, post.session.user, key, form)
        return page(
            request,
            "vulnerabilities_triage.html",
            data,
            post.session,
            status=status_of(problem),
            section="cyber",
        )
    return redirect(f"/records/{key}?done=signed#signatures")


@router.get("/releases/{key}/vex")
def vex_page(request: Request, session: SessionDep, key: str) -> Response:
    data = vex_data(get_spine(request), session.user, key)
    return page(request, "vulnerabilities_vex.html", data, session, section="cyber")


@router.post("/releases/{key}/vex")
async def import_vex(request: Request, post: PostDep, key: str) -> Response:
    """Apply the uploaded VEX as signed triage decisions; the page shows the report or the
    one error (nothing written)."""
    spine = get_spine(request)
    problem, imported, status = "", None, 200
    try:
        upload = post.form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            problem, status = "choose a CycloneDX VEX or OpenVEX file", 422
        else:
            data = await upload.read(MAX_VEX_BYTES + 1)
            try:
                imported = spine.vex.import_bytes(
                    post.actor, post.text("password"), data, upload.filename, key
                )
            except QSpineError as error:
                problem, status = str(error), status_of(error)
    finally:
        await post.form.close()
    view = replace(vex_data(spine, post.session.user, key), imported=imported, problem=problem)
    return page(
        request, "vulnerabilities_vex.html", view, post.session, status=status, section="cyber"
    )


@router.get("/releases/{key}/vex/export")
def export_vex(
    request: Request, session: SessionDep, key: str, format: str = "cyclonedx"
) -> Response:
    done = get_spine(request).vex.export_vex(session.user, key, format)
    return with_headers(
        Response(
            done.text,
            media_type=done.media_type,
            headers={"Content-Disposition": f'attachment; filename="{done.filename}"'},
        )
    )


def triage_data(spine: Spine, user: User, key: str, form: TriageForm) -> TriagePage:
    row = spine.vex.vulnerability(user, key)
    chosen = form if form.state else replace(form, state=row.triage_state)
    if not form.state and row.vex_justification:
        chosen = replace(chosen, justification=row.vex_justification)
    spec = spine.profile.kinds["vulnerability"].fields["patient_risk"]
    data = TriagePage(
        vulnerability=row,
        form=chosen,
        states=STATES,
        justifications=JUSTIFICATIONS,
        patient_risks=tuple(spec.values),
        statement=spine.profile.meanings[TRIAGED].statement,
        signer=user.username,
        printed_name=user.full_name,
    )
    try:
        spine.vex.preflight_triage(user.username, key, row.version)
    except QSpineError as refusal:
        return replace(data, refusal=str(refusal), refusal_status=status_of(refusal))
    return data


def vex_data(spine: Spine, user: User, key: str) -> VexPage:
    found = spine.vex.list_vulnerabilities(user, key)
    return VexPage(release=key, title=spine.records.show(key).title, vulnerabilities=found)
