"""/api/v1/cyber and /api/v1/releases/{key}/cyber-package: cybersecurity metrics, the threat
model and risk bridge, and the premarket cybersecurity package of a release."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from qspine.api.cyber_schemas import BridgeOut, CyberMetricsOut
from qspine.api.deps import CurrentUser, SpineDep
from qspine.reports.cyber_package import MEDIA_TYPES, filename, render

router = APIRouter(tags=["cybersecurity"])


@router.get(
    "/cyber/metrics",
    response_model=CyberMetricsOut,
    summary="Cyber metrics: vulnerabilities by state, days to triage and patch, share patched "
    "or mitigated, time to deploy, SBOM cadence, components past end of support",
)
def cyber_metrics(
    spine: SpineDep,
    user: CurrentUser,
    as_of: Annotated[
        dt.date | None, Query(description="Take the figures as at this day (default today)")
    ] = None,
) -> CyberMetricsOut:
    return CyberMetricsOut.model_validate(spine.cyber.metrics(user, as_of))


@router.get(
    "/cyber/bridge",
    response_model=BridgeOut,
    summary="Threat model and risk bridge: threats -> security risks -> controls -> tests, and "
    "the hazardous situations and harms security risks may cause, with gaps",
)
def cyber_bridge(spine: SpineDep, user: CurrentUser) -> BridgeOut:
    return BridgeOut.model_validate(spine.cyber.bridge(user))


@router.get(
    "/releases/{key}/cyber-package",
    summary="The premarket cybersecurity package of a release, as standalone HTML or JSON",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/json": {}}}},
)
def cyber_package(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    format: Literal["html", "json"] = "json",
) -> Response:
    built = spine.cyber.package(user, key)
    return Response(
        render(built, format, record_link="/records/" if format == "html" else ""),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename(built, format)}"'},
    )
