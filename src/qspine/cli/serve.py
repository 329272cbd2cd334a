"""`qspine serve` and `qspine token …`: run the web app and API; manage API tokens."""

from __future__ import annotations

import os

import typer

from qspine.cli.context import options, read_password
from qspine.cli.output import console, print_json, table, utc

tokens = typer.Typer(help="Bearer tokens for the REST API.", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    seed_demo: bool = typer.Option(
        False, "--seed-demo", help="Seed the demo if the spine is empty"
    ),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (about one per core)"),
) -> None:
    """Serve the web UI and the REST API (/api/v1, OpenAPI at /api/v1/openapi.json)."""
    import uvicorn

    from qspine.app import create_app
    from qspine.demo import DEMO_PASSWORD, DEMO_USERS
    from qspine.demo import seed_demo as seed

    spine = options(ctx).spine()
    summary = spine.summary.summary()
    if seed_demo and summary.records == 0 and summary.users == 0:
        with console.status("seeding the CytoAssist demo (first run only)…"):
            seed(spine)
        summary = spine.summary.summary()
    console.print(
        f"[bold]QSpine[/bold] on {summary.database}: {summary.records} records, "
        f"{summary.users} users"
    )
    if seed_demo:
        console.print(
            f"demo logins (password [bold]{DEMO_PASSWORD}[/bold]): "
            + ", ".join(f"{u.username} ({', '.join(u.roles)})" for u in DEMO_USERS)
        )
    console.print(f"web:  http://{host}:{port}/\napi:  http://{host}:{port}/api/v1/docs")
    if workers == 1:
        uvicorn.run(create_app(spine), host=host, port=port, log_level="warning")
        return
    os.environ["QSPINE_DATABASE_URL"] = spine.context.engine.url.render_as_string(
        hide_password=False
    )
    if options(ctx).profile:
        os.environ["QSPINE_PROFILE"] = str(options(ctx).profile)
    spine.close()
    uvicorn.run(
        "qspine.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )


@tokens.command("create")
def token_create(
    ctx: typer.Context,
    name: str = typer.Option(..., help="What the token is for, e.g. 'CI pipeline'"),
    days: int = typer.Option(90, help="Lifetime in days (1-366)"),
    password_stdin: bool = typer.Option(False, "--password-stdin"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a token for yourself (re-enter your password); the secret is shown once."""
    opts = options(ctx)
    actor = opts.actor()
    spine = opts.spine()
    spine.users.authenticate(actor, read_password(password_stdin, f"Password for {actor}"))
    secret, info = spine.access.create_token(actor, name, days)
    if json:
        print_json({"token": secret, "info": info})
    else:
        console.print(f"token {info.id} for {info.username}, expires {utc(info.expires_at)}:")
        console.print(secret, soft_wrap=True)
        console.print("It is shown only now; send it as 'Authorization: Bearer <token>'.")


@tokens.command("list")
def token_list(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Your tokens (an admin sees everyone's); never the secrets."""
    opts = options(ctx)
    found = opts.spine().access.tokens(opts.actor())
    if json:
        print_json(found)
        return
    table(
        f"{len(found)} token(s)",
        ["id", "user", "name", "prefix", "expires", "revoked"],
        [
            (t.id, t.username, t.name, t.prefix + "…", utc(t.expires_at), utc(t.revoked_at))
            for t in found
        ],
    )


@tokens.command("revoke")
def token_revoke(ctx: typer.Context, token_id: int) -> None:
    """Revoke a token at once."""
    opts = options(ctx)
    revoked = opts.spine().access.revoke_token(opts.actor(), token_id)
    console.print(f"token {revoked.id} ({revoked.name}) revoked at {utc(revoked.revoked_at)}")
