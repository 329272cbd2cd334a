"""Doorstop and StrictDoc next to QSpine's matrix export, on the same requirement set.

    .venv/bin/python -m benchmarks.bench_tools --sizes 1000,10000,50000

N is the size of the synthetic spine (benchmarks/synthetic.py): N records in all (2% user
needs, 20% requirements, 20% test cases, 30% test results, the rest risk, CAPA and change
records), built once per N into benchmarks/out/tools-N.db and reused. Its user needs,
requirements (with the needs and requirements they derive from) and test cases (with the
requirements they verify) are read back through the service layer and written as a Doorstop
tree and as StrictDoc documents (benchmarks/tool_exports.py), so each tool gets the same data.

Doorstop 3.2 and StrictDoc 0.30.4 are not project dependencies: each runs from its own venv,
made on first use under benchmarks/out/tools/<tool>-venv. Every tool step is timed around its
process (interpreter start included; a `--version` run shows that start-up alone):

- Doorstop: `doorstop` (load the tree, then validate it) and `doorstop publish all DIR` (HTML),
  both through Doorstop's own CLI in a small wrapper that also times Tree.load, Tree.validate
  and publisher.publish inside the process;
- StrictDoc: `strictdoc export DIR --formats html` with a cold cache (its own parse and export
  step times are read from its output);
- QSpine: the requirement_verification matrix (requirement -> test case -> test result), built
  and exported in-process (build, CSV, XLSX, and HTML when matrix_export has `to_html`), and
  the same through the `qspine matrix` CLI in its own process (gaps-only CSV, XLSX, and HTML
  when the CLI offers it; the tools' whole runs are set against HTML if it does, else XLSX).
  The matrix build computes the coverage gaps: QSpine's counterpart of Doorstop's validation.

Ratios are tool seconds / QSpine seconds; `--repeat K` keeps the best of K runs of each
process (the in-process QSpine steps run once). QSpine's matrix also carries the test results,
which the tools do not get.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.synthetic import build
from benchmarks.tool_exports import Item, write_doorstop, write_sdoc
from qspine import Settings, Spine, open_spine
from qspine.cli import matrix as matrix_cli
from qspine.model.records import RecordSummary
from qspine.reports import matrix_export

console = Console(width=max(160, shutil.get_terminal_size().columns))
OUT = Path("benchmarks/out")
TOOLS = OUT / "tools"
PINS = {"doorstop": "doorstop==3.2", "strictdoc": "strictdoc==0.30.4"}
MATRIX = "requirement_verification"
PAGE = 10_000
KINDS = ("user_need", "requirement", "test_case")
HELP = "qspine --help"
GAPS = "qspine matrix --gaps-only -f csv"
DOORSTOP_WRAPPER = '''\
"""Doorstop's CLI as is, timing Tree.load, Tree.validate and publisher.publish inside it."""
import json, sys, time
from doorstop.cli import main as cli
from doorstop.core import publisher
from doorstop.core.tree import Tree

spent = {}


def timed(name, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
    return wrapper


Tree.load = timed("load", Tree.load)
Tree.validate = timed("validate", Tree.validate)
publisher.publish = timed("publish", publisher.publish)
code = 0
try:
    cli.main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else 1
print("TIMINGS " + json.dumps(spent), file=sys.stderr, flush=True)
sys.exit(code)
'''


@dataclass
class Run:
    """One timed process: wall seconds (None if it failed or timed out) and what it said."""

    label: str
    seconds: float | None
    status: str
    log: Path
    inner: dict[str, float] = field(default_factory=dict)
    warnings: Counter[str] = field(default_factory=Counter)
    output_bytes: int | None = None
    timed_out_after: float | None = None

    def figure(self) -> str:
        return f"{self.seconds:.2f}" if self.seconds is not None else self.status


@dataclass
class Row:
    tool: str
    step: str
    seconds: float | None
    shown: str
    counterpart: str = ""
    counterpart_seconds: float | None = None
    note: str = ""
    at_least: float | None = None  # a process that timed out took at least this long


@dataclass
class DataSet:
    needs: list[Item]
    requirements: list[Item]
    tests: list[Item]

    def describe(self) -> str:
        links = sum(len(i.parents) for i in (*self.requirements, *self.tests))
        return (
            f"{len(self.needs):,} user needs, {len(self.requirements):,} requirements, "
            f"{len(self.tests):,} test cases, {links:,} parent links"
        )


# -- the tools' venvs and processes -----------------------------------------------------------


def tool_bin(tool: str) -> Path:
    """The venv's bin folder for `tool`, made and installed with its pinned version if need be."""
    venv = TOOLS / f"{tool}-venv"
    executable = venv / "bin" / tool
    if not executable.exists():
        with console.status(f"installing {PINS[tool]} into {venv}…"):
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", PINS[tool]],
                check=True,
            )
    return (venv / "bin").absolute()


def timed_process(
    label: str, argv: Sequence[str], log: Path, timeout: float, cwd: Path | None = None
) -> Run:
    """Run argv in its own process group, output to `log`; kill the group on timeout."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv), cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return Run(
                label, None, f"timed out after {timeout:.0f} s", log, timed_out_after=timeout
            )
        seconds = time.perf_counter() - started
    if code != 0:
        return Run(label, None, f"failed (exit {code}, see {log})", log)
    return Run(label, seconds, "ok", log)


def best_of(repeat: int, once: Callable[[], Run]) -> Run:
    """The fastest of `repeat` runs; the first failure or time-out ends the series."""
    runs: list[Run] = []
    for _ in range(repeat):
        runs.append(once())
        if runs[-1].seconds is None:
            return runs[-1]
    return min(runs, key=lambda run: run.seconds or 0.0)


def step(
    repeat: int,
    label: str,
    argv: Sequence[str],
    log: Path,
    timeout: float,
    cwd: Path | None = None,
    before: Callable[[], None] = lambda: None,
    read: Callable[[Run], None] = lambda run: None,
) -> Run:
    """Best of `repeat` timed runs of argv: `before` each (untimed), `read` its log after."""

    def once() -> Run:
        before()
        run = timed_process(label, argv, log, timeout, cwd)
        read(run)
        return run

    return best_of(repeat, once)


def doorstop_runs(bin_dir: Path, tree: Path, work: Path, timeout: float, repeat: int) -> list[Run]:
    """`doorstop --version`, `doorstop` (load + validate) and `doorstop publish all` (HTML)."""
    wrapper = TOOLS / "doorstop_timed.py"
    wrapper.write_text(DOORSTOP_WRAPPER, encoding="utf-8")
    python = str(bin_dir / "python")
    command = [python, str(wrapper.resolve()), "--project", str(tree.resolve())]
    html = (work / "doorstop-html").resolve()
    logs = work / "logs"

    runs = [
        step(
            repeat,
            "version",
            [str(bin_dir / "doorstop"), "--version"],
            logs / "doorstop-version.log",
            timeout,
        ),
        step(
            repeat,
            "validate",
            command,
            logs / "doorstop-validate.log",
            timeout,
            cwd=tree,
            read=_read_doorstop_log,
        ),
        step(
            repeat,
            "publish",
            [*command, "publish", "all", str(html)],
            logs / "doorstop-publish.log",
            timeout,
            cwd=tree,
            before=lambda: shutil.rmtree(html, ignore_errors=True),
            read=_reading(_read_doorstop_log, html),
        ),
    ]
    return runs


def _reading(read: Callable[[Run], None], output: Path) -> Callable[[Run], None]:
    """`read` the run's log, then note the size of what it wrote under `output`."""

    def both(run: Run) -> None:
        read(run)
        if run.seconds is not None:
            run.output_bytes = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())

    return both


def _read_doorstop_log(run: Run) -> None:
    """Timings the wrapper printed, and the warnings Doorstop logged, by kind."""
    for line in run.log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("TIMINGS "):
            run.inner = json.loads(line.removeprefix("TIMINGS "))
        elif line.startswith(("WARNING:", "ERROR:")):
            run.warnings[re.sub(r"[A-Z]+-\d+", "<uid>", line)] += 1


def strictdoc_runs(bin_dir: Path, sdoc: Path, work: Path, timeout: float, repeat: int) -> list[Run]:
    """`strictdoc --version` and `strictdoc export --formats html` into a fresh folder.

    The output folder holds StrictDoc's parse cache too: removing it makes each run cold.
    """
    output = (work / "strictdoc-out").resolve()
    logs = work / "logs"
    strictdoc = str(bin_dir / "strictdoc")

    argv = [
        strictdoc,
        "export",
        str(sdoc.resolve()),
        "--formats",
        "html",
        "--output-dir",
        str(output),
    ]
    runs = [
        step(repeat, "version", [strictdoc, "--version"], logs / "strictdoc-version.log", timeout),
        step(
            repeat,
            "export",
            argv,
            logs / "strictdoc-export.log",
            timeout,
            cwd=work,
            before=lambda: shutil.rmtree(output, ignore_errors=True),
            read=_reading(_read_strictdoc_log, output / "html"),
        ),
    ]
    return runs


def _read_strictdoc_log(run: Run) -> None:
    """StrictDoc's own step times ("Step 'Export SDoc' took: 1.02 sec.") and its warnings."""
    text = run.log.read_text(encoding="utf-8", errors="replace")
    for name, seconds in re.findall(r"Step '([^']+)' took: ([\d.]+) sec", text):
        run.inner[name] = float(seconds)
    for line in text.splitlines():
        if re.match(r"(warning|error)\b", line, re.IGNORECASE):
            run.warnings[re.sub(r"[A-Z]+-\d+", "<uid>", line)] += 1


def qspine_cli_runs(url: str, work: Path, timeout: float, repeat: int) -> dict[str, Run]:
    """The `qspine matrix` CLI in its own process: start-up, gaps-only CSV, XLSX (and HTML)."""
    logs = work / "logs"
    qspine = [sys.executable, "-m", "qspine"]
    base = [*qspine, "--db", url, "--user", "bench", "matrix", MATRIX]
    commands = {
        HELP: [*qspine, "--help"],
        GAPS: [*base, "--gaps-only", "-f", "csv", "-o", str(work / "qspine-gaps.csv")],
    }
    for name in ("xlsx", "html"):
        if name in getattr(matrix_cli, "FORMATS", ()):
            output = str(work / f"qspine-cli.{name}")
            commands[f"qspine matrix -f {name}"] = [*base, "-f", name, "-o", output]
    return {
        label: step(repeat, label, argv, logs / f"{label.replace(' ', '_')}.log", timeout)
        for label, argv in commands.items()
    }


# -- QSpine: the spine, its data, its in-process matrix ---------------------------------------


def ensure_spine(spine: Spine, n: int) -> None:
    if spine.summary.summary().records == 0:
        spine.users.add("bootstrap", "bench", "Benchmark Runner", "benchmark-password", ["admin"])
        with console.status(f"building a synthetic spine of {n:,} records…"):
            build(spine, n)


def list_all(spine: Spine, kind: str) -> list[RecordSummary]:
    """Every record of `kind`, oldest first (the service lists newest first, in pages)."""
    summaries: list[RecordSummary] = []
    while True:
        total, page = spine.records.list(kind=kind, limit=PAGE, offset=len(summaries))
        summaries += page
        if not page or len(summaries) >= total:
            return summaries[::-1]


def read_items(
    spine: Spine, keys: Sequence[str], text_field: str, up: dict[str, set[str]]
) -> list[Item]:
    """The records, each with its text field and its links of type t to the keys in up[t]."""
    items = []
    for key in keys:
        view = spine.records.show(key)
        parents = tuple(
            link.target
            for link in view.links_out
            if link.removed_at is None and link.target in up.get(link.type, set())
        )
        text = str(view.version.fields.get(text_field, ""))
        items.append(Item(view.key, view.title, text, parents))
    return items


def read_data(spine: Spine) -> DataSet:
    """User needs; requirements and what they derive from; test cases and what they verify."""
    keys = {kind: [s.key for s in list_all(spine, kind)] for kind in KINDS}
    needs, requirements = set(keys["user_need"]), set(keys["requirement"])
    return DataSet(
        read_items(spine, keys["user_need"], "statement", {}),
        read_items(spine, keys["requirement"], "statement", {"derives_from": needs | requirements}),
        read_items(spine, keys["test_case"], "procedure", {"verifies": requirements}),
    )


def qspine_in_process(spine: Spine, work: Path) -> tuple[dict[str, float], str]:
    """Matrix build (gaps included), then each export the module has; (seconds, summary)."""
    reader = spine.users.get("bench")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    matrix = spine.matrices.build(reader, MATRIX)
    gaps = matrix.gaps
    seconds["build"] = time.perf_counter() - started
    exports: dict[str, Callable[[], str | bytes]] = {
        "csv": lambda: matrix_export.to_csv(matrix),
        "xlsx": lambda: matrix_export.to_xlsx(matrix),
    }
    to_html = getattr(matrix_export, "to_html", None)
    if to_html is not None:
        exports["html"] = lambda: to_html(matrix)
    sizes = []
    for name, export in exports.items():
        started = time.perf_counter()
        content = export()
        seconds[name] = time.perf_counter() - started
        data = content.encode("utf-8") if isinstance(content, str) else content
        (work / f"qspine-matrix.{name}").write_bytes(data)
        sizes.append(f"{name} {len(data) / 1e6:.1f} MB")
    untested = sum(1 for row in matrix.rows if row.cells[0] is not None and row.cells[1] is None)
    return seconds, (
        f"{len(matrix.rows):,} rows, {gaps:,} with gaps ({untested:,} requirements without a "
        f"test case); {', '.join(sizes)}"
    )


# -- one size, and its table ------------------------------------------------------------------


@dataclass
class Measured:
    """Everything measured at one N."""

    n: int
    records: int
    data: DataSet
    setup: list[str]
    qspine: dict[str, float]
    matrix: str
    cli: dict[str, Run]
    doorstop: list[Run]
    strictdoc: list[Run]


def measure(n: int, arguments: argparse.Namespace) -> Measured:
    """Build or reuse the N spine, hand its data to each tool, time everything."""
    url = f"sqlite:///{OUT}/tools-{n}.db"
    work = TOOLS / f"n-{n}"
    work.mkdir(parents=True, exist_ok=True)
    setup = []
    with open_spine(url, settings=Settings(database_url=url)) as spine:
        ensure_spine(spine, n)
        records = spine.summary.summary().records
        with console.status("reading needs, requirements and tests back…"):
            started = time.perf_counter()
            data = read_data(spine)
            setup.append(f"read back through the service layer in {_since(started)}")
        with console.status("QSpine matrix, in-process…"):
            qspine, matrix = qspine_in_process(spine, work)
    setup += write_inputs(data, work)
    skipped = set(arguments.skip_tools.split(",")) if arguments.skip_tools else set()
    timeout, repeat = arguments.timeout, arguments.repeat
    with console.status("QSpine CLI…"):
        cli = qspine_cli_runs(url, work, timeout, repeat)
    doorstop: list[Run] = []
    if "doorstop" not in skipped:
        with console.status("Doorstop: load + validate, then publish…"):
            doorstop = doorstop_runs(
                tool_bin("doorstop"), work / "doorstop-tree", work, timeout, repeat
            )
    strictdoc: list[Run] = []
    if "strictdoc" not in skipped:
        with console.status("StrictDoc: HTML export…"):
            strictdoc = strictdoc_runs(tool_bin("strictdoc"), work / "sdoc", work, timeout, repeat)
    return Measured(n, records, data, setup, qspine, matrix, cli, doorstop, strictdoc)


def write_inputs(data: DataSet, work: Path) -> list[str]:
    """Fresh Doorstop tree and StrictDoc folder for this N; what was written, how fast."""
    lines = []
    for name, writer in (("Doorstop tree", write_doorstop), ("StrictDoc documents", write_sdoc)):
        folder = work / ("doorstop-tree" if writer is write_doorstop else "sdoc")
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        files = writer(folder, data.needs, data.requirements, data.tests)
        lines.append(f"wrote the {name} ({files:,} files, {folder}) in {_since(started)}")
    return lines


def rows_of(measured: Measured) -> list[Row]:
    """The table: each tool step next to its QSpine counterpart."""
    seconds = measured.qspine
    export = "html" if "html" in seconds else "xlsx"
    cli = measured.cli
    startup, gaps = cli[HELP], cli[GAPS]
    filed = "qspine matrix -f html" if "qspine matrix -f html" in cli else "qspine matrix -f xlsx"
    rows: list[Row] = []
    if measured.doorstop:
        version, validate, publish = measured.doorstop
        rows += [
            _row("Doorstop", "start-up: doorstop --version", version, "qspine --help", startup),
            _inner("Doorstop", "load tree (Tree.load)", validate, "load", None, None),
            _inner(
                "Doorstop",
                "validate (Tree.validate)",
                validate,
                "validate",
                "matrix build + gaps (in-process)",
                seconds["build"],
            ),
            _row(
                "Doorstop",
                "doorstop: load + validate, process",
                validate,
                f"{GAPS}, process",
                gaps,
            ),
            _inner(
                "Doorstop",
                "publish HTML (publisher.publish)",
                publish,
                "publish",
                f"{export.upper()} export (in-process)",
                seconds[export],
            ),
            _row(
                "Doorstop",
                "doorstop publish all: load + HTML, process",
                publish,
                f"{filed}, process",
                cli[filed],
            ),
        ]
    if measured.strictdoc:
        version, run = measured.strictdoc
        rows += [
            _row("StrictDoc", "start-up: strictdoc --version", version, "qspine --help", startup),
            _inner(
                "StrictDoc",
                "parse + traceability graph",
                run,
                "Parse SDoc project tree",
                "matrix build + gaps (in-process)",
                seconds["build"],
            ),
            _inner(
                "StrictDoc",
                "HTML export",
                run,
                "Export SDoc",
                f"{export.upper()} export (in-process)",
                seconds[export],
            ),
            _row(
                "StrictDoc",
                "strictdoc export --formats html, process",
                run,
                f"{filed}, process",
                cli[filed],
            ),
        ]
    rows.append(
        Row(
            "QSpine",
            "matrix build + gaps (in-process)",
            seconds["build"],
            f"{seconds['build']:.2f}",
            note=measured.matrix,
        )
    )
    for name in ("csv", "xlsx", "html"):
        if name in seconds:
            rows.append(
                Row(
                    "QSpine",
                    f"{name.upper()} export (in-process)",
                    seconds[name],
                    f"{seconds[name]:.2f}",
                )
            )
    for label, run in cli.items():
        rows.append(Row("QSpine", f"{label}, process", run.seconds, run.figure()))
    return rows


def _row(tool: str, step: str, run: Run, counterpart: str, other: Run) -> Row:
    return Row(
        tool,
        step,
        run.seconds,
        run.figure(),
        counterpart,
        other.seconds,
        _note(run),
        run.timed_out_after,
    )


def _inner(
    tool: str, step: str, run: Run, key: str, counterpart: str | None, other: float | None
) -> Row:
    """A step timed inside the tool's process (missing if the process failed)."""
    value = run.inner.get(key)
    shown = f"{value:.2f}" if value is not None else run.status if run.seconds is None else "—"
    return Row(tool, step, value, shown, counterpart or "", other)


def _note(run: Run) -> str:
    if run.label in ("version", HELP):
        return ""
    size = f"wrote {run.output_bytes / 1e6:,.1f} MB; " if run.output_bytes is not None else ""
    if not run.warnings:
        return f"{size}no warnings" if run.seconds is not None else ""
    total = sum(run.warnings.values())
    top = "; ".join(f"{count} x {line}" for line, count in run.warnings.most_common(2))
    return f"{size}{total:,} warnings/errors: {top}"


def table_of(measured: Measured, machine: str) -> Table:
    grid = Table(
        title=f"N = {measured.n:,} (synthetic spine of {measured.records:,} records): "
        f"tools get {measured.data.describe()}",
        caption=machine,
    )
    for name in ("tool", "step", "s", "QSpine counterpart", "QSpine s", "tool / QSpine", "note"):
        grid.add_column(name, justify="right" if name in ("s", "QSpine s") else "left")
    for row in rows_of(measured):
        other = f"{row.counterpart_seconds:.2f}" if row.counterpart_seconds is not None else ""
        grid.add_row(row.tool, row.step, row.shown, row.counterpart, other, _ratio(row), row.note)
    return grid


def _ratio(row: Row) -> str:
    if not row.counterpart_seconds:
        return ""
    if row.seconds is None:
        return f"> {row.at_least / row.counterpart_seconds:,.1f}x" if row.at_least else ""
    return f"{row.seconds / row.counterpart_seconds:,.1f}x"


def machine_line() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python "
        f"{platform.python_version()}, SQLite; load average {load}; "
        f"{PINS['doorstop']}, {PINS['strictdoc']}"
    )


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="synthetic spine sizes N")
    parser.add_argument(
        "--skip-tools",
        nargs="?",
        const="doorstop,strictdoc",
        default="",
        help="skip doorstop, strictdoc or (no value) both: QSpine side only",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per tool process")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs a step")
    arguments = parser.parse_args()
    TOOLS.mkdir(parents=True, exist_ok=True)
    console.print(f"machine: {machine_line()}")
    for n in (int(size) for size in arguments.sizes.split(",")):
        measured = measure(n, arguments)
        for line in measured.setup:
            console.print(f"  {line}")
        console.print(table_of(measured, machine_line()))
        console.print(
            "  Doorstop's validation is paired with the matrix build, which computes the "
            "coverage gaps; its run rewrites each item file (Doorstop's default reformat)."
        )


if __name__ == "__main__":
    main()
