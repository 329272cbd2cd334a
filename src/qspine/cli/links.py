"""`qspine link …`: make, remove, confirm and list typed links."""

from __future__ import annotations

import typer

from qspine.cli.context import options
from qspine.cli.output import console, print_json, table, utc
from qspine.model.links import LinkView

app = typer.Typer(help="Typed links between records (SOURCE TYPE TARGET).", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    source: str,
    type: str,
    target: str,
    reason: str = typer.Option("", help="Why"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Link SOURCE to TARGET, e.g. `qspine link add TC-4 verifies REQ-12`."""
    opts = options(ctx)
    show_link(opts.spine().links.link(opts.actor(), type, source, target, reason), json)


@app.command()
def remove(
    ctx: typer.Context,
    source: str,
    type: str,
    target: str,
    reason: str = typer.Option(..., help="Why (required)"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Remove a link (it stays in the history, marked removed)."""
    opts = options(ctx)
    show_link(opts.spine().links.unlink(opts.actor(), type, source, target, reason), json)


@app.command()
def confirm(
    ctx: typer.Context,
    source: str,
    type: str,
    target: str,
    reason: str = typer.Option("", help="What was reviewed"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Re-review a suspect link against the target's current version."""
    opts = options(ctx)
    show_link(opts.spine().links.confirm(opts.actor(), type, source, target, reason), json)


@app.command("list")
def list_(ctx: typer.Context, key: str, json: bool = typer.Option(False, "--json")) -> None:
    """A record's outgoing and incoming links with suspect marks."""
    outgoing, incoming = options(ctx).spine().links.of(key)
    if json:
        print_json({"out": outgoing, "in": incoming})
        return
    show_links(f"{key}: links", outgoing + incoming)


@app.command()
def suspect(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Every link whose target has a newer released version than the one it was reviewed on."""
    found = options(ctx).spine().links.suspect()
    if json:
        print_json(found)
        return
    show_links(f"{len(found)} suspect link(s)", found)


def show_link(view: LinkView, as_json: bool) -> None:
    if as_json:
        print_json(view)
        return
    state = "removed" if view.removed_at else ("SUSPECT" if view.suspect else "ok")
    console.print(
        f"{view.source} {view.type} {view.target} (stamped v{view.target_version}, {state})"
    )


def show_links(title: str, links: list[LinkView]) -> None:
    table(
        title,
        ["source", "type", "target", "stamped", "target released", "state", "since"],
        [
            (
                link.source,
                link.type,
                link.target,
                f"v{link.target_version}",
                f"v{link.target_released_version}" if link.target_released_version else "-",
                "SUSPECT" if link.suspect else "ok",
                utc(link.created_at),
            )
            for link in links
        ],
    )
