"""Traceability benchmark: closure p95 from random starts; full matrix build and export.

    .venv/bin/python -m benchmarks.bench_trace --records 100000

Builds (or reuses) a synthetic spine of N records (benchmarks/synthetic.py) and measures:
(a) downstream closure from 100 random user needs (p50/p95/max), through the service layer;
(b) the requirement -> test -> result matrix: build, XLSX export and CSV export.
Targets (issue 4): (a) p95 < 50 ms at 1M records; (b) < 5 s for 100,000 requirements.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.synthetic import build
from qspine import Settings, open_spine
from qspine.reports.matrix_export import to_xlsx, write_csv

console = Console()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--starts", type=int, default=100)
    arguments = parser.parse_args()
    url = f"sqlite:///benchmarks/out/trace-{arguments.records}.db"
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    with open_spine(url, settings=Settings(database_url=url)) as spine:
        if spine.summary.summary().records == 0:
            spine.users.add(
                "bootstrap", "bench", "Benchmark Runner", "benchmark-password", ["admin"]
            )
            with console.status(f"building {arguments.records:,} records…"):
                build(spine, arguments.records)
        reader = spine.users.get("bench")
        _, needs = spine.records.list(kind="user_need", limit=10_000)
        starts = random.Random(5).sample([n.key for n in needs], min(arguments.starts, len(needs)))
        spine.trace.trace(reader, starts[0], "down")  # warm the cache
        timings, sizes = [], []
        for key in starts:
            started = time.perf_counter()
            result = spine.trace.trace(reader, key, "down")
            timings.append(time.perf_counter() - started)
            sizes.append(len(result.nodes))
        started = time.perf_counter()
        matrix = spine.matrices.build(reader, "requirement_verification")
        built = time.perf_counter() - started
        started = time.perf_counter()
        csv_path = Path(f"benchmarks/out/requirement_verification-{arguments.records}.csv")
        with csv_path.open("wb") as out:  # as `qspine matrix -f csv -o FILE` writes it
            write_csv(matrix, out)
        csv_seconds = time.perf_counter() - started
        started = time.perf_counter()
        xlsx = to_xlsx(matrix)
        xlsx_seconds = time.perf_counter() - started
        records = spine.summary.summary().records
    cut = statistics.quantiles(timings, n=100)
    grid = Table(title=f"traceability on {records:,} records ({url})")
    grid.add_column("scenario")
    grid.add_column("figure")
    grid.add_row(
        "(a) downstream closure, p50 / p95 / max",
        f"{cut[49] * 1000:.1f} / {cut[94] * 1000:.1f} / {max(timings) * 1000:.1f} ms "
        f"({len(starts)} starts, median {statistics.median(sizes):.0f} records reached)",
    )
    grid.add_row(
        "(b) requirement_verification matrix build",
        f"{built:.2f} s for {len(matrix.rows):,} rows ({matrix.gaps:,} with gaps)",
    )
    grid.add_row("(b) XLSX export", f"{xlsx_seconds:.2f} s ({len(xlsx) / 1e6:.1f} MB)")
    grid.add_row(
        "(b) CSV export (streamed to a file; fingerprint taken on the way)",
        f"{csv_seconds:.2f} s ({csv_path.stat().st_size / 1e6:.1f} MB)",
    )
    grid.add_row("(b) build + CSV", f"{built + csv_seconds:.2f} s")
    grid.add_row(
        "machine",
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    )
    console.print(grid)


if __name__ == "__main__":
    main()
