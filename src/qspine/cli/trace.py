"""`qspine trace` and `qspine impact`: traversal and impact analysis over the link graph."""

from __future__ import annotations

import datetime as dt

import typer
from rich.tree import Tree

from qspine.cli.context import AS_OF_HELP, as_of, options
from qspine.cli.output import console, print_json, short, table
from qspine.model.asof import stamp
from qspine.model.errors import InvalidInput
from qspine.model.trace import ImpactReport, TraceNode, TraceResult
from qspine.spine import Spine


def trace(
    ctx: typer.Context,
    key: str,
    up: bool = typer.Option(False, "--up", help="Follow links upstream (what KEY rests on)"),
    down: bool = typer.Option(False, "--down", help="Follow links downstream (the default)"),
    types: list[str] = typer.Option([], "--types", "-t", help="Only these link types (repeatable)"),
    depth: int = typer.Option(50, help="At most this many links away (1-50)"),
    at: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Everything reachable from KEY, upstream or downstream, with the links between."""
    if up and down:
        raise typer.BadParameter("choose --up or --down, not both")
    opts = options(ctx)
    spine = opts.spine()
    reader = spine.users.get(opts.actor())
    result = spine.trace.trace(reader, key, "up" if up else "down", types, depth, as_of(spine, at))
    if json:
        print_json(result)
        return
    console.print(_tree(result))
    console.print(
        f"{len(result.nodes) - 1} record(s) {result.direction}stream of {key}, "
        f"{sum(e.suspect for e in result.edges)} suspect link(s){_when(result.as_of)}"
    )


def impact(
    ctx: typer.Context,
    keys: list[str] = typer.Argument(None, help="The records a change would touch"),
    change: str | None = typer.Option(
        None, "--change", help="A change request: analyse the records it changes, then and now"
    ),
    types: list[str] = typer.Option([], "--types", "-t", help="Only these link types (repeatable)"),
    at: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """What a change to KEYS reaches downstream, and the links that will turn suspect; with
    --change CR-n, the change request's own analysis as assessed and as it stands now."""
    opts = options(ctx)
    spine = opts.spine()
    user = spine.users.get(opts.actor())
    if change is not None:
        if keys or types or at:
            raise InvalidInput("impact --change takes no keys, --types or --as-of")
        analysis = spine.trace.change_impact(user, change)
        if json:
            print_json(analysis)
            return
        if not analysis.changed:
            console.print(f"{change} names no record it changes (link them with 'changes')")
        for label, report in (
            (f"as assessed when {change} entered {analysis.assessed_in}", analysis.at_assessment),
            ("now", analysis.now),
        ):
            if report is not None:
                console.print(f"[bold]{change} impact {label}[/]")
                _print_impact(spine, report)
        return
    if not keys:
        raise InvalidInput("impact: name at least one record, or --change CR-n")
    report = spine.trace.impact(user, keys, types, as_of(spine, at))
    if json:
        print_json(report)
        return
    _print_impact(spine, report)


def _print_impact(spine: Spine, report: ImpactReport) -> None:
    kinds = spine.profile.kinds
    table(
        f"impact of changing {', '.join(report.changed)}{_when(report.as_of)}: "
        f"{report.total} record(s) reached",
        ["kind", "count", "records"],
        [
            (kinds[kind].title, len(nodes), short(", ".join(n.key for n in nodes), 80))
            for kind, nodes in sorted(report.affected.items())
        ],
    )
    for title, edges in (
        ("links that turn suspect on re-release", report.will_turn_suspect),
        ("links already suspect", report.already_suspect),
    ):
        if edges:
            table(
                title, ["source", "type", "target"], [(e.source, e.type, e.target) for e in edges]
            )


def _when(at: dt.datetime | None) -> str:
    return "" if at is None else f", as of {stamp(at)}"


def _tree(result: TraceResult) -> Tree:
    """The trace as a tree from the root (each record under the first record that reached it)."""
    nodes = {node.key: node for node in result.nodes}
    children: dict[str, list[tuple[str, str, bool]]] = {}
    placed = {result.root}
    for node in sorted(result.nodes, key=lambda n: n.depth):
        for edge in result.edges:
            near, far = (
                (edge.target, edge.source)
                if result.direction == "down"
                else (edge.source, edge.target)
            )
            if far == node.key and far not in placed and nodes[near].depth == node.depth - 1:
                children.setdefault(near, []).append((far, edge.type, edge.suspect))
                placed.add(far)
    root = nodes[result.root]
    tree = Tree(f"[bold]{root.key}[/bold] {short(root.title, 60)} ({root.kind}, {root.status})")
    _grow(tree, result.root, children, nodes)
    return tree


def _grow(
    branch: Tree,
    key: str,
    children: dict[str, list[tuple[str, str, bool]]],
    nodes: dict[str, TraceNode],
) -> None:
    for child, link_type, suspect in children.get(key, []):
        node = nodes[child]
        mark = " [red]SUSPECT[/red]" if suspect else ""
        label = (
            f"[dim]{link_type}[/dim]{mark} [bold]{child}[/bold] "
            f"{short(node.title, 60)} ({node.kind}, {node.status})"
        )
        _grow(branch.add(label), child, children, nodes)
