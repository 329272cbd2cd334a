"""`qspine demo`: seed the CytoAssist demo device into a (new) spine."""

from __future__ import annotations

import typer

from qspine.cli.context import options
from qspine.cli.output import console
from qspine.demo import seed_demo


def demo(ctx: typer.Context) -> None:
    """Seed Acme MedTech's CytoAssist device (users, records, links, signatures) and summarise."""
    spine = options(ctx).spine()
    with console.status("seeding the CytoAssist demo…"):
        summary = seed_demo(spine)
    console.print(summary.render())
