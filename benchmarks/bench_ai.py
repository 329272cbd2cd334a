"""Clinical AI evidence benchmark (issue 8) through the services, on a SQLite spine seeded with
the demo (whose CytoAssist model is trained, validated and released while seeding).

    .venv/bin/python -m benchmarks.bench_ai [--rows 1000000] [--files 10] [--points 100000]

Prints, with the machine it ran on:
- the demo seed (training, VR-1 executed and rerun in fresh processes, the gate, monitoring);
- `dataset register` and `dataset verify` of a synthetic dataset of N rows over F CSV files
  (12 numeric columns and a label): manifest hashing, row counting and schema inference;
- a rerun of VR-1 (a fresh process on the pinned weights, code and data) and its verdict;
- the release gate of MV-1 and the PCCP check of MV-2;
- `monitor ingest` of P points (sites x 2 metrics x days; each site's sensitivity dips below
  REQ-3's threshold for a while, so breach episodes raise signals and CAPA candidates), then
  the same file again (nothing added).
No targets are named by the issue; the figures are for the record.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import random
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qspine import open_spine
from qspine.demo.seed import seed_demo
from qspine.settings import Settings

console = Console()
COLUMNS = 12
SITES_MAX = 50


def write_dataset(folder: Path, rows: int, files: int) -> int:
    """N rows of deterministic synthetic measurements over `files` CSV files; bytes written."""
    folder.mkdir(parents=True)
    generator = random.Random(8)
    header = ["id", *(f"feature_{i}" for i in range(COLUMNS)), "label"]
    per_file = -(-rows // files)
    written = 0
    for index in range(files):
        count = min(per_file, rows - index * per_file)
        with (folder / f"part-{index:03d}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for row in range(count):
                values = [f"{generator.gauss(10, 3):.4f}" for _ in range(COLUMNS)]
                writer.writerow([f"c{index}-{row}", *values, generator.randint(0, 1)])
        written += (folder / f"part-{index:03d}.csv").stat().st_size
    return written


def series_csv(points: int, last: dt.date) -> bytes:
    """`points` monitoring points: sites x (rolling_sensitivity, input_psi) x days."""
    sites = min(SITES_MAX, max(1, points // 2000))
    days = max(1, points // (2 * sites))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["observed_at", "site", "metric", "value"])
    for site in range(sites):
        dip = (site * 37) % max(1, days - 30)
        for day in range(days):
            when = (last - dt.timedelta(days=days - 1 - day)).isoformat()
            low = dip <= day < dip + 14
            writer.writerow([when, f"site-{site:02d}", "rolling_sensitivity",
                             "0.880" if low else "0.950"])  # fmt: skip
            writer.writerow([when, f"site-{site:02d}", "input_psi", "0.05"])
    return out.getvalue().encode()


def timed(table: Table, step: str, work, figure=lambda _result, seconds: f"{seconds:.2f} s"):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = work()
    table.add_row(step, figure(result, time.perf_counter() - started))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--points", type=int, default=100_000)
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-ai-"))
    url = f"sqlite:///{folder / 'spine.db'}"
    spine = open_spine(url, settings=Settings(database_url=url, blob_dir=folder / "blobs"))
    table = Table(title="clinical AI evidence")
    table.add_column("step")
    table.add_column("figure")
    today = dt.date.today()
    summary = timed(
        table,
        "demo seed (train, run + rerun VR-1, gate, drift)",
        lambda: seed_demo(spine, today),
        lambda s, seconds: f"{seconds:.1f} s, {s.records} records, {s.links} links",
    )
    data = folder / "synthetic-dataset"
    size = timed(
        table,
        f"write {arguments.rows:,} rows in {arguments.files} CSV files",
        lambda: write_dataset(data, arguments.rows, arguments.files),
        lambda written, seconds: f"{written / 1e6:,.0f} MB in {seconds:.1f} s",
    )
    fields = {"title": "Synthetic bench dataset", "source": "benchmarks/bench_ai.py"}
    view = timed(
        table,
        "dataset register (manifest: SHA-256, rows, schema)",
        lambda: spine.datasets.register("mei", data, fields),
        lambda v, seconds: (
            f"[bold]{seconds:.2f} s[/]: {size / 1e6 / seconds:,.0f} MB/s, "
            f"{arguments.rows / seconds:,.0f} rows/s ({v.key})"
        ),
    )
    mei = spine.users.get("mei")
    timed(
        table,
        "dataset verify (re-hash against the manifest)",
        lambda: spine.datasets.verify(mei, view.key),
        lambda c, seconds: f"{seconds:.2f} s, matches={c.matches}",
    )
    keys = summary.keys
    rerun = timed(
        table,
        f"validation rerun {keys['vr1']} (fresh process)",
        lambda: spine.validation.rerun("mei", keys["vr1"]),
        lambda r, seconds: f"[bold]{seconds:.2f} s[/]: {r.verdict}",
    )
    assert rerun.verdict == "reproduced", rerun.differences
    timed(
        table,
        f"release gate of {keys['mv1']}",
        lambda: spine.models.gate(mei, keys["mv1"]),
        lambda g, seconds: f"{seconds * 1000:.0f} ms, {len(g.conditions)} conditions",
    )
    timed(
        table,
        f"PCCP check of {keys['mv2']}",
        lambda: spine.pccp.check(mei, keys["mv2"]),
        lambda p, seconds: f"{seconds * 1000:.0f} ms, within={p.within}",
    )
    series = series_csv(arguments.points, today - dt.timedelta(days=1))
    lines = series.count(b"\n") - 1
    report = timed(
        table,
        f"monitor ingest {lines:,} points",
        lambda: spine.monitoring.ingest("marco", keys["mv1"], "bench.csv", series),
        lambda r, seconds: (
            f"[bold]{seconds:.2f} s[/]: {lines / seconds:,.0f} points/s, "
            f"{len(r.signals_created)} signals, {len(r.capas_created)} CAPA candidates"
        ),
    )
    assert report.points_added == lines
    timed(
        table,
        "monitor ingest, same file again",
        lambda: spine.monitoring.ingest("marco", keys["mv1"], "bench.csv", series),
        lambda r, seconds: f"{seconds:.2f} s, {r.points_added} added",
    )
    console.print(table)
    console.print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite, {folder}"
    )


if __name__ == "__main__":
    main()
