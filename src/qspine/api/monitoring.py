"""/api/v1/models/{key}/monitoring: ingest a monitoring series file for a deployed model
version (breaches open signals and CAPA candidates), and read its series back."""

from __future__ import annotations

from fastapi import APIRouter, Query, UploadFile

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.monitoring_schemas import EpisodeOut, IngestOut, PointOut, SeriesOut
from qspine.services.monitoring import MAX_SERIES_BYTES, Series

router = APIRouter(tags=["clinical AI"])


@router.post(
    "/models/{key}/monitoring",
    response_model=IngestOut,
    summary="Ingest a CSV or JSON monitoring series (observed_at, site, metric, value)",
)
def ingest(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    file: UploadFile,
    version: int | None = Query(None, description="Model version (default: the one in force)"),
) -> IngestOut:
    data = file.file.read(MAX_SERIES_BYTES + 1)
    done = spine.monitoring.ingest(user.username, key, file.filename or "upload", data, version)
    return IngestOut.model_validate(done)


@router.get(
    "/models/{key}/monitoring",
    response_model=list[SeriesOut],
    summary="The model's monitored series with thresholds, breach episodes and signals",
)
def series(key: str, spine: SpineDep, user: CurrentUser) -> list[SeriesOut]:
    return [_series(s) for s in spine.monitoring.series(user, key)]


def _series(found: Series) -> SeriesOut:
    return SeriesOut.model_validate(
        {
            "version": found.version,
            "site": found.site,
            "metric": found.metric,
            "points": [PointOut.model_validate(p) for p in found.points],
            "criteria": found.criteria,
            "breaches": [
                EpisodeOut(
                    criterion=str(b.criterion),
                    first=b.first.observed_at,
                    last=b.last.observed_at,
                    worst=b.worst.value,
                    count=b.count,
                    description=b.describe(),
                )
                for b in found.breaches
            ],
            "signals": found.signals,
        }
    )
