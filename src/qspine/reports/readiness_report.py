"""The readiness report in three forms: JSON-ready data, Markdown and a standalone HTML file.
One data function (`as_data`) feeds all three and the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from qspine.model.asof import stamp
from qspine.model.errors import InvalidInput
from qspine.model.findings import Finding, RuleInfo
from qspine.model.readiness import ReadinessReport
from qspine.reports.markdown import cell

FORMATS = ("html", "md", "json")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}
_TEMPLATES = Path(__file__).parent / "templates"


def heat(score: float | None) -> str:
    """The heat-map band of a clause score: none (nothing checked), ok, watch, weak, bad."""
    if score is None:
        return "none"
    if score >= 100:
        return "ok"
    if score >= 90:
        return "watch"
    if score >= 70:
        return "weak"
    return "bad"


def as_data(report: ReadinessReport) -> dict[str, Any]:
    """The whole report as plain data (the API response and `qspine check --json`)."""
    rules = {result.rule.id: result.rule for result in report.results}
    trend = report.trend
    return {
        "packs": list(report.packs),
        "at": stamp(report.at),
        "as_of": stamp(report.as_of) if report.as_of else None,
        "today": report.today.isoformat(),
        "score": report.score,
        "counts": report.counts,
        "findings": [_finding(f, rules[f.rule]) for f in report.findings],
        "suppressed": [
            {
                **_finding(f, rules[f.rule]),
                "reason": s.reason,
                "suppressed_by": s.by,
                "suppressed_at": stamp(s.at),
            }
            for f, s in report.suppressed
        ],
        "clauses": [
            {
                "clause": c.clause,
                "standard": c.standard,
                "rules": list(c.rules),
                "checked": c.checked,
                "failing": c.failing,
                "findings": c.findings,
                "worst": c.worst,
                "score": c.score,
                "heat": heat(c.score),
            }
            for c in report.clauses
        ],
        "rules": [
            {
                "id": r.rule.id,
                "title": r.rule.title,
                "severity": r.rule.severity,
                "pack": r.rule.pack,
                "engine": r.rule.engine,
                "clauses": list(r.rule.clauses),
                "checked": r.checked,
                "passed": r.passed,
                "findings": len(r.findings),
            }
            for r in report.results
        ],
        "measures": [
            {"id": m.id, "title": m.title, "value": m.value, "unit": m.unit, "detail": m.detail}
            for m in report.measures
        ],
        "trend": None
        if trend is None
        else {
            "previous_at": stamp(trend.previous_at),
            "previous_score": trend.previous_score,
            "new": [_finding(f, rules[f.rule]) for f in trend.new],
            "resolved": [
                {"rule": rule, "subject": subject, "occurrence": occurrence}
                for rule, subject, occurrence in trend.resolved
            ],
        },
    }


def _finding(finding: Finding, rule: RuleInfo) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "subject": finding.subject,
        "kind": finding.kind,
        "message": finding.message,
        "occurrence": finding.occurrence,
        "related": list(finding.related),
        "title": rule.title,
        "clauses": list(rule.clauses),
        "remedy": rule.remedy,
    }


def render(report: ReadinessReport, format: str, record_link: str = "") -> str:
    """The report as a file of `format` (html, md or json); `record_link` as in to_html."""
    if format == "html":
        return to_html(report, record_link)
    if format == "md":
        return to_markdown(report)
    if format == "json":
        return json.dumps(as_data(report), indent=2) + "\n"
    raise InvalidInput(f"report format '{format}': one of {', '.join(FORMATS)}")


def to_markdown(report: ReadinessReport) -> str:
    data = as_data(report)
    out = [
        "# Inspection readiness",
        "",
        f"Checked {data['at']}"
        + (f", as of {data['as_of']}" if data["as_of"] else "")
        + f"; packs {', '.join(data['packs'])}.",
        "",
        f"**Score {_score(data['score'])}** — "
        + ", ".join(f"{n} {s}" for s, n in data["counts"].items())
        + f"; {len(data['suppressed'])} suppressed.",
    ]
    trend = data["trend"]
    if trend:
        out += [
            "",
            f"Since {trend['previous_at']} (score {_score(trend['previous_score'])}): "
            f"{len(trend['new'])} new, {len(trend['resolved'])} resolved.",
        ]
    out += ["", "## Findings", ""]
    if not data["findings"]:
        out.append("No open findings.")
    else:
        out += [
            "| severity | rule | record | finding | clauses | fix |",
            "|---|---|---|---|---|---|",
        ]
        out += [
            f"| {f['severity']} | {f['rule']} | {f['subject']} | {cell(f['message'])} | "
            f"{'; '.join(f['clauses'])} | {cell(f['remedy'])} |"
            for f in data["findings"]
        ]
    out += ["", "## Clauses", "", "| clause | score | checked | failing | rules |"]
    out += ["|---|---|---|---|---|"]
    out += [
        f"| {c['clause']} | {_score(c['score'])} | {c['checked']} | {c['failing']} | "
        f"{', '.join(c['rules'])} |"
        for c in data["clauses"]
    ]
    out += ["", "## Self-assessment measures", "", "| measure | value | how |", "|---|---|---|"]
    out += [
        f"| {m['title']} | {_value(m['value'], m['unit'])} | {cell(m['detail'])} |"
        for m in data["measures"]
    ]
    if data["suppressed"]:
        out += ["", "## Suppressed findings", "", "| rule | record | finding | reason | by |"]
        out += ["|---|---|---|---|---|"]
        out += [
            f"| {s['rule']} | {s['subject']} | {cell(s['message'])} | {cell(s['reason'])} | "
            f"{s['suppressed_by']} {s['suppressed_at']} |"
            for s in data["suppressed"]
        ]
    return "\n".join(out) + "\n"


def to_html(report: ReadinessReport, record_link: str = "") -> str:
    """A standalone HTML file (inline style, no scripts). `record_link` prefixes record keys
    to make links (e.g. the server's /records/ address); empty means plain keys."""
    data = as_data(report)
    standards: dict[str, list[dict[str, Any]]] = {}
    for clause in data["clauses"]:
        standards.setdefault(clause["standard"], []).append(clause)
    return _ENV.get_template("readiness_report.html").render(
        data=data,
        standards=standards,
        record_link=record_link,
        score=_score,
        value=_value,
    )


def _score(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.1f}"


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f} {unit}" if unit != "%" else f"{value:.1f}%"


_ENV = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True)
