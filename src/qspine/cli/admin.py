"""`qspine user|audit|blob|profile …` and `qspine sign`: administration and evidence."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from qspine.cli.context import options, read_password
from qspine.cli.output import console, print_json, short, table, utc
from qspine.profiles import load_profile
from qspine.reports.profile_reference import profile_reference

users = typer.Typer(help="Users and their roles (admin).", no_args_is_help=True)
audit = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
blobs = typer.Typer(help="Files in the content-addressed store.", no_args_is_help=True)
profiles = typer.Typer(
    help="The profile: kinds, lifecycles, links, roles, rules.", no_args_is_help=True
)


@users.command("add")
def user_add(
    ctx: typer.Context,
    username: str,
    name: str = typer.Option(..., "--name", help="Full name, printed on signatures"),
    role: list[str] = typer.Option([], "--role", help="Role (repeatable)"),
    email: str = typer.Option("", help="E-mail"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a user (the first user may be added without --user, and must be an admin)."""
    opts = options(ctx)
    password = read_password(password_stdin, f"Password for {username}")
    actor = opts.user or "bootstrap"
    created = opts.spine().users.add(actor, username, name, password, role, email)
    if json:
        print_json(created)
    else:
        console.print(
            f"user {created.username} ({created.full_name}) roles: {', '.join(created.roles)}"
        )


@users.command("list")
def user_list(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Every user with roles and state."""
    found = options(ctx).spine().users.list()
    if json:
        print_json(found)
        return
    table(
        f"{len(found)} user(s)",
        ["username", "name", "roles", "active", "locked until"],
        [
            (
                u.username,
                u.full_name,
                ", ".join(u.roles),
                "yes" if u.active else "no",
                utc(u.locked_until),
            )
            for u in found
        ],
    )


@users.command("roles")
def user_roles(
    ctx: typer.Context,
    username: str,
    role: list[str] = typer.Option([], "--role", help="The complete new set of roles (repeatable)"),
    reason: str = typer.Option(..., help="Why"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Replace a user's roles."""
    opts = options(ctx)
    changed = opts.spine().users.set_roles(opts.actor(), username, role, reason)
    print_json(changed) if json else console.print(
        f"{changed.username}: {', '.join(changed.roles)}"
    )


@users.command("deactivate")
def user_deactivate(ctx: typer.Context, username: str, reason: str = typer.Option(...)) -> None:
    """Deactivate a user (users are never deleted; their name stays on what they signed)."""
    opts = options(ctx)
    opts.spine().users.set_active(opts.actor(), username, False, reason)
    console.print(f"{username} deactivated")


@users.command("activate")
def user_activate(ctx: typer.Context, username: str, reason: str = typer.Option(...)) -> None:
    """Re-activate a user and clear a lock-out."""
    opts = options(ctx)
    opts.spine().users.set_active(opts.actor(), username, True, reason)
    console.print(f"{username} activated")


def sign(
    ctx: typer.Context,
    key: str,
    meaning: str = typer.Option(..., help="What the signature means: approved, reviewed, ..."),
    expect: int = typer.Option(
        ..., "--expect", help="The version you are signing (conflict check)"
    ),
    reason: str = typer.Option("", help="Comment recorded with the signature"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Sign the current version of KEY, re-entering your password (21 CFR 11.50, 11.200)."""
    opts = options(ctx)
    actor = opts.actor()
    spine = opts.spine()
    spine.signing.preflight(actor, key, meaning, expect)
    password = read_password(password_stdin, f"Password for {actor} (signing {key} as {meaning})")
    signed = spine.signing.sign(actor, password, key, meaning, expect, reason)
    print_json(signed) if json else console.print(
        f"signed {key} v{signed.version}: {signed.manifestation}"
    )


@audit.command("verify")
def audit_verify(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Check the whole chain and every version and signature; exit 1 when anything fails."""
    report = options(ctx).spine().audit.verify()
    if json:
        print_json(report)
    elif report.intact:
        console.print(
            f"audit trail intact: {report.events_checked} events, every version and "
            "signature matches"
        )
    else:
        if report.chain_break is not None:
            console.print(
                f"[red]BROKEN at event {report.chain_break.seq}[/red]: {report.chain_break.problem}"
            )
        for problem in report.problems:
            console.print(f"[red]{problem}[/red]")
    if not report.intact:
        raise typer.Exit(1)


@audit.command("log")
def audit_log(
    ctx: typer.Context,
    key: str | None = typer.Argument(None, help="Only events about this record"),
    limit: int = typer.Option(50, help="At most this many, newest first"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """The audit trail, newest first."""
    events = options(ctx).spine().audit.log(key, limit)
    if json:
        print_json(events)
        return
    table(
        f"audit log{' for ' + key if key else ''}",
        ["seq", "at", "actor", "action", "subject", "v", "reason", "detail"],
        [
            (
                e.seq,
                utc(e.at),
                e.actor,
                e.action,
                e.subject + (f" {e.related}" if e.related else ""),
                e.version or "",
                short(e.reason, 30),
                short(e.payload, 50),
            )
            for e in events
        ],
    )


@blobs.command("add")
def blob_add(ctx: typer.Context, path: Path, json: bool = typer.Option(False, "--json")) -> None:
    """Store a file; print the SHA-256 to use in a blob field."""
    opts = options(ctx)
    info = opts.spine().blobs.add(opts.actor(), path)
    print_json(info) if json else console.print(
        f"{info.sha256}  {info.filename} ({info.size} bytes)"
    )


@profiles.command("check")
def profile_check(path: Path) -> None:
    """Validate a profile file (and what it extends); print what it defines."""
    loaded = load_profile(path)
    console.print(
        f"{path}: valid — {len(loaded.kinds)} kinds, {len(loaded.links)} link types, "
        f"{len(loaded.lifecycles)} lifecycles, {len(loaded.roles)} roles, "
        f"{len(loaded.rules)} rules"
    )


@profiles.command("show")
def profile_show(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """The kinds of the active profile with their prefixes, lifecycles and clauses."""
    opts = options(ctx)
    loaded = load_profile(opts.profile)
    if json:
        print_json(loaded.model_dump(by_alias=True))
        return
    table(
        f"profile {loaded.name}: {len(loaded.kinds)} kinds",
        ["kind", "prefix", "lifecycle", "clauses"],
        [(name, k.prefix, k.lifecycle, "; ".join(k.clauses)) for name, k in loaded.kinds.items()],
    )


@profiles.command("doc")
def profile_doc(ctx: typer.Context) -> None:
    """Print the Markdown reference of the active profile (kinds, lifecycles, links, rules)."""
    sys.stdout.write(profile_reference(load_profile(options(ctx).profile)))


def status(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """What the spine holds: records by kind and status, links (suspect), signatures, audit."""
    summary = options(ctx).spine().summary.summary()
    if json:
        print_json(summary)
        return
    console.print(f"[bold]QSpine[/bold] {summary.database} · profile {summary.profile}")
    table(
        f"{summary.records} records",
        ["kind", "total", "by status"],
        [
            (kind, sum(states.values()), ", ".join(f"{s} {n}" for s, n in states.items()))
            for kind, states in summary.by_kind.items()
        ],
    )
    console.print(
        f"{summary.links} links ({summary.suspect_links} suspect) · {summary.signatures} "
        f"signatures · {summary.users} users · {summary.audit_events} audit events"
    )
    console.print("next: qspine record list · qspine link suspect · qspine audit verify")
