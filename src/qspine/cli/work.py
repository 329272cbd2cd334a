"""`qspine todo`, `qspine training` and `qspine suppliers`: each person's due work, training
and competence, and the approved supplier list."""

from __future__ import annotations

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, print_json, table
from qspine.model.suppliers import CURRENT as EVALUATED
from qspine.model.suppliers import DUE_SOON, NO_DUE_DATE, NOT_APPROVED, OVERDUE
from qspine.model.training import CURRENT, TrainingMatrix

training = typer.Typer(help="Training and competence (ISO 13485:2016 6.2).", no_args_is_help=True)

# Each state in a word and a colour: never colour alone.
TONES = {"overdue": "red", "due soon": "yellow", "later": "default", "open": "dim"}


def todo(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--for", help="Whose work (default: yours)"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Your assigned, due and overdue items across every workflow, overdue first."""
    opts = options(ctx)
    spine = opts.spine()
    work = spine.todo.for_user(spine.users.get(opts.actor()), user)
    if json:
        print_json(work)
        return
    rows = [
        (
            f"[{TONES[item.state]}]{item.state}[/]",
            item.due or "",
            item.key,
            escape(item.what),
            escape(item.title),
            item.status,
        )
        for item in work.items
    ]
    table(
        f"work for {work.user} on {work.today} · {len(work.items)} items, {work.overdue} overdue",
        ["state", "due", "record", "to do", "title", "status"],
        rows,
    )


@training.command("matrix")
def training_matrix(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Every holder of every approved job role against the documents the role requires."""
    opts = options(ctx)
    spine = opts.spine()
    matrix = spine.training.matrix(spine.users.get(opts.actor()))
    if json:
        print_json(matrix)
        return
    _print_matrix(matrix)


@training.command("owed")
def training_owed(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--for", help="Only this person's training"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Training still owed (assignments), soonest due first; overdue in red."""
    opts = options(ctx)
    spine = opts.spine()
    reader = spine.users.get(opts.actor())
    owed = spine.training.owed(reader, user)
    if json:
        print_json(owed)
        return
    today = spine.context.clock().date()
    table(
        f"training owed · {len(owed)}",
        ["person", "role", "document", "version", "state", "due"],
        [
            (
                cell.user,
                f"{cell.requirement.role} {escape(cell.requirement.role_title)}",
                f"{cell.requirement.document} {escape(cell.requirement.document_title)}",
                f"v{cell.requirement.version}",
                cell.state,
                f"[red]{cell.due} overdue[/]" if cell.overdue(today) else cell.due,
            )
            for cell in owed
        ],
    )


def _print_matrix(matrix: TrainingMatrix) -> None:
    """One row per required document and role, one column per holder: narrow enough for a
    terminal however many documents the roles require."""
    if not matrix.cells:
        console.print("no approved job role names holders and required documents")
        return
    rows = []
    for requirement in matrix.requirements:
        row: list[str] = [f"{requirement.document} v{requirement.version}", requirement.role]
        for user in matrix.users:
            cell = matrix.cell(user, requirement)
            if cell is None:
                row.append("")
            elif cell.state == CURRENT:
                row.append(f"[green]✔ v{cell.trained_version}[/]")
            else:
                late = " overdue" if cell.overdue(matrix.today) else ""
                row.append(f"[red]✘ {cell.state}{late}[/] due {cell.due}")
        rows.append(row)
    table(f"training matrix on {matrix.today}", ["document", "role", *matrix.users], rows)


# Each evaluation state in words and a colour: never colour alone.
SUPPLIER_TONES = {
    OVERDUE: "red",
    DUE_SOON: "yellow",
    NO_DUE_DATE: "yellow",
    EVALUATED: "green",
    NOT_APPROVED: "dim",
}


def suppliers(
    ctx: typer.Context,
    approved: bool = typer.Option(False, "--approved", help="Only approved suppliers"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """The approved supplier list (ISO 13485:2016 7.4.1): approval, evaluation and
    re-evaluation dates, evidence and audits; overdue re-evaluations first."""
    opts = options(ctx)
    spine = opts.spine()
    listing = spine.suppliers.approved_list(spine.users.get(opts.actor()), approved)
    if json:
        print_json(listing)
        return
    counts = ", ".join(f"{n} {state}" for state, n in listing.counts.items() if n)
    table(
        f"suppliers on {listing.today} · {len(listing.suppliers)}: {counts}",
        [
            "supplier",
            "name",
            "criticality",
            "approval",
            "evaluated",
            "re-evaluate by",
            "state",
            "evidence",
        ],
        [
            (
                s.key,
                escape(s.title),
                s.criticality or "",
                s.approval_status or "",
                " ".join(filter(None, [str(s.evaluation_date or ""), s.evaluation_method])),
                s.reevaluation_due or "",
                f"[{SUPPLIER_TONES[s.state]}]{s.state}[/]",
                ", ".join([*s.evidence, *(a.key for a in s.audits)]),
            )
            for s in listing.suppliers
        ],
    )
