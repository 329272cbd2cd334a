"""`qspine baseline …`: capture, list, show, preview and compare signed sets of versions."""

from __future__ import annotations

import typer

from qspine.cli.context import AS_OF_HELP, as_of, options
from qspine.cli.output import console, print_json, short, table, utc
from qspine.model.asof import stamp
from qspine.model.baselines import BaselineComparison, BaselineView

app = typer.Typer(
    help="Baselines: named, signed sets of released record versions (approve: qspine sign).",
    no_args_is_help=True,
)

KINDS_HELP = "Take the released version of every record of this kind (repeatable, or k1,k2)"
KEYS_HELP = "Take the released version of this record (repeatable, or KEY1,KEY2)"


@app.command()
def create(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="Name, e.g. 'CytoAssist 2.1 design baseline'"),
    kinds: list[str] = typer.Option([], "--kinds", "-k", help=KINDS_HELP),
    keys: list[str] = typer.Option([], "--keys", help=KEYS_HELP),
    at: str | None = typer.Option(
        None, "--as-of", help="Take the versions released at this past instant (default: now)"
    ),
    description: str = typer.Option("", help="Purpose and scope"),
    reason: str = typer.Option("", help="Why it is taken"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Capture the released versions of the selection as a draft baseline; approve it with
    `qspine sign BL-n --meaning approved`."""
    opts = options(ctx)
    spine = opts.spine()
    view = spine.baselines.create(
        opts.actor(), title, _split(kinds), _split(keys), as_of(spine, at), description, reason
    )
    if json:
        print_json(view)
        return
    _print_view(view)
    console.print(f"next: qspine sign {view.key} --meaning approved --expect 1")


@app.command("list")
def list_(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Every baseline with its status."""
    opts = options(ctx)
    spine = opts.spine()
    found = spine.baselines.list(spine.users.get(opts.actor()))
    if json:
        print_json(found)
        return
    table(
        f"{len(found)} baseline(s)",
        ["key", "status", "title", "updated"],
        [(b.key, b.status, short(b.title, 60), utc(b.updated_at)) for b in found],
    )


@app.command()
def show(
    ctx: typer.Context,
    key: str,
    at: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """A baseline: its member versions, whether they still match the manifest, signatures."""
    opts = options(ctx)
    spine = opts.spine()
    view = spine.baselines.show(spine.users.get(opts.actor()), key, as_of(spine, at))
    if json:
        print_json(view)
        return
    _print_view(view)


@app.command()
def preview(
    ctx: typer.Context,
    kinds: list[str] = typer.Option([], "--kinds", "-k", help=KINDS_HELP),
    keys: list[str] = typer.Option([], "--keys", help=KEYS_HELP),
    at: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """What a baseline of this selection would hold, without saving anything."""
    opts = options(ctx)
    spine = opts.spine()
    view = spine.baselines.preview(
        spine.users.get(opts.actor()), _split(kinds), _split(keys), as_of(spine, at)
    )
    if json:
        print_json(view)
        return
    _print_view(view)


@app.command()
def compare(
    ctx: typer.Context,
    left: str = typer.Argument(..., help="The baseline to compare"),
    right: str | None = typer.Argument(
        None, help="Another baseline (default: the same selection now, or --as-of)"
    ),
    at: str | None = typer.Option(
        None, "--as-of", help="Compare with the selection as it stood then (not with RIGHT)"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """What was added, removed and changed between LEFT and RIGHT (or now), field by field."""
    opts = options(ctx)
    spine = opts.spine()
    compared = spine.baselines.compare(spine.users.get(opts.actor()), left, right, as_of(spine, at))
    if json:
        print_json(compared)
        return
    _print_comparison(compared)


def _split(values: list[str]) -> list[str]:
    """Repeated options and comma-separated lists alike: `--kinds a --kinds b,c`."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _print_view(view: BaselineView) -> None:
    if view.key is None:
        console.print("[bold]preview[/bold] (nothing saved)")
    else:
        console.print(f"[bold]{view.key}[/bold] {view.title} · [bold]{view.status}[/bold]")
    selection = ", ".join([*view.kinds, *view.keys])
    console.print(
        f"{view.member_count} member(s) of {selection} as of {stamp(view.taken_at)} · "
        f"manifest {view.manifest[:16]}"
    )
    if view.key is not None:
        console.print(
            "members intact: yes"
            if view.intact
            else "[red]members intact: NO — the stored versions no longer match the manifest[/red]"
        )
    table(
        "members",
        ["key", "kind", "v", "title", "fingerprint"],
        [(m.key, m.kind, m.version, short(m.title, 60), m.fingerprint[:12]) for m in view.members],
    )
    if view.skipped:
        console.print(f"never released by then, not taken: {', '.join(view.skipped)}")
    if view.signatures:
        table(
            "signatures (21 CFR 11.50)",
            ["v", "manifestation", "valid"],
            [
                (s.version, s.manifestation, "yes" if s.valid else "NO — content changed")
                for s in view.signatures
            ],
        )


def _print_comparison(compared: BaselineComparison) -> None:
    table(
        f"{compared.left} → {compared.right}",
        ["added", "removed", "changed", "unchanged"],
        [(compared.added, compared.removed, compared.changed, compared.unchanged)],
    )
    if compared.changes:
        table(
            "records",
            ["change", "key", "kind", "title", "before", "after"],
            [
                (
                    c.change,
                    c.key,
                    c.kind,
                    short(c.title, 50),
                    "" if c.before is None else f"v{c.before}",
                    "" if c.after is None else f"v{c.after}",
                )
                for c in compared.changes
            ],
        )
    for change in compared.of("changed"):
        table(
            f"{change.key} v{change.before} → v{change.after}",
            ["field", "change", "before", "after"],
            [(f.field, f.change, short(f.before, 40), short(f.after, 40)) for f in change.fields],
        )
