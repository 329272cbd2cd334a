"""The rules reference (docs/rules.md), generated from the rules themselves: the profile's
declarative rules and every installed rule pack's Python rules."""

from __future__ import annotations

from qspine.model.findings import rank
from qspine.model.profile import Profile
from qspine.reports.markdown import cell
from qspine.services.readiness import catalogue


def rules_reference(profile: Profile) -> str:
    rules = catalogue(profile)
    out = [
        "# Readiness rules",
        "",
        f"Generated from profile `{profile.name}` and the installed rule packs by "
        "`scripts/docs`; do not edit by hand. `qspine check` runs them all "
        "(see [the readiness guide](readiness.md)).",
        "",
        f"{len(rules)} rules: "
        + ", ".join(
            f"{sum(r.severity == s for r in rules)} {s}"
            for s in ("blocking", "major", "minor", "info")
        )
        + ".",
        "",
        "| id | severity | pack | title | clauses |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| [`{r.id}`](#{r.id.lower()}) | {r.severity} | {r.pack} | {cell(r.title)} | "
        f"{'; '.join(r.clauses)} |"
        for r in sorted(rules, key=lambda r: (rank(r.severity), r.id))
    ]
    for r in rules:
        out += [
            "",
            f"## {r.id}",
            "",
            f"**{r.title}** — {r.severity}, pack `{r.pack}`, {r.engine} rule.",
            "",
            f"- Clauses: {'; '.join(r.clauses)}",
            f"- Checks: {r.logic}",
            f"- Why: {cell(r.rationale)}",
            f"- Fix: {cell(r.remedy)}",
        ]
    return "\n".join(out) + "\n"
