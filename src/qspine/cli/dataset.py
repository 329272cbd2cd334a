"""`qspine dataset …`: register a dataset from its files, verify it, follow its lineage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, print_json, progress, short, table
from qspine.cli.records import SET_HELP, parse_assignments, show_record
from qspine.formats.dataset_manifest import OnFile, dataset_files
from qspine.model.errors import QSpineError
from qspine.services.datasets import Lineage, Related

app = typer.Typer(
    help="Datasets: register files under a manifest, verify them, follow lineage both ways.",
    no_args_is_help=True,
)


@app.command()
def register(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The dataset's file or folder"),
    title: str = typer.Option(..., "--title", help="Dataset name and version"),
    source: str = typer.Option(..., "--source", help="Where the data came from"),
    purpose: str | None = typer.Option(None, "--purpose", help="training, test, tuning, ..."),
    license: str | None = typer.Option(None, "--license", help="Licence or data-use agreement"),
    derived_from: list[str] = typer.Option(
        [], "--derived-from", help="Dataset this one is derived from (repeatable)"
    ),
    transformation: str | None = typer.Option(
        None, "--transformation", help="How it was derived (needed with --derived-from)"
    ),
    split: str | None = typer.Option(None, "--split", help="How the split was drawn"),
    set_: list[str] = typer.Option([], "--set", "-s", help=SET_HELP),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Hash every file (SHA-256, rows and columns of CSV/TSV/JSON lines), store the manifest
    and record the dataset with its lineage in one transaction."""
    opts = options(ctx)
    spine = opts.spine()
    fields: dict[str, Any] = parse_assignments(spine.profile, "dataset", "new dataset", set_)
    given = {
        "title": title,
        "source": source,
        "purpose": purpose,
        "license": license,
        "transformation": transformation,
        "split": split,
    }
    fields.update({name: value for name, value in given.items() if value is not None})
    with _hashing(path) as on_file:
        view = spine.datasets.register(opts.actor(), path, fields, derived_from, on_file)
    if json:
        print_json(view)
        return
    fields = view.version.fields
    console.print(
        f"registered {view.key} {escape(view.title)}: {fields['file_count']} file(s), "
        f"{fields.get('row_count', 'no')} row(s), manifest {fields['manifest_sha256']}"
    )


@app.command()
def verify(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Dataset key, e.g. DS-3"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Hash the files at the dataset's location again and compare them with its manifest;
    exit 1 when they differ."""
    opts = options(ctx)
    spine = opts.spine()
    user = spine.users.get(opts.actor())
    location = spine.records.show(key).version.fields.get("location")
    with _hashing(Path(str(location)) if location else None) as on_file:
        check = spine.datasets.verify(user, key, on_file)
    if json:
        print_json(check)
    elif check.matches:
        console.print(
            f"{key} v{check.version}: the files at {escape(check.location)} match manifest "
            f"{check.manifest_sha256}"
        )
    else:
        console.print(f"{key} v{check.version}: {len(check.differences)} difference(s)")
        for line in check.differences:
            console.print(f"  {line}", markup=False)
    if not check.matches:
        raise typer.Exit(1)


@app.command()
def lineage(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Dataset key"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """What the dataset derives from, what derives from it, and the models and validation
    runs that used it."""
    opts = options(ctx)
    spine = opts.spine()
    found = spine.datasets.lineage(spine.users.get(opts.actor()), key)
    if json:
        print_json(found)
        return
    _print_lineage(found)


@app.command()
def show(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Dataset key"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """The dataset record and the files of its manifest."""
    opts = options(ctx)
    spine = opts.spine()
    manifest = spine.datasets.manifest(spine.users.get(opts.actor()), key)
    view = spine.records.show(key)
    if json:
        print_json({"record": view, "manifest": manifest.to_json(), "digest": manifest.digest})
        return
    show_record(view, False)
    table(
        f"manifest {manifest.digest}: {len(manifest.files)} file(s), {manifest.rows} row(s)",
        ["file", "sha256 (first 16; --json for all)", "bytes", "rows", "columns"],
        [
            (
                escape(f.path),
                f.sha256[:16],
                f.size,
                "" if f.rows is None else f.rows,
                escape(short(", ".join(f"{c.name} ({c.type})" for c in f.columns or ()), 60)),
            )
            for f in manifest.files
        ],
    )


@app.command("list")
def list_(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Every dataset with its purpose, size and manifest digest."""
    opts = options(ctx)
    spine = opts.spine()
    rows = spine.datasets.list(spine.users.get(opts.actor()))
    if json:
        print_json(rows)
        return
    table(
        f"{len(rows)} dataset(s)",
        ["key", "title", "purpose", "files", "rows", "status", "manifest"],
        [
            (
                f"{r.key} v{r.version}",
                escape(short(r.title, 40)),
                escape(str(r.purpose)),
                r.file_count,
                r.row_count,
                r.status,
                r.manifest_sha256[:12],
            )
            for r in rows
        ],
    )


@contextmanager
def _hashing(path: Path | None) -> Iterator[OnFile | None]:
    """A byte-counting progress bar over the files at `path` (none if it cannot be listed:
    the service then reports the path)."""
    if path is None:
        yield None
        return
    try:
        total = sum(source.stat().st_size for _, source in dataset_files(path))
    except (QSpineError, OSError):  # the service names the problem with the path
        yield None
        return
    with progress(f"hashing {escape(path.name)}") as step:
        done = 0

        def on_file(name: str, size: int) -> None:
            nonlocal done
            done += size
            step(f"hashed {escape(name)}", done, total)

        yield on_file


def _print_lineage(found: Lineage) -> None:
    console.print(f"[bold]{found.key}[/bold] {escape(found.title)}")
    _related("derived from (ancestors)", found.ancestors, lineage=True)
    _related("derived into (descendants)", found.descendants, lineage=True)
    _related("model versions trained on it", found.models)
    _related("validation runs that used it", found.runs)


def _related(title: str, items: list[Related], lineage: bool = False) -> None:
    if not items:
        console.print(f"{title}: none")
        return
    if lineage:
        table(
            title,
            ["key", "title", "status", "depth", "via", "transformation", "split"],
            [
                (
                    f"{r.key} v{r.version}",
                    escape(short(r.title, 40)),
                    r.status,
                    r.depth,
                    r.via,
                    escape(short(r.transformation, 50)),
                    escape(short(r.split, 30)),
                )
                for r in items
            ],
        )
        return
    table(
        title,
        ["key", "title", "status"],
        [(f"{r.key} v{r.version}", escape(short(r.title, 50)), r.status) for r in items],
    )
