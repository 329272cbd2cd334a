"""Vulnerability matching benchmark: a 10,000-component SBOM against every advisory offline.

    .venv/bin/python -m benchmarks.bench_vulns [--components 10000] [--data ../shared/data]

Reads every OSV record in the shared data's advisory databases (PyPA, Go vulndb, PSF), then
matches a synthetic SBOM whose components are all packages those advisories name (the worst
case: every component has candidates), at versions drawn around the advisories' own range
bounds so that matches, misses and fixed versions all occur. Prints reading, index and match
times. Target (issue 7): matching < 3 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qspine.formats.osv import read_osv_tree
from qspine.model.vulnerability_match import (
    AdvisoryIndex,
    AffectedPackage,
    affected_packages,
    package_of,
)

console = Console()
FOLDERS = ("osv-pypa-advisory-database", "osv-golang-vulndb", "osv-psf-advisory-database")
PURL_TYPE = {"PyPI": "pypi", "Go": "golang"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=10_000)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    arguments = parser.parse_args()
    started = time.perf_counter()
    entries: list[AffectedPackage] = []
    records = 0
    for folder in FOLDERS:
        for file in read_osv_tree(arguments.data / folder):
            records += 1
            entries += affected_packages(file.record.id, file.record.affected)
    read = time.perf_counter() - started
    started = time.perf_counter()
    index = AdvisoryIndex(entries)
    indexed = time.perf_counter() - started
    purls = synthetic_purls(entries, arguments.components)
    started = time.perf_counter()
    packages = [package_of(purl) for purl in purls]
    matches = [index.match(package) for package in packages if package is not None]
    matched = time.perf_counter() - started
    table = Table(title=f"vulnerability matching: {len(purls):,} components")
    table.add_column("step")
    table.add_column("figure")
    table.add_row("read advisories (files)", f"{read:.2f} s for {records:,} records")
    table.add_row("index affected packages", f"{indexed:.2f} s for {len(index):,} entries")
    table.add_row(
        "match the SBOM",
        f"{matched:.2f} s: {sum(map(bool, matches)):,} components affected, "
        f"{sum(map(len, matches)):,} matches",
    )
    table.add_row("unreadable advisory versions", f"{len(index.unparsed):,}")
    table.add_row(
        "machine",
        f"{platform.machine()}, {os.cpu_count() or 1} cores, Python {platform.python_version()}",
    )
    console.print(table)


def synthetic_purls(entries: list[AffectedPackage], count: int) -> list[str]:
    """`count` purls of packages the advisories name, at versions around their bounds."""
    chooser = random.Random(7)
    candidates = [entry for entry in entries if entry.ecosystem in PURL_TYPE]
    purls = []
    for _ in range(count):
        entry = chooser.choice(candidates)
        bounds = [value for _, events in entry.ranges for _, value in events if value != "0"]
        bounds += sorted(entry.versions)
        version = chooser.choice(bounds) if bounds else "1.0.0"
        version = chooser.choice([version, _bump(version), "0.0.1"])
        prefix = "v" if entry.ecosystem == "Go" else ""
        purls.append(f"pkg:{PURL_TYPE[entry.ecosystem]}/{entry.name}@{prefix}{version}")
    return purls


def _bump(version: str) -> str:
    """The version with its last numeric part one higher: just past a bound."""
    head, _, last = version.rpartition(".")
    return f"{head}.{int(last) + 1}" if head and last.isdigit() else version


if __name__ == "__main__":
    main()
