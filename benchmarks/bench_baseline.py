"""Baseline benchmark: (c) as-of reconstruction of a 10,000-record baseline, (d) compare.

    .venv/bin/python -m benchmarks.bench_baseline --records 100000

Runs on the spine bench_trace built (benchmarks/out/trace-N.db; built here if missing).
Approves `--members` requirements through the service layer (submit for review, then an
e-signature by a second user, as the design lifecycle demands), captures baseline BL-a,
revises and re-approves `--changed` of them, captures BL-b, and measures:
(c) rebuilding the members' state as of the instant BL-a was taken (a baseline preview as
    of then: versions, transitions and releases reconstructed from history);
(d) comparing BL-a with BL-b, and BL-a with its selection now (field-level diffs included).
Targets (issue 4): (c) < 2 s, (d) < 2 s. The approver's password hash uses a low argon2
cost so that thousands of signatures take minutes; reading is unaffected by it.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from benchmarks.synthetic import build
from qspine import Settings, Spine, open_spine

console = Console()
PASSWORD = "benchmark-password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=1_000)
    arguments = parser.parse_args()
    url = f"sqlite:///benchmarks/out/trace-{arguments.records}.db"
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=url, hash_time_cost=1, hash_memory_kib=1024)
    with open_spine(url, settings=settings) as spine:
        if spine.summary.summary().records == 0:
            spine.users.add("bootstrap", "bench", "Benchmark Runner", PASSWORD, ["admin"])
            with console.status(f"building {arguments.records:,} records…"):
                build(spine, arguments.records)
        if "approver" not in {u.username for u in spine.users.list()}:
            spine.users.add("bench", "approver", "Bench Approver", PASSWORD, ["qa_ra_lead"])
        reader = spine.users.get("bench")
        keys = _requirements(spine, arguments.members)
        _approve(spine, keys, 1, "approving members")
        first = spine.baselines.create("bench", "Benchmark baseline A", keys=keys)
        changed = keys[: arguments.changed]
        for key in changed:
            spine.records.revise("bench", key, {"title": f"{key} revised"}, 1, "benchmark change")
        _approve(spine, changed, 2, "re-approving changed members")
        second = spine.baselines.create("bench", "Benchmark baseline B", keys=keys)
        assert first.key and second.key
        started = time.perf_counter()
        rebuilt = spine.baselines.preview(reader, keys=keys, at=first.taken_at)
        rebuild_seconds = time.perf_counter() - started
        assert rebuilt.manifest == first.manifest, "as-of rebuild must equal what was captured"
        started = time.perf_counter()
        pair = spine.baselines.compare(reader, first.key, second.key)
        pair_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with_now = spine.baselines.compare(reader, first.key)
        now_seconds = time.perf_counter() - started
        records = spine.summary.summary().records
    grid = Table(title=f"baselines on {records:,} records ({url})")
    grid.add_column("scenario")
    grid.add_column("figure")
    grid.add_row(
        f"(c) as-of rebuild of a {len(keys):,}-record baseline",
        f"{rebuild_seconds:.2f} s (manifest identical to the captured one)",
    )
    grid.add_row(
        "(d) compare baseline A with baseline B",
        f"{pair_seconds:.2f} s ({pair.changed:,} changed with field diffs, "
        f"{pair.unchanged:,} unchanged)",
    )
    grid.add_row(
        "(d) compare baseline A with its selection now",
        f"{now_seconds:.2f} s ({with_now.changed:,} changed, {with_now.unchanged:,} unchanged)",
    )
    grid.add_row(
        "machine",
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    )
    console.print(grid)


def _requirements(spine: Spine, count: int) -> list[str]:
    found: list[str] = []
    offset = 0
    while len(found) < count:
        _, page = spine.records.list(kind="requirement", limit=10_000, offset=offset)
        if not page:
            break
        found += [r.key for r in page if r.version == 1 and r.status == "draft"]
        offset += len(page)
    return found[:count]


def _approve(spine: Spine, keys: list[str], number: int, label: str) -> None:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=len(keys))
        for key in keys:
            spine.records.transition("bench", key, "in_review", number)
            spine.signing.sign("approver", PASSWORD, key, "approved", number)
            progress.advance(task)


if __name__ == "__main__":
    main()
