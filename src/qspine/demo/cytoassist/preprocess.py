"""CytoAssist preprocessing: the feature matrix in the model's fixed order, with range checks.

This file is pinned by a code reference (repository, path and SHA-256) on the model version;
the evaluation command loads it from the path QSpine hands it (QSPINE_PREPROCESSING).
Trees need no scaling, so preprocessing only orders the 30 features, checks each value is a
finite non-negative number and refuses a row that is not.
"""

from __future__ import annotations

import math

N_FEATURES = 30


def preprocess(header: list[str], rows: list[list[str]]) -> list[list[float]]:
    """Rows of a WDBC-format CSV (case_id, 30 features, label) as the model's inputs."""
    names = header[1 : 1 + N_FEATURES]
    if len(names) != N_FEATURES:
        raise ValueError(f"expected {N_FEATURES} feature columns, found {len(names)}")
    matrix = []
    for number, row in enumerate(rows, start=2):
        values = [float(v) for v in row[1 : 1 + N_FEATURES]]
        for name, value in zip(names, values, strict=True):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"row {number}: {name} = {value} is out of range")
        matrix.append(values)
    return matrix
