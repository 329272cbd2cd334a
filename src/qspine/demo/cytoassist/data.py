"""The WDBC data as CSV files: the source set and its stratified training and test splits."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

SEED = 20240117
TEST_FRACTION = 0.3
LABEL = "malignant"


@dataclass(frozen=True)
class DemoData:
    """Folders holding the source CSV and the two splits."""

    source: Path
    train: Path
    test: Path


def feature_names() -> list[str]:
    return [name.replace(" ", "_") for name in load_breast_cancer().feature_names]


def write_data(root: Path) -> DemoData:
    """Write wdbc/wdbc.csv, wdbc-train-v1/train.csv and wdbc-test-v1/test.csv under `root`.

    Labels are 1 for malignant (scikit-learn's target 0) so that 'positive' means what a
    cytopathologist means. Values are written with repr(), so the files are byte-identical on
    every run.
    """
    bunch = load_breast_cancer()
    names = feature_names()
    rows = [
        [f"WDBC-{i + 1:03d}", *(repr(float(v)) for v in features), str(1 - int(target))]
        for i, (features, target) in enumerate(zip(bunch.data, bunch.target, strict=True))
    ]
    labels = [row[-1] for row in rows]
    train, test = train_test_split(
        rows, test_size=TEST_FRACTION, stratify=labels, random_state=SEED % (2**32)
    )
    header = ["case_id", *names, LABEL]
    data = DemoData(root / "wdbc", root / "wdbc-train-v1", root / "wdbc-test-v1")
    _write(data.source / "wdbc.csv", header, rows)
    _write(data.train / "train.csv", header, sorted(train))
    _write(data.test / "test.csv", header, sorted(test))
    return data


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV written by write_data (or any CSV with that header)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
