"""Readiness benchmark: every rule of the profile and its packs on a synthetic quality system.

    .venv/bin/python -m benchmarks.bench_rules --records 100000

Builds (or reuses) benchmarks/out/rules-N.db, the synthetic spine of benchmarks/synthetic.py
with `qms=True`: the design, risk and quality-event records of the other benchmarks plus
documents, roles and training, suppliers and SBOM, vulnerabilities, releases, audits,
management reviews and actions, most of them moved along their lifecycles (see
benchmarks/README.md). Then:
- times `spine.readiness.check(user, record_run=False)` end to end, `--repeat` times;
- times the same work piece by piece, as ReadinessService.check does it on one read
  connection: each declarative rule's query (rule_sql.run_rule), each Python rule's check on
  one shared SpineFacts (its reads are cached for the check, so the first rule to read a
  kind pays for reading it, as in a real check), and each of the four self-assessment
  measures.
Target: all rules on the 1,000,000-record synthetic spine in < 15 s on SQLite.
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.synthetic import build
from qspine import Settings, Spine, open_spine
from qspine.model.readiness import Measure
from qspine.services import readiness_measures, rule_sql
from qspine.services.facts import SpineFacts
from qspine.services.readiness import select_rules
from qspine.services.users import User
from qspine.store.blobs import BlobStore
from qspine.store.engine import read_connection

console = Console(width=None if sys.stdout.isatty() else 120)
PASSWORD = "benchmark-password"


@dataclass(frozen=True)
class Timed:
    rule: str
    engine: str
    every: str
    seconds: float
    checked: int
    findings: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="end-to-end checks to time")
    arguments = parser.parse_args()
    path = Path(f"benchmarks/out/rules-{arguments.records}.db")
    url = f"sqlite:///{path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=url, hash_time_cost=1, hash_memory_kib=1024)
    with open_spine(url, settings=settings) as spine:
        if spine.summary.summary().records == 0:
            _build(spine, arguments.records)
        summary = spine.summary.summary()
        user = spine.users.get("bench")
        load_before = os.getloadavg()
        runs = []
        for _ in range(max(1, arguments.repeat)):
            started = time.perf_counter()
            report = spine.readiness.check(user, record_run=False)
            runs.append(time.perf_counter() - started)
        pieces, measured = _pieces(spine, user)
        load_after = os.getloadavg()
    title = (
        f"readiness rules on {summary.records:,} records, {summary.links:,} links "
        f"({path}, {path.stat().st_size / 1e9:.2f} GB), slowest first"
    )
    grid = Table(title=title)
    for column in ("rule", "engine", "every", "seconds", "checked", "findings"):
        grid.add_column(
            column, justify="right" if column in ("seconds", "checked", "findings") else "left"
        )
    for piece in sorted(pieces, key=lambda p: p.seconds, reverse=True):
        grid.add_row(
            piece.rule,
            piece.engine,
            piece.every,
            f"{piece.seconds:.3f}",
            f"{piece.checked:,}",
            f"{piece.findings:,}",
        )
    console.print(grid)
    grid = Table(title="self-assessment measures")
    for column in ("measure", "seconds", "value", "detail"):
        grid.add_column(column)
    for measure, seconds in measured:
        value = "-" if measure.value is None else f"{measure.value} {measure.unit}"
        grid.add_row(measure.id, f"{seconds:.3f}", value, measure.detail)
    console.print(grid)
    declarative = sum(p.seconds for p in pieces if p.engine == "declarative")
    python = sum(p.seconds for p in pieces if p.engine == "python")
    measures = sum(seconds for _, seconds in measured)
    best = min(runs)
    grid = Table(title="totals", show_header=False)
    grid.add_column("what")
    grid.add_column("figure")
    grid.add_row(
        "spine.readiness.check (end to end)",
        " / ".join(f"{r:.2f}" for r in runs)
        + f" s; best {best:.2f} s"
        + (" (target < 15 s at 1M)" if arguments.records >= 1_000_000 else ""),
    )
    grid.add_row(
        "piece by piece",
        f"{len([p for p in pieces if p.engine == 'declarative'])} declarative rules "
        f"{declarative:.2f} s + {len([p for p in pieces if p.engine == 'python'])} Python "
        f"rules {python:.2f} s + 4 measures {measures:.2f} s = "
        f"{declarative + python + measures:.2f} s",
    )
    grid.add_row(
        "findings",
        f"{sum(len(r.findings) for r in report.results):,} open, "
        f"{len(report.suppressed):,} suppressed; score {report.score}",
    )
    grid.add_row("machine", _machine())
    grid.add_row(
        "load average (1 min) before / after", f"{load_before[0]:.2f} / {load_after[0]:.2f}"
    )
    console.print(grid)


def _build(spine: Spine, records: int) -> None:
    spine.users.add("bootstrap", "bench", "Benchmark Runner", PASSWORD, ["admin"])
    spine.users.add("bench", "approver", "Bench Approver", PASSWORD, ["qa_ra_lead"])
    done: collections.Counter[str] = collections.Counter()
    started = time.perf_counter()
    with console.status(f"building {records:,} records…") as status:

        def progress(phase: str, count: int) -> None:
            done[phase] += count
            counts = ", ".join(f"{v:,} {k}" for k, v in done.items())
            status.update(f"building {records:,} records: {counts}")

        build(spine, records, progress=progress, qms=True, signer="approver")
    counts = ", ".join(f"{v:,} {k}" for k, v in done.items())
    console.print(f"built in {time.perf_counter() - started:.0f} s: {counts}")


def _pieces(spine: Spine, user: User) -> tuple[list[Timed], list[tuple[Measure, float]]]:
    """What ReadinessService.check runs, on one read connection, each piece timed."""
    context = spine.context
    profile = context.profile
    today = context.clock().date()
    declarative, python = select_rules(profile, spine.readiness.packs)
    timed: list[Timed] = []
    with read_connection(context.engine) as connection:
        facts = SpineFacts(connection, profile, BlobStore(context.blob_dir), today, None)
        for rule_id, spec in declarative.items():
            started = time.perf_counter()
            result = rule_sql.run_rule(connection, profile, rule_id, spec, None, today)
            seconds = time.perf_counter() - started
            timed.append(
                Timed(
                    rule_id,
                    "declarative",
                    spec.every,
                    seconds,
                    result.checked,
                    len(result.findings),
                )
            )
        for rule in python:
            started = time.perf_counter()
            checked, findings = rule.check(facts)
            found = len(list(findings))
            seconds = time.perf_counter() - started
            timed.append(Timed(rule.info.id, "python", rule.info.every, seconds, checked, found))
        measured = _measures(facts, lambda key: spine.signals.follow(user, key, None))
    return timed, measured


def _measures(facts: SpineFacts, retrieve: Callable[[str], object]) -> list[tuple[Measure, float]]:
    """The four measures of readiness_measures.measures, one at a time."""
    takes: list[Callable[[], Measure]] = [
        lambda: readiness_measures.retrieval(facts, retrieve),
        lambda: readiness_measures.linked_share(facts),
        lambda: readiness_measures.actions_on_time(facts),
        lambda: readiness_measures.impacts_shown(facts),
    ]
    found = []
    for take in takes:
        started = time.perf_counter()
        measure = take()
        found.append((measure, time.perf_counter() - started))
    return found


def _machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


if __name__ == "__main__":
    main()
