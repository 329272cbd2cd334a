"""`qspine record …`: create, revise, transition, show, list, history, diff."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from qspine.cli.context import AS_OF_HELP, as_of, options
from qspine.cli.output import console, print_json, short, table, utc
from qspine.model.asof import stamp
from qspine.model.errors import InvalidInput
from qspine.model.fields import parse_field_text
from qspine.model.profile import Profile
from qspine.model.records import RecordView

app = typer.Typer(
    help="Controlled records: create, revise, move through the lifecycle, read.",
    no_args_is_help=True,
)

SET_HELP = "field=value (repeatable); lists take a JSON array or commas"


@app.command()
def create(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="Record kind, e.g. requirement"),
    set_: list[str] = typer.Option([], "--set", "-s", help=SET_HELP),
    reason: str = typer.Option("", help="Why the record is created"),
    json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Create a record (version 1, in its lifecycle's initial state)."""
    opts = options(ctx)
    spine = opts.spine()
    fields = parse_assignments(spine.profile, kind, f"new {kind}", set_)
    view = spine.records.create(opts.actor(), kind, fields, reason)
    show_record(view, json)


@app.command()
def revise(
    ctx: typer.Context,
    key: str,
    set_: list[str] = typer.Option([], "--set", "-s", help=SET_HELP),
    unset: list[str] = typer.Option([], "--unset", help="Field to clear (repeatable)"),
    expect: int = typer.Option(
        ..., "--expect", help="The version you are revising (conflict check)"
    ),
    reason: str = typer.Option(..., help="Why it changes (required)"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Write a new version with the given changes; the old version stays as it was."""
    opts = options(ctx)
    spine = opts.spine()
    current = spine.records.show(key)
    changes: dict[str, Any] = parse_assignments(spine.profile, current.kind, key, set_)
    for name in unset:
        if name not in spine.profile.kinds[current.kind].fields:
            raise InvalidInput(f"{key}: unknown field '{name}' for kind {current.kind}")
        changes[name] = None
    show_record(spine.records.revise(opts.actor(), key, changes, expect, reason), json)


@app.command()
def transition(
    ctx: typer.Context,
    key: str,
    to: str = typer.Argument(..., help="Target status"),
    expect: int = typer.Option(..., "--expect", help="The version you are moving (conflict check)"),
    reason: str = typer.Option("", help="Why"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Move the current version to another status (signed steps: `qspine sign`)."""
    opts = options(ctx)
    show_record(opts.spine().records.transition(opts.actor(), key, to, expect, reason), json)


@app.command()
def show(
    ctx: typer.Context,
    key: str,
    at: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """A record: current (or as-of) version, fields, status, links, signatures."""
    spine = options(ctx).spine()
    show_record(spine.records.show(key, as_of(spine, at)), json)


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, help="Only this kind"),
    status: str | None = typer.Option(None, help="Only this status"),
    search: str | None = typer.Option(None, help="Text in key, title or any field"),
    where: list[str] = typer.Option([], help="field=value (repeatable)"),
    limit: int = typer.Option(50, help="At most this many"),
    offset: int = typer.Option(0, help="Skip this many"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Records matching the filters, newest first."""
    filters = {}
    for item in where:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InvalidInput(f"--where '{item}': write field=value")
        filters[name] = value
    total, rows = options(ctx).spine().records.list(kind, status, search, filters, limit, offset)
    if json:
        print_json({"total": total, "records": rows})
        return
    table(
        f"{total} record(s)",
        ["key", "kind", "status", "v", "title", "updated"],
        [(r.key, r.kind, r.status, r.version, short(r.title, 60), utc(r.updated_at)) for r in rows],
    )


@app.command()
def history(ctx: typer.Context, key: str, json: bool = typer.Option(False, "--json")) -> None:
    """Every version of a record with its author, time, status and reason."""
    versions = options(ctx).spine().records.history(key)
    if json:
        print_json(versions)
        return
    table(
        f"{key}: {len(versions)} version(s)",
        ["v", "status", "author", "created", "reason", "fingerprint"],
        [
            (
                v.number,
                v.status,
                v.author,
                utc(v.created_at),
                short(v.reason, 40),
                v.fingerprint[:12],
            )
            for v in versions
        ],
    )


@app.command()
def diff(
    ctx: typer.Context,
    key: str,
    before: int = typer.Argument(..., help="Earlier version number"),
    after: int = typer.Argument(..., help="Later version number"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Field-by-field difference between two versions."""
    changes = options(ctx).spine().records.diff(key, before, after)
    if json:
        print_json(changes)
        return
    table(
        f"{key} v{before} → v{after}",
        ["field", "change", "before", "after"],
        [(c.field, c.change, short(c.before), short(c.after)) for c in changes],
    )


def parse_assignments(
    profile: Profile, kind: str, subject: str, items: list[str]
) -> dict[str, Any]:
    if kind not in profile.kinds:
        raise InvalidInput(f"unknown kind '{kind}' (kinds: {', '.join(profile.kinds)})")
    spec = profile.kinds[kind]
    fields: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise InvalidInput(f"--set '{item}': write field=value")
        if name not in spec.fields:
            raise InvalidInput(
                f"{subject}: unknown field '{name}' for kind {kind} "
                f"(fields: {', '.join(spec.fields)})"
            )
        fields[name] = parse_field_text(subject, name, spec.fields[name], text)
    return fields


def show_record(view: RecordView, as_json: bool) -> None:
    if as_json:
        print_json(view)
        return
    released = f", released v{view.released_version}" if view.released_version else ""
    console.print(f"[bold]{view.key}[/bold] {escape(view.title)}")
    if view.as_of is not None:
        console.print(f"as of {stamp(view.as_of)}")
    console.print(
        f"{view.kind} · v{view.version.number} · [bold]{view.status}[/bold]{released} · "
        f"fingerprint {view.version.fingerprint[:16]}"
    )
    fields = view.version.fields.items()
    table("fields", ["field", "value"], [(k, escape(short(v, 90))) for k, v in fields])
    if view.next_transitions:
        steps = ", ".join(
            t["to"] + (f" (sign: {t['signature']})" if t["signature"] else "")
            for t in view.next_transitions
        )
        console.print(f"next: {steps}")
        for step in view.next_transitions:
            for problem in step.get("blocked_by", []):
                console.print(f"  [yellow]before {step['to']}:[/yellow] {escape(problem)}")
    links = [
        ("→", link.type, link.target, f"v{link.target_version}", "SUSPECT" if link.suspect else "")
        for link in view.links_out
    ]
    links += [
        ("←", link.type, link.source, f"v{link.target_version}", "SUSPECT" if link.suspect else "")
        for link in view.links_in
    ]
    if links:
        table("links", ["dir", "type", "record", "stamped", ""], links)
    if view.signatures:
        table(
            "signatures (21 CFR 11.50)",
            ["v", "manifestation", "valid"],
            [
                (s.version, s.manifestation, "yes" if s.valid else "NO — content changed")
                for s in view.signatures
            ],
        )
