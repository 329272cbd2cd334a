"""Benchmark: create N records and ~3N links through the service layer; print records/s.

    .venv/bin/python -m benchmarks.bench_ingest --records 100000

Target (issue 2): >= 5,000 records/s on SQLite on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from benchmarks.synthetic import SHAPE, build
from qspine import Settings, open_spine

console = Console()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite:///benchmarks/out/ingest.db")
    arguments = parser.parse_args()
    if arguments.db.startswith("sqlite:///"):
        path = Path(arguments.db.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings = Settings(database_url=arguments.db)
    with open_spine(arguments.db, settings=settings) as spine:
        spine.users.add("bootstrap", "bench", "Benchmark Runner", "benchmark-password", ["admin"])
        expected = sum(max(1, round(arguments.records * share)) for _, share, _ in SHAPE)
        timings: dict[str, float] = {"records": 0.0, "links": 0.0}
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("records", total=expected)
            link_task = progress.add_task("links", total=None)
            last = time.perf_counter()

            def tick(phase: str, count: int) -> None:
                nonlocal last
                now = time.perf_counter()
                timings[phase] += now - last
                last = now
                progress.advance(task if phase == "records" else link_task, count)

            started = time.perf_counter()
            built = build(spine, arguments.records, progress=tick)
            elapsed = time.perf_counter() - started
        verify_started = time.perf_counter()
        report = spine.audit.verify()
        verify_elapsed = time.perf_counter() - verify_started

    grid = Table(title=f"ingest through the service layer — {arguments.db}")
    for column in ("measure", "value"):
        grid.add_column(column)
    grid.add_row(
        "machine",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    )
    grid.add_row(
        "records",
        f"{built.records:,} in {timings['records']:.1f} s = "
        f"{built.records / timings['records']:,.0f} records/s",
    )
    grid.add_row(
        "links",
        f"{built.links:,} in {timings['links']:.1f} s = "
        f"{built.links / timings['links']:,.0f} links/s",
    )
    grid.add_row(
        "total",
        f"{elapsed:.1f} s ({(built.records + built.links) / elapsed:,.0f} writes/s, each audited)",
    )
    grid.add_row(
        "audit verify",
        f"{report.events_checked:,} events, intact={report.intact}, {verify_elapsed:.1f} s",
    )
    console.print(grid)


if __name__ == "__main__":
    main()
