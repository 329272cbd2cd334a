"""Vulnerability database benchmark through the service: import every advisory offline into a
SQLite spine, then match a 10,000-component release and write what it finds.

    .venv/bin/python -m benchmarks.bench_vulndb [--components 10000] [--data ../shared/data]

Imports the shared data's advisory databases (PyPA, Go vulndb, PSF) with
`spine.vulndb.import_advisories`, then again (nothing changed: the incremental path). Makes
a release containing N sbom_component records whose Package URLs are bench_vulns' synthetic
SBOM (packages the advisories name, at versions around their range bounds: the worst case),
and runs `spine.vulndb.match` on it. Prints the import times and the match's own timings:
reading the components and the advisories naming their packages from the database, building
the index, matching, and writing the vulnerabilities, links and component versions.
Target (issue 7): read + index + match < 3 s for 10,000 components on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.bench_vulns import FOLDERS, synthetic_purls
from qspine import NewLink, NewRecord, open_spine
from qspine.formats.osv import read_osv_tree
from qspine.model.vulnerability_match import AffectedPackage, affected_packages, package_of
from qspine.settings import Settings

console = Console()
PASSWORD = "benchmark password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=10_000)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="every component a different package version (bench_vulns' SBOM repeats some)",
    )
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-vulndb-"))
    url = f"sqlite:///{folder / 'spine.db'}"
    spine = open_spine(url, settings=Settings(database_url=url, blob_dir=folder / "blobs"))
    spine.users.add("bootstrap", "sam", "Sam Security", PASSWORD, ["admin"])
    table = Table(title=f"vulnerability database: {arguments.components:,} components")
    table.add_column("step")
    table.add_column("figure")
    started = time.perf_counter()
    records = 0
    for name in FOLDERS:
        records += spine.vulndb.import_advisories("sam", arguments.data / name).records
    table.add_row("import (new database)", f"{time.perf_counter() - started:.2f} s, {records:,}")
    started = time.perf_counter()
    for name in FOLDERS:
        spine.vulndb.import_advisories("sam", arguments.data / name)
    table.add_row("re-import (nothing changed)", f"{time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    release = build_release(spine, arguments.data, arguments.components, arguments.distinct)
    table.add_row("make the release (records, contains)", f"{time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    report = spine.vulndb.match("sam", release)
    total = time.perf_counter() - started
    timings = report.timings
    matching = timings["read"] + timings["index"] + timings["match"]
    table.add_row("read components and candidate advisories", f"{timings['read']:.2f} s")
    table.add_row("build the index", f"{timings['index']:.2f} s ({report.advisories:,} advisories)")
    table.add_row(
        "match",
        f"{timings['match']:.2f} s: {report.distinct:,} distinct package versions, "
        f"{len(report.matches):,} matches",
    )
    table.add_row("matching (read + index + match)", f"[bold]{matching:.2f} s[/] (target < 3 s)")
    table.add_row(
        "write",
        f"{timings['write']:.2f} s: {len(report.new_vulnerabilities):,} vulnerabilities, "
        f"{report.new_links:,} links, {len(report.components_revised):,} component versions",
    )
    table.add_row("match end to end", f"{total:.2f} s")
    started = time.perf_counter()
    again = spine.vulndb.match("sam", release)
    table.add_row(
        "re-match (nothing new)",
        f"{time.perf_counter() - started:.2f} s (matching "
        f"{sum(again.timings[k] for k in ('read', 'index', 'match')):.2f} s, "
        f"write {again.timings['write']:.2f} s)",
    )
    table.add_row(
        "machine",
        f"{platform.machine()}, {os.cpu_count() or 1} cores, Python {platform.python_version()}",
    )
    console.print(table)
    spine.close()


def build_release(spine: object, data: Path, count: int, distinct: bool) -> str:
    """A release containing `count` components named by bench_vulns' synthetic purls (all
    different when `distinct`)."""
    from qspine.spine import Spine

    assert isinstance(spine, Spine)
    entries: list[AffectedPackage] = []
    for name in FOLDERS:
        for file in read_osv_tree(data / name):
            entries += affected_packages(file.record.id, file.record.affected)
    items = []
    purls = synthetic_purls(entries, count)
    if distinct:
        purls = list(dict.fromkeys(synthetic_purls(entries, count * 8)))[:count]
    for purl in purls:
        package = package_of(purl)
        assert package is not None
        items.append(
            NewRecord(
                "sbom_component",
                {
                    "title": f"{package.name}@{package.version}",
                    "name": package.name,
                    "version": purl.rsplit("@", 1)[1],
                    "package": purl.rsplit("@", 1)[0],
                    "purl": purl,
                    "support_level": "unknown",
                },
            )
        )
    keys = spine.records.create_many("sam", items, "benchmark SBOM")
    release = spine.records.create(
        "sam",
        "release",
        {"title": "Bench 1", "version_label": "1", "product": "Bench", "security_owner": "sam"},
    ).key
    spine.links.link_many("sam", [NewLink("contains", release, key) for key in keys])
    return release


if __name__ == "__main__":
    main()
