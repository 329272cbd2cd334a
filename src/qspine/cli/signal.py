"""`qspine signal`: follow a quality event hop by hop, from investigation to the release."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.panel import Panel

from qspine.cli.context import AS_OF_HELP, as_of, options
from qspine.cli.output import console, print_json, utc
from qspine.model.asof import stamp
from qspine.model.signals import EVENT_KINDS, Hop, HopRecord, SignalChain

# Each state in a symbol, a word and a colour: never colour alone.
BADGES = {
    "ok": ("✔", "ok", "green"),
    "partial": ("◐", "partial", "yellow"),
    "missing": ("✘", "missing", "red"),
    "not_reached": ("·", "not reached", "dim"),
}


def signal(
    ctx: typer.Context,
    key: str = typer.Argument(..., help=f"The quality event ({', '.join(EVENT_KINDS)})"),
    at: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Follow the signal KEY: investigation, risk, design change, re-verification and release,
    each hop with the records found and what is missing. Exit 0 either way (a read view)."""
    opts = options(ctx)
    spine = opts.spine()
    chain = spine.signals.follow(spine.users.get(opts.actor()), key, as_of(spine, at))
    if json:
        print_json(chain)
        return
    _print_chain(chain)


def _print_chain(chain: SignalChain) -> None:
    when = "now" if chain.as_of is None else stamp(chain.as_of)
    console.print(
        f"[bold]{escape(chain.key)}[/bold] {escape(chain.title)} ({chain.kind}) · as of {when}"
    )
    for number, hop in enumerate(chain.hops, start=1):
        console.print(_panel(number, hop))
    broken = chain.broken
    if not broken:
        console.print("[green]chain complete[/green]")
        return
    names = ", ".join(f"{hop.title} — {BADGES[hop.state][1]}" for hop in broken)
    console.print(f"[red]{len(broken)} broken hop(s): {escape(names)}[/red]")


def _panel(number: int, hop: Hop) -> Panel:
    symbol, word, colour = BADGES[hop.state]
    lines = [line for record in hop.records for line in _record_lines(record)]
    if not hop.records and hop.state != "not_reached":
        lines.append("[dim]no records[/dim]")
    tone = "dim" if hop.state in ("ok", "not_reached") else colour
    lines += [f"[{tone}]→ {escape(finding)}[/{tone}]" for finding in hop.findings]
    return Panel(
        "\n".join(lines) or "[dim]—[/dim]",
        title=f"{number}. {escape(hop.title)} [{colour}]{symbol} {word}[/{colour}]",
        title_align="left",
        border_style=colour,
    )


def _record_lines(record: HopRecord) -> list[str]:
    lines = [
        f"[bold]{escape(record.key)}[/bold] v{record.version} {escape(record.status)} — "
        f"{escape(record.title)}"
    ]
    if record.via:
        lines.append(f"  [dim]via[/dim] {escape(record.via)}")
    for signature in record.signatures:
        invalid = "" if signature.valid else " [red](invalid: content changed)[/red]"
        lines.append(
            f"  {escape(signature.meaning)} by {escape(signature.printed_name)} "
            f"at {utc(signature.at)}{invalid}"
        )
    if record.note:
        lines.append(f"  [red]{escape(record.note)}[/red]")
    return lines
