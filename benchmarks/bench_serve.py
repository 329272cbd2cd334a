"""Load benchmark: 20 concurrent clients reading record pages and API record GETs.

    .venv/bin/python -m benchmarks.bench_serve --records 100000 --requests 4000

Builds (once, then reuses) a spine holding the CytoAssist demo plus N synthetic records,
starts `qspine serve` in its own process on 127.0.0.1, and drives it with wrk (Debian's C load
generator, one thread, so the server keeps a core) or, where wrk is absent, with httpx from
this process. Bounded in time; loopback only. Prints p50/p95/p99 latency and requests/s for
web record pages, API record GETs, and both mixed. Target (issue 3): p95 < 100 ms on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
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
    parser.add_argument("--httpx", action="store_true", help="drive with httpx even if wrk exists")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    arguments = parser.parse_args()
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    prepare(arguments.db, arguments.records)
    token, session, keys = credentials(arguments.db)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qspine",
            "--db",
            arguments.db,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(arguments.workers),
        ],
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
        if shutil.which("wrk") and not arguments.httpx:
            wrk_report(base, token, session, keys, arguments)
            return
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
        f"{platform.python_version()}, server: {arguments.workers} uvicorn worker(s)"
    )


WRK_SCRIPT = """
local keys = {%s}
local mode = "%s"
local token = "%s"
local cookie = "%s"
local n = 0
request = function()
  n = n + 1
  local key = keys[math.random(#keys)]
  local web = (mode == "web") or (mode == "mixed" and n %% 2 == 0)
  if web then
    return wrk.format("GET", "/records/" .. key, {["Cookie"] = "qspine_session=" .. cookie})
  end
  return wrk.format("GET", "/api/v1/records/" .. key, {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  io.write(string.format('{"p50": %%d, "p95": %%d, "p99": %%d, "requests": %%d, '
    .. '"seconds": %%f, "errors": %%d, "non2xx": %%d}\\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status))
end
"""


def wrk_report(
    base: str, token: str, session: str, keys: list[str], arguments: argparse.Namespace
) -> None:
    grid = Table(
        title=f"wrk: {arguments.clients} connections, {arguments.seconds:.0f} s each "
        f"— {arguments.db} ({arguments.records:,} synthetic records + demo)"
    )
    for column in ("requests", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"):
        grid.add_column(column, justify="right")
    quoted = ",".join(f'"{k}"' for k in keys)
    for mode, label in (
        ("web", "web record page"),
        ("api", "api record GET"),
        ("mixed", "both, mixed"),
    ):
        script = Path("benchmarks/out/wrk.lua")
        script.write_text(WRK_SCRIPT % (quoted, mode, token, session))
        done = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{arguments.clients}",
                f"-d{arguments.seconds:.0f}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        grid.add_row(
            label,
            f"{result['requests']:,}",
            f"{result['requests'] / result['seconds']:,.0f}",
            f"{result['p50'] / 1000:.1f}",
            f"{result['p95'] / 1000:.1f}",
            f"{result['p99'] / 1000:.1f}",
            str(result["errors"] + result["non2xx"]),
        )
    console.print(grid)
    console.print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; server: {arguments.workers} uvicorn worker(s); "
        "client: wrk, 1 thread"
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
