"""The curated public API: `qspine.__all__` is sorted and names exactly what it exports."""

from __future__ import annotations

import qspine


def test_all_is_sorted_and_complete() -> None:
    assert qspine.__all__ == sorted(qspine.__all__)
    for name in qspine.__all__:
        assert hasattr(qspine, name), name
    public = {n for n in vars(qspine) if not n.startswith("_") and n not in {"annotations"}}
    modules = {n for n in public if type(getattr(qspine, n)).__name__ == "module"}
    assert public - modules == set(qspine.__all__) - {"__version__"}
