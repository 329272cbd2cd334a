"""The CytoAssist evaluation command: `python -m qspine.demo.cytoassist.evaluate`.

QSpine runs it in a fresh process (ADR 0015) with the pinned inputs in QSPINE_* variables: the
weights file, the preprocessing file and the test dataset folder. It writes predictions.csv
(case id, true label, calibrated probability of malignancy) to QSPINE_OUTPUT_DIR; QSpine
computes the metrics from it.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import pickle
import sys
from pathlib import Path
from types import ModuleType

from threadpoolctl import threadpool_limits

from qspine.demo.cytoassist.data import read_rows


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("cytoassist_preprocess", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load preprocessing from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dataset_csv(folder: Path) -> Path:
    found = sorted(folder.glob("*.csv")) if folder.is_dir() else [folder]
    if len(found) != 1:
        raise SystemExit(f"expected one CSV file in {folder}, found {len(found)}")
    return found[0]


def main() -> int:
    weights = Path(os.environ["QSPINE_MODEL_WEIGHTS"])
    preprocessing = _module(Path(os.environ["QSPINE_PREPROCESSING"]))
    header, rows = read_rows(_dataset_csv(Path(os.environ["QSPINE_DATASET"])))
    output = Path(os.environ["QSPINE_OUTPUT_DIR"])
    model = pickle.loads(weights.read_bytes())
    with threadpool_limits(limits=1):
        scores = model.predict_proba(preprocessing.preprocess(header, rows))[:, 1]
    with (output / "predictions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "label", "score"])
        for row, score in zip(rows, scores, strict=True):
            writer.writerow([row[0], row[-1], repr(float(score))])
    print(f"predicted {len(rows)} cases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
