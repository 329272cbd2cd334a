"""The demo's real model: the data files and the weights are the same bytes on every run."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qspine.demo.cytoassist.data import read_rows, write_data
from qspine.demo.cytoassist.train import train


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_data_splits_are_stratified_and_training_is_deterministic(tmp_path: Path) -> None:
    one, two = write_data(tmp_path / "a"), write_data(tmp_path / "b")
    _, source = read_rows(one.source / "wdbc.csv")
    _, train_rows = read_rows(one.train / "train.csv")
    _, test_rows = read_rows(one.test / "test.csv")
    assert (len(source), len(train_rows), len(test_rows)) == (569, 398, 171)
    assert sum(r[-1] == "1" for r in source) == 212  # malignant cases in WDBC
    assert sum(r[-1] == "1" for r in test_rows) == 64
    assert {r[0] for r in train_rows}.isdisjoint({r[0] for r in test_rows})
    for name in ("wdbc/wdbc.csv", "wdbc-train-v1/train.csv", "wdbc-test-v1/test.csv"):
        assert _digest(tmp_path / "a" / name) == _digest(tmp_path / "b" / name)
    train(one.train / "train.csv", tmp_path / "w1.pkl")
    train(two.train / "train.csv", tmp_path / "w2.pkl")
    assert _digest(tmp_path / "w1.pkl") == _digest(tmp_path / "w2.pkl")
