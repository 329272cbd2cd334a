"""`qspine review prepare`: the management review inputs of a period as tables and JSON,
`--create` opening the review record, and every refusal one line with exit 2.

Dates are set around today: the CLI opens its spine with the real clock, and records count
from the day they were created (actions) or from their date fields (complaints)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from cli_helpers import flat
from helpers import Invoke

TODAY = dt.datetime.now(dt.UTC).date()
START, END = TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=30)
PERIOD = f"{START}..{END}"


def make(q: Invoke, kind: str, *assignments: str) -> str:
    sets = [f"--set={a}" for a in assignments]
    result = q("-u", "quinn", "record", "create", kind, *sets, "--json")
    assert result.code == 0, result.err
    return str(json.loads(result.out)["key"])


def prepared(q: Invoke, *extra: str) -> dict[str, Any]:
    result = q("-u", "quinn", "review", "prepare", "--period", PERIOD, "--json", *extra)
    assert result.code == 0, result.err
    body: dict[str, Any] = json.loads(result.out)
    return body


def figures(body: dict[str, Any], letter: str) -> dict[str, list[str]]:
    (section,) = [s for s in body["sections"] if s["letter"] == letter]
    return {f["name"]: f["keys"] for f in section["figures"]}


def previous_review(q: Invoke) -> None:
    """MR-1 for the half year before START, with ACT-1 open and due yesterday; CMP-1 aware
    today."""
    make(
        q,
        "management_review",
        "title=Previous review",
        f"period_start={START - dt.timedelta(days=182)}",
        f"period_end={START - dt.timedelta(days=1)}",
    )
    make(q, "action", "title=Follow up", "owner=quinn", f"due_date={TODAY - dt.timedelta(days=1)}")
    assert q("-u", "quinn", "link", "add", "ACT-1", "action_of", "MR-1").code == 0
    make(
        q,
        "complaint",
        "title=Screen froze",
        f"awareness_date={TODAY}",
        "description=Froze twice.",
        "mdr_reportable=no",
    )


def test_prepare_as_tables_and_json(seeded: Invoke) -> None:
    q = seeded
    previous_review(q)
    body = prepared(q)
    assert (body["start"], body["end"], body["created"]) == (str(START), str(END), None)
    assert body["previous_review"]["key"] == "MR-1"
    assert [s["letter"] for s in body["sections"]] == list("abcdefghijkl")
    assert figures(body, "b") == {"received": ["CMP-1"], "closed": [], "open": ["CMP-1"]}
    assert figures(body, "i")["overdue"] == ["ACT-1"]
    text = q("-u", "quinn", "review", "prepare", "--period", PERIOD)
    assert text.code == 0, text.err
    printed = flat(text)
    assert f"Management review inputs {START} to {END} (ISO 13485:2016 5.6.2)" in printed
    assert "follows up MR-1 Previous review" in printed
    for heading in ("a) Feedback", "b) Complaint handling", "i) Follow-up actions"):
        assert heading in printed
    assert "1 complaint received; 0 closed in the period; 1 open at period end." in printed
    assert "No record kind of the profile holds recommendations for improvement" in printed
    assert "MR-2" not in printed, "nothing created without --create"


def test_create_opens_the_review_record(seeded: Invoke) -> None:
    q = seeded
    previous_review(q)
    made = q("-u", "quinn", "review", "prepare", "--period", PERIOD, "--create", "--title", "MR Q")
    assert made.code == 0, made.err
    assert f"created MR-2: management review for {START} to {END}" in flat(made)
    shown = json.loads(q("-u", "quinn", "record", "show", "MR-2", "--json").out)
    fields = shown["version"]["fields"]
    assert (shown["title"], fields["period_start"], fields["period_end"]) == (
        "MR Q",
        str(START),
        str(END),
    )
    assert "### b) Complaint handling" in fields["inputs_summary"]
    links = json.loads(q("-u", "quinn", "link", "list", "MR-2", "--json").out)
    assert [(x["type"], x["target"]) for x in links["out"]] == [("follows_up", "MR-1")]
    again = prepared(q, "--create")
    assert again["created"] == "MR-3" and again["previous_review"]["key"] == "MR-1"


def test_refusals_are_one_line(seeded: Invoke) -> None:
    q = seeded
    for period, message in [
        ("2026-01-01", "error: --period: '2026-01-01' is not FIRST..LAST"),
        ("2026-01-01..June", "does not name two dates"),
        ("2026-07-01..2026-06-30", "review period: start 2026-07-01 is after end 2026-06-30"),
        ("2020-01-01..2026-06-30", "is longer than 3 years"),
    ]:
        result = q("-u", "quinn", "review", "prepare", "--period", period)
        assert result.code == 2 and message in result.err, (period, result.err)
        assert len(result.err.splitlines()) == 1
    titled = q("-u", "quinn", "review", "prepare", "--period", PERIOD, "--title", "MR")
    assert titled.code == 2 and "give --create too" in titled.err
    anonymous = q("review", "prepare", "--period", PERIOD)
    assert anonymous.code == 2 and "--user" in anonymous.err
    refused = q("-u", "eve", "review", "prepare", "--period", PERIOD, "--create")
    assert refused.code == 2 and refused.err.startswith("error: ")
    listed = json.loads(
        q("-u", "quinn", "record", "list", "--kind", "management_review", "--json").out
    )
    assert listed["records"] == []
