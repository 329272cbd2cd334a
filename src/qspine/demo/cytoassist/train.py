"""Train CytoAssist's model on the WDBC training split and write its weights file.

Gradient-boosted trees (HistGradientBoostingClassifier, depth 3, 300 iterations) with isotonic
calibration, single-threaded and seeded, so the same data and library versions give the same
weights bytes.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from qspine.demo.cytoassist.data import SEED, read_rows
from qspine.demo.cytoassist.preprocess import preprocess

CONFIGURATION: dict[str, Any] = {
    "estimator": "HistGradientBoostingClassifier",
    "max_depth": 3,
    "max_iter": 300,
    "learning_rate": 0.05,
    "calibration": "isotonic",
    "calibration_folds": 5,
    "random_state": SEED,
}


def train(train_csv: Path, weights: Path) -> None:
    """Fit on `train_csv` and pickle the calibrated model to `weights`."""
    header, rows = read_rows(train_csv)
    features = preprocess(header, rows)
    labels = [int(row[-1]) for row in rows]
    booster = HistGradientBoostingClassifier(
        max_depth=CONFIGURATION["max_depth"],
        max_iter=CONFIGURATION["max_iter"],
        learning_rate=CONFIGURATION["learning_rate"],
        early_stopping=False,
        random_state=SEED,
    )
    model = CalibratedClassifierCV(
        booster, method="isotonic", cv=CONFIGURATION["calibration_folds"]
    )
    with threadpool_limits(limits=1):  # one thread: same bytes, and no OpenMP oversubscription
        model.fit(features, labels)
    weights.parent.mkdir(parents=True, exist_ok=True)
    weights.write_bytes(pickle.dumps(model, protocol=5))
