"""/api/v1/signals: follow a quality event across processes (now, or as of a past instant)."""

from __future__ import annotations

from fastapi import APIRouter

from qspine.api.deps import AsOf, CurrentUser, SpineDep
from qspine.api.signal_schemas import SignalChainOut

router = APIRouter(tags=["traceability"])


@router.get(
    "/signals/{key}",
    response_model=SignalChainOut,
    summary="Follow a quality event: investigation, risk, design change, re-verification, "
    "release; each hop with its records and what is missing (now, or as of)",
)
def follow_signal(key: str, spine: SpineDep, user: CurrentUser, at: AsOf) -> SignalChainOut:
    return SignalChainOut.model_validate(spine.signals.follow(user, key, at))
