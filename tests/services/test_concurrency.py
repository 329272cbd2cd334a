"""Concurrent edits conflict loudly: two writers on the same version, exactly one wins."""

from __future__ import annotations

import threading
from pathlib import Path

from qspine import Conflict, Spine, load_profile, open_spine

from helpers import sample_fields, settings_for

PROFILE = load_profile()


def test_two_concurrent_revisions_of_one_version(spine: Spine, db_url: str, tmp_path: Path) -> None:
    key = spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement")).key
    others = [open_spine(db_url, settings=settings_for(db_url, tmp_path)) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def revise(writer: Spine, text: str) -> None:
        barrier.wait()
        try:
            writer.records.revise("eve", key, {"statement": text}, 1, f"edit by {text}")
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=revise, args=(w, t)) for w, t in zip(others, "AB", strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for writer in others:
        writer.close()
    assert sorted(outcomes) == ["conflict", "ok"]
    history = spine.records.history(key)
    assert len(history) == 2 and history[1].fields["statement"] in ("A", "B")
    assert spine.audit.verify().intact
