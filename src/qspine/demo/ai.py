"""CytoAssist's real model in the demo (ADR 0015): data written, manifests and weights
computed, the validation executed and rerun, and a simulated drift series ingested.

DS-1 to DS-3 and MV-1 keep their places in the demo content (so every key stays the same);
their fingerprints are filled in here from real files before they are created. VR-1 is not
typed at all: it is the run QSpine executes. DS-4, DS-5, MV-2 and MV-3 stay narrative records
(their data and weights are not part of the demo) with stand-in digests.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from qspine import Spine
from qspine.demo.cytoassist import data as cyto_data
from qspine.demo.cytoassist.drift import drift_csv
from qspine.demo.cytoassist.train import CONFIGURATION, train
from qspine.demo.spec import Content
from qspine.formats.dataset_manifest import build_manifest
from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.model_system import Environment
from qspine.services.code_refs import pin
from qspine.services.dataset_files import manifest_bytes

COMMAND = "python -m qspine.demo.cytoassist.evaluate"
PACKAGES = ("joblib", "numpy", "scikit-learn", "scipy")
RUN_TITLE = "Model 1.0.0 on the sequestered split DS-3"
REFIT_PACKAGES = {"joblib": "1.4.2", "numpy": "1.26.4", "scikit-learn": "1.5.0", "scipy": "1.12.0"}
"""The packages MV-2's runtime image declares (its `framework` field)."""
EXECUTED = "vr1"
"""The content's local id of the run QSpine executes instead of creating from text."""


@dataclass(frozen=True)
class RealModel:
    """Where the demo's data and weights are, and the keys the executed run produced."""

    root: Path


def data_root(spine: Spine) -> Path:
    """The demo's data folder, beside the blob store (it outlives the seeding process)."""
    blobs = spine.context.blob_dir
    return blobs.with_name(blobs.name + "-cytoassist")


def prepare(spine: Spine, content: Content, actor: str = "mei") -> RealModel:
    """Write the data, train the model and fill DS-1..DS-3 and MV-1 with real fingerprints."""
    root = data_root(spine)
    folders = cyto_data.write_data(root)
    by_local = {r.local: r for r in content.records}
    for local, folder in (("ds1", folders.source), ("ds2", folders.train), ("ds3", folders.test)):
        manifest = build_manifest(folder)
        file = root / "manifests" / f"{local}.json"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(manifest_bytes(manifest))
        by_local[local].fields.update(
            manifest_sha256=manifest.digest,
            manifest=spine.blobs.add(actor, file).sha256,
            location=str(folder),
            file_count=len(manifest.files),
            row_count=manifest.rows,
            schema=manifest.schema_markdown(),
        )
    weights = root / "model-1.0.0" / "weights.pkl"
    train(folders.train / "train.csv", weights)
    by_local["mv1"].fields.update(_model_fields(spine, actor, weights))
    by_local["mv2"].fields.update(_refit_fields(by_local["mv1"].fields))
    return RealModel(root)


def _refit_fields(base: dict[str, Any]) -> dict[str, Any]:
    """MV-2 (PCCP M1, a re-fit on updated SOUP, and M2, the threshold moved to 0.42): MV-1's
    code and configuration, the runtime its container image declares, and its threshold.
    Its weights stay a stand-in digest (the re-fit is not part of the demo)."""
    environment = Environment("3.11.8", REFIT_PACKAGES, platform="linux-x86_64")
    same = ("preprocessing_ref", "configuration", "configuration_sha256")
    return {name: base[name] for name in same} | {
        "decision_threshold": 0.42,
        "python_version": environment.python,
        "packages": environment.package_list(),
        "environment_sha256": environment.sha256,
    }


def _model_fields(spine: Spine, actor: str, weights: Path) -> dict[str, Any]:
    stored = spine.blobs.add(actor, weights)
    code = pin(str(Path(cyto_data.__file__).parent), "preprocess.py")
    environment = Environment(
        platform.python_version(),
        {name: metadata.version(name) for name in PACKAGES},
        platform=f"{platform.system().lower()}-{platform.machine()}",
    )
    configuration = canonical_json(CONFIGURATION)
    return {
        "weights_sha256": stored.sha256,
        "weights": stored.sha256,
        "preprocessing_ref": str(code),
        "decision_threshold": 0.5,
        "configuration": configuration,
        "configuration_sha256": sha256_hex(configuration),
        "python_version": environment.python,
        "packages": environment.package_list(),
        "environment_sha256": environment.sha256,
        "framework": ", ".join(environment.package_list()) + f", CPython {environment.python}",
    }


def execute_validation(spine: Spine, keys: dict[str, str], actor: str = "mei") -> tuple[str, int]:
    """Run VR-1 for real on the sequestered split and rerun it: its key and the links the run
    made (evaluates the model, uses each dataset)."""
    result = spine.validation.run(
        actor, keys["mv1"], [keys["ds3"]], command=COMMAND, title=RUN_TITLE
    )
    if result.outcome != "pass":
        raise InvalidInput(f"demo: {result.key} did not pass: {result.error or result.metrics}")
    rerun = spine.validation.rerun(actor, result.key)
    if rerun.verdict != "reproduced":
        raise InvalidInput(f"demo: {result.key} not reproduced: {'; '.join(rerun.differences)}")
    return result.key, 1 + len(result.datasets)


def ingest_drift(spine: Spine, keys: dict[str, str], today: dt.date, actor: str = "mei") -> int:
    """Ingest the simulated drift series for MV-1 (documented in cytoassist/drift.py): the
    links made (each signal reports on the model; each CAPA candidate addresses its signal)."""
    report = spine.monitoring.ingest(
        actor, keys["mv1"], "northfield-drift-simulated.csv", drift_csv(today)
    )
    return len(report.signals_created) + len(report.capas_created)
