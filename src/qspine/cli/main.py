"""The `qspine` command: global options, sub-command groups, and one-line errors (exit 2)."""

from __future__ import annotations

import typer
from sqlalchemy.exc import SQLAlchemyError

from qspine.cli import (
    admin,
    baseline,
    check,
    complaints,
    cyber,
    dataset,
    demo,
    links,
    lint,
    matrix,
    mlflow,
    model,
    monitor,
    pccp,
    records,
    review,
    sbom,
    serve,
    signal,
    trace,
    validation,
    vex,
    vulndb,
    work,
)
from qspine.cli.context import Options
from qspine.cli.output import error_line
from qspine.model.errors import QSpineError

app = typer.Typer(
    name="qspine",
    help="QSpine: the quality evidence spine (QMSR / ISO 13485 / Part 11).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(records.app, name="record")
app.add_typer(links.app, name="link")
app.add_typer(baseline.app, name="baseline")
app.add_typer(admin.users, name="user")
app.add_typer(admin.audit, name="audit")
app.add_typer(admin.blobs, name="blob")
app.add_typer(admin.profiles, name="profile")
app.command("sign")(admin.sign)
app.command("demo")(demo.demo)
app.command("status")(admin.status)
app.command("serve")(serve.serve)
app.command("trace")(trace.trace)
app.command("impact")(trace.impact)
app.command("signal")(signal.signal)
app.command("matrix")(matrix.matrix)
app.command("todo")(work.todo)
app.add_typer(work.training, name="training")
app.command("suppliers")(work.suppliers)
app.command("lint")(lint.lint)
app.command("check")(check.check)
app.command("rules")(check.rules)
app.add_typer(check.findings, name="finding")
app.add_typer(complaints.app, name="complaints")
app.add_typer(review.app, name="review")
app.add_typer(cyber.app, name="cyber")
app.add_typer(serve.tokens, name="token")
app.add_typer(sbom.app, name="sbom")
app.add_typer(validation.app, name="validation")
app.add_typer(dataset.app, name="dataset")
app.add_typer(vulndb.app, name="vulndb")
app.add_typer(vex.vuln, name="vuln")
app.add_typer(vex.vex, name="vex")
app.add_typer(monitor.app, name="monitor")
app.add_typer(pccp.app, name="pccp")
app.add_typer(mlflow.app, name="mlflow")
app.add_typer(model.app, name="model")


@app.callback()
def main(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="QSPINE_DATABASE_URL",
        help="Database URL (default sqlite:///qspine.db)",
    ),
    profile: str | None = typer.Option(
        None, "--profile", envvar="QSPINE_PROFILE", help="Profile name or YAML file (default qmsr)"
    ),
    user: str | None = typer.Option(
        None, "--user", "-u", envvar="QSPINE_USER", help="Who is acting (required for changes)"
    ),
) -> None:
    opts = Options(db, profile, user)
    ctx.obj = opts
    ctx.call_on_close(opts.close)


def run(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 on success, 1 for a failed check, 2 for any error (one line)."""
    try:
        result = app(args=argv, standalone_mode=False)
    except typer.Abort:
        error_line("aborted")
        return 2
    except typer.TyperException as error:
        format_message = getattr(error, "format_message", None)
        error_line(format_message() if format_message else str(error))
        return 2
    except QSpineError as error:
        error_line(str(error))
        return 2
    except SQLAlchemyError as error:
        error_line(
            f"database: {str(error.orig if hasattr(error, 'orig') else error).splitlines()[0]}"
        )
        return 2
    except OSError as error:
        error_line(str(error))
        return 2
    return result if isinstance(result, int) else 0
