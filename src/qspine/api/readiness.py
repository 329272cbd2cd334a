"""/api/v1/readiness: the readiness check (a GET computes it; POST /readiness/runs also
records it for the trend, which is what a CI gate calls), the standalone report, the rules,
and finding suppressions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from qspine.api.deps import AsOf, CurrentUser, SpineDep
from qspine.api.readiness_schemas import ReadinessOut, RuleOut, SuppressionIn
from qspine.model.findings import check_severity
from qspine.model.readiness import ReadinessReport
from qspine.reports.readiness_report import MEDIA_TYPES, as_data, render

router = APIRouter(prefix="/readiness", tags=["readiness"])
Pack = Annotated[str | None, Query(description="One rule pack (default: all)")]
FailOn = Annotated[
    Literal["blocking", "major", "minor", "info"],
    Query(description="Count findings at or above this severity as failing"),
]


def _out(report: ReadinessReport, fail_on: str) -> ReadinessOut:
    data: dict[str, Any] = as_data(report)
    return ReadinessOut.model_validate(
        {**data, "failing": len(report.failing(check_severity(fail_on))), "fail_on": fail_on}
    )


@router.get("", response_model=ReadinessOut, summary="Run the readiness rules (not recorded)")
def readiness(
    spine: SpineDep, user: CurrentUser, at: AsOf, pack: Pack = None, fail_on: FailOn = "blocking"
) -> ReadinessOut:
    return _out(spine.readiness.check(user, at, pack, record_run=False), fail_on)


@router.post(
    "/runs",
    response_model=ReadinessOut,
    status_code=201,
    summary="Run the readiness rules now and record the run (the next run's trend)",
)
def record_run(
    spine: SpineDep, user: CurrentUser, pack: Pack = None, fail_on: FailOn = "blocking"
) -> ReadinessOut:
    return _out(spine.readiness.check(user, None, pack, record_run=True), fail_on)


@router.get("/report", summary="The readiness report as a standalone HTML or Markdown file")
def report(
    spine: SpineDep,
    user: CurrentUser,
    at: AsOf,
    pack: Pack = None,
    format: Literal["html", "md"] = "html",
) -> Response:
    built = spine.readiness.check(user, at, pack, record_run=False)
    return Response(
        render(built, format, record_link="/records/"),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="readiness.{format}"'},
    )


@router.get("/rules", response_model=list[RuleOut], summary="Every readiness rule")
def rules(spine: SpineDep, user: CurrentUser, pack: Pack = None) -> list[RuleOut]:
    spine.users.permits(user, "read")
    return [RuleOut.model_validate(info) for info in spine.readiness.rules(pack)]


@router.post(
    "/suppressions",
    status_code=204,
    summary="Accept one finding on purpose, with a reason (audited)",
)
def suppress(spine: SpineDep, user: CurrentUser, body: SuppressionIn) -> Response:
    spine.readiness.suppress(user, body.rule, body.subject, body.occurrence, body.reason)
    return Response(status_code=204)


@router.post(
    "/suppressions/withdraw",
    status_code=204,
    summary="Withdraw a suppression (audited): the finding is open again",
)
def unsuppress(spine: SpineDep, user: CurrentUser, body: SuppressionIn) -> Response:
    spine.readiness.unsuppress(user, body.rule, body.subject, body.occurrence, body.reason)
    return Response(status_code=204)
