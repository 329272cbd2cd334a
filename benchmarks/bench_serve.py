"""Load benchmark: 20 concurrent clients reading record pages and API record GETs.

    .venv/bin/python -m benchmarks.bench_serve --records 100000 --requests 4000

Builds (once, then reuses) a spine holding the CytoAssist demo plus N synthetic records,
starts `qspine serve` in its own process on 127.0.0.1, and drives it from this process with
httpx (bounded request count and time; loopback only). Prints p50/p95/p99 latency and
requests/s per kind of request. Target (issue 3): p95 < 100 ms on SQLite, 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from benchmarks.synthetic import build
from qspine import Settings, open_spine
from qspine.demo import DEMO_PASSWORD, seed_demo

console = Console()


def prepare(url: str, records: int) -> None:
    """Demo + synthetic records, built once into `url` (reused when already there)."""
    settings = Settings(database_url=url)
    with open_spine(url, settings=settings) as spine:
        if spine.summary.summary().records >= records:
            return
        with console.status("seeding the demo…"):
            seed_demo(spine)
        spine.users.add("admin", "bench", "Benchmark Runner", "benchmark-password", ["admin"])
        with console.status(f"adding {records:,} synthetic records…"):
            build(spine, records)


def credentials(url: str) -> tuple[str, str, list[str]]:
    """A bearer token, a web session cookie, and the keys to read."""
    with open_spine(url, settings=Settings(database_url=url)) as spine:
        token, _ = spine.access.create_token("lena", "load benchmark", 1)
        session, _ = spine.access.login("lena", DEMO_PASSWORD)
        keys: list[str] = []
        for kind in ("requirement", "test_case", "risk_control", "test_result", "hazard"):
            keys += [r.key for r in spine.records.list(kind=kind, limit=400)[1]]
    return token, session, keys


async def drive(
    base: str, token: str, session: str, keys: list[str], total: int, clients: int, seconds: float
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"web record page": [], "api record GET": []}
    errors: list[str] = []
    budget = iter(range(total))
    deadline = time.perf_counter() + seconds
    rng = random.Random(3)

    async def client(number: int) -> None:
        async with httpx.AsyncClient(
            base_url=base,
            timeout=30,
            cookies={"qspine_session": session},
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            for _ in budget:
                if time.perf_counter() > deadline:
                    return
                key = rng.choice(keys)
                kind = "web record page" if number % 2 == 0 else "api record GET"
                path = f"/records/{key}" if kind.startswith("web") else f"/api/v1/records/{key}"
                started = time.perf_counter()
                response = await http.get(path)
                timings[kind].append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors.append(f"{path}: {response.status_code}")

    await asyncio.gather(*(client(n) for n in range(clients)))
    if errors:
        console.print(f"[red]{len(errors)} errors[/red], e.g. {errors[:3]}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--db", default="sqlite:///benchmarks/out/serve.db")
    arguments = parser.parse_args()
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    prepare(arguments.db, arguments.records)
    token, session, keys = credentials(arguments.db)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "qspine", "--db", arguments.db, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/api/v1/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        asyncio.run(drive(base, token, session, keys[:50], 200, 4, 30))  # warm-up
        started = time.perf_counter()
        timings = asyncio.run(
            drive(
                base, token, session, keys, arguments.requests, arguments.clients, arguments.seconds
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    grid = Table(
        title=f"{arguments.clients} concurrent clients — {arguments.db} "
        f"({arguments.records:,} synthetic records + demo)"
    )
    for column in ("requests", "count", "p50 ms", "p95 ms", "p99 ms"):
        grid.add_column(column, justify="right")
    everything: list[float] = []
    for kind, values in timings.items():
        everything += values
        grid.add_row(kind, *_row(values))
    grid.add_row("all", *_row(everything))
    console.print(grid)
    console.print(
        f"{len(everything) / elapsed:,.0f} requests/s over {elapsed:.1f} s · "
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, server: one uvicorn worker"
    )


def _row(values: list[float]) -> list[str]:
    if not values:
        return ["0", "-", "-", "-"]
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100)
    return [
        f"{len(values):,}",
        f"{cut[49] * 1000:.1f}",
        f"{cut[94] * 1000:.1f}",
        f"{cut[98] * 1000:.1f}",
    ]


if __name__ == "__main__":
    main()
