"""Read a local MLflow tracking store through MLflow's own client (the optional extra
`qspine[mlflow]`): registered model versions, the runs that produced them, their dataset
inputs, and the model artifacts, downloaded into a work folder.

Only local stores are read: a `sqlite:///PATH` URI or a path to an MLflow SQLite database,
or a `file:` URI or folder of a file store. A SQLite file is first checked to be an MLflow
database, read-only, because MLflow's client creates and migrates a database it is pointed at.
Recent MLflow refuses file stores unless MLFLOW_ALLOW_FILE_STORE=true; its message is
passed on as the error.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json

INSTALL_HINT = "MLflow is not installed: install the extra with `pip install 'qspine[mlflow]'`"
COMMIT_TAG = "mlflow.source.git.commit"
CONTEXT_TAG = "mlflow.data.context"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class MlflowDataset:
    """A dataset input of a run, as MLflow logged it (digest is MLflow's, not a SHA-256)."""

    name: str
    digest: str
    source_type: str
    source: str
    schema: str
    profile: str
    context: str

    def description(self) -> dict[str, str]:
        """What MLflow logged about the dataset; `manifest_sha256` is the digest of this."""
        return {
            "name": self.name,
            "digest": self.digest,
            "source_type": self.source_type,
            "source": self.source,
            "schema": self.schema,
            "profile": self.profile,
        }

    def source_text(self) -> str:
        """MLflow's source JSON ('{"uri": ...}') as the URI or path it names."""
        try:
            document = json.loads(self.source) if self.source else None
        except ValueError:
            return self.source
        if isinstance(document, dict):
            named = document.get("uri") or document.get("path") or document.get("url")
            if isinstance(named, str) and named:
                return named
        return self.source or "(none)"

    def schema_markdown(self) -> str | None:
        """MLflow's column schema as a list of columns and types; None when it logged none."""
        if not self.schema:
            return None
        try:
            document = json.loads(self.schema)
        except ValueError:
            return f"MLflow schema: {self.schema}"
        columns = document.get("mlflow_colspec") if isinstance(document, dict) else None
        if not isinstance(columns, list):
            return f"MLflow schema: {canonical_json(document)}"
        lines = [
            f"- {c.get('name', '(unnamed)')}: {c.get('type', '?')}"
            for c in columns
            if isinstance(c, dict)
        ]
        return "\n".join(["Columns (from MLflow):", *lines])

    def row_count(self) -> int | None:
        """The row count MLflow's dataset profile states, if any."""
        try:
            document = json.loads(self.profile) if self.profile else None
        except ValueError:
            return None
        rows = document.get("num_rows") if isinstance(document, dict) else None
        return rows if isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0 else None


@dataclass(frozen=True)
class MlflowRun:
    """One MLflow run: parameters, the latest value of each metric, the git commit tag and
    its dataset inputs."""

    run_id: str
    name: str
    experiment_id: str
    experiment: str
    started: dt.datetime | None
    user: str
    params: dict[str, str]
    metrics: dict[str, float]
    commit: str
    datasets: tuple[MlflowDataset, ...]

    def report(self) -> dict[str, Any]:
        """The report blob of the run's validation record: what MLflow logged (the PCCP check
        reads its `metrics`)."""
        return {
            "source": "mlflow",
            "run_id": self.run_id,
            "run_name": self.name,
            "experiment": self.experiment,
            "params": self.params,
            "metrics": self.metrics,
            "code_commit": self.commit,
        }

    def metrics_markdown(self) -> str:
        if not self.metrics:
            return "No metrics were logged in the MLflow run."
        rows = [f"| {name} | {value:.6g} |" for name, value in sorted(self.metrics.items())]
        return "\n".join(["| Metric | Value |", "|---|---|", *rows])


@dataclass(frozen=True)
class MlflowVersion:
    """A registered model version, its run (None when registered without one) and its
    weights file in the work folder."""

    name: str
    version: str
    source: str
    run: MlflowRun | None
    weights: Path


@dataclass(frozen=True)
class MlflowSnapshot:
    """What an import reads: the versions in scope and the runs in scope left out."""

    uri: str
    versions: list[MlflowVersion]
    skipped: list[str]


def store_uri(text: str) -> str:
    """The tracking URI of a local store, or InvalidInput saying what is wrong."""
    value = text.strip()
    if not value:
        raise InvalidInput("tracking URI: give a sqlite:///PATH URI or a local path")
    if value.startswith("sqlite:///"):
        path = Path(unquote(value.removeprefix("sqlite:///")))
        if not path.is_absolute():
            path = Path.cwd() / path
        return _sqlite_uri(path, value)
    if value.startswith("file:"):
        folder = Path(unquote(urlparse(value).path))
        if not folder.is_dir():
            raise InvalidInput(f"tracking URI {value}: no MLflow file store at {folder}")
        return folder.resolve().as_uri()
    if "://" in value:
        raise InvalidInput(
            f"tracking URI {value}: only a local store is read (sqlite:///PATH, file:PATH or a "
            "path); QSpine does not contact tracking servers"
        )
    path = Path(value).expanduser()
    if path.is_dir():
        return path.resolve().as_uri()
    return _sqlite_uri(path.resolve(), value)


def read_store(
    tracking_uri: str, experiment: str | None, model: str | None, work: Path
) -> MlflowSnapshot:
    """The registered model versions in scope (all; or of `model`; or whose run is in
    `experiment`), with their weights downloaded under `work`."""
    try:
        import mlflow.artifacts
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
    except ImportError:
        raise InvalidInput(INSTALL_HINT) from None
    uri = store_uri(tracking_uri)
    try:
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        reader = _Reader(client, uri, mlflow.artifacts.download_artifacts, work)
        return reader.snapshot(experiment, model)
    except MlflowException as error:
        raise InvalidInput(f"MLflow store {tracking_uri}: {error.message}") from None


class _Reader:
    def __init__(self, client: Any, uri: str, download: Callable[..., str], work: Path) -> None:
        self.client = client
        self.uri = uri
        self.download = download
        self.work = work
        self.experiments: dict[str, str] = {}

    def snapshot(self, experiment: str | None, model: str | None) -> MlflowSnapshot:
        for found in _pages(lambda token: self.client.search_experiments(page_token=token)):
            self.experiments[str(found.experiment_id)] = str(found.name)
        scope: str | None = None
        if experiment is not None:
            named = [i for i, n in self.experiments.items() if n == experiment]
            if not named:
                raise InvalidInput(
                    f"MLflow store {self.uri}: no experiment '{experiment}' (experiments: "
                    f"{', '.join(sorted(self.experiments.values())) or 'none'})"
                )
            scope = named[0]
        versions = list(_pages(lambda token: self.client.search_model_versions(page_token=token)))
        if model is not None:
            names = sorted({str(v.name) for v in versions})
            if model not in names:
                raise InvalidInput(
                    f"MLflow store {self.uri}: no registered model '{model}' (registered: "
                    f"{', '.join(names) or 'none'})"
                )
            versions = [v for v in versions if v.name == model]
        runs: dict[str, MlflowRun] = {}
        chosen: list[MlflowVersion] = []
        for item in sorted(versions, key=lambda v: (str(v.name), int(v.version))):
            run = self._run(str(item.run_id), runs) if item.run_id else None
            if scope is not None and (run is None or run.experiment_id != scope):
                continue
            weights = self._weights(str(item.name), str(item.version))
            chosen.append(
                MlflowVersion(str(item.name), str(item.version), str(item.source), run, weights)
            )
        skipped = [] if model is not None else self._unregistered(scope, runs)
        return MlflowSnapshot(self.uri, chosen, skipped)

    def _run(self, run_id: str, cache: dict[str, MlflowRun]) -> MlflowRun:
        if run_id not in cache:
            run = self.client.get_run(run_id)
            started = run.info.start_time
            cache[run_id] = MlflowRun(
                run_id=run_id,
                name=str(run.info.run_name or ""),
                experiment_id=str(run.info.experiment_id),
                experiment=self.experiments.get(str(run.info.experiment_id), ""),
                started=dt.datetime.fromtimestamp(started / 1000, dt.UTC) if started else None,
                user=str(run.info.user_id or ""),
                params={str(k): str(v) for k, v in run.data.params.items()},
                metrics={str(k): float(v) for k, v in run.data.metrics.items()},
                commit=str(run.data.tags.get(COMMIT_TAG, "")),
                datasets=tuple(_dataset(i) for i in (run.inputs.dataset_inputs or [])),
            )
        return cache[run_id]

    def _weights(self, name: str, version: str) -> Path:
        """The model artifact: a single file as it is; a folder with one file, that file; any
        other folder (an MLflow model directory) as a deterministic ZIP archive."""
        where = self.work / f"{len(list(self.work.iterdir()))}"
        where.mkdir()
        uri = self.client.get_model_version_download_uri(name, version)
        try:
            local = Path(
                self.download(artifact_uri=uri, dst_path=str(where), tracking_uri=self.uri)
            )
        except OSError as error:
            raise InvalidInput(
                f"MLflow model {name} version {version}: its artifacts at {uri} cannot be "
                f"read: {error}"
            ) from None
        if local.is_file():
            return local
        files = sorted(p for p in local.rglob("*") if p.is_file())
        if not files:
            raise InvalidInput(f"MLflow model {name} version {version}: no files at {uri}")
        if len(files) == 1:
            return files[0]
        return archive(local, where / f"{_safe(name)}-{version}.zip")

    def _unregistered(self, scope: str | None, runs: dict[str, MlflowRun]) -> list[str]:
        ids = [scope] if scope is not None else sorted(self.experiments)
        if not ids:
            return []
        found = _pages(lambda token: self.client.search_runs(ids, page_token=token))
        return [
            f"run {r.info.run_id} ({r.info.run_name or 'unnamed'}, experiment "
            f"{self.experiments.get(str(r.info.experiment_id), '?')}): no registered model "
            "version; not imported"
            for r in found
            if r.info.run_id not in runs
        ]


def archive(folder: Path, target: Path) -> Path:
    """A ZIP of every file under `folder` that depends only on the files' paths and bytes:
    sorted names, stored (not compressed), fixed timestamps and permissions. Each file is
    copied in chunks (a model's weights can be larger than memory); the bytes are those
    `writestr` writes, so earlier archives keep their digest."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zipped:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path == target:
                continue
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_ZIP_TIME)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.file_size = path.stat().st_size
            with path.open("rb") as source, zipped.open(info, "w") as entry:
                shutil.copyfileobj(source, entry, _CHUNK)
    return target


def _dataset(item: Any) -> MlflowDataset:
    data = item.dataset
    tags = {str(t.key): str(t.value) for t in (item.tags or [])}
    return MlflowDataset(
        name=str(data.name or ""),
        digest=str(data.digest or ""),
        source_type=str(data.source_type or ""),
        source=str(data.source or ""),
        schema=str(data.schema or ""),
        profile=str(data.profile or ""),
        context=tags.get(CONTEXT_TAG, ""),
    )


def _pages(fetch: Callable[[str | None], Any]) -> Iterator[Any]:
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page
        token = page.token
        if not token:
            return


def _sqlite_uri(path: Path, given: str) -> str:
    if not path.is_file():
        raise InvalidInput(f"tracking URI {given}: no MLflow database at {path}")
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise InvalidInput(
            f"tracking URI {given}: {path} is not a SQLite database: {error}"
        ) from None
    if not {"experiments", "runs", "registered_models"} <= tables:
        raise InvalidInput(f"tracking URI {given}: {path} is not an MLflow tracking database")
    return f"sqlite:///{path}"


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "model"
