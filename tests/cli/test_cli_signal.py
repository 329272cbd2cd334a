"""`qspine signal`: the CytoAssist demo's complaints followed hop by hop, as text and JSON, now
and as of a past instant; every error one line and exit 2."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from qspine.model.asof import stamp

from helpers import DemoTemplate, Invoke, Result, demo_copy

CMP_5 = {
    "event": "ok",
    "investigation": "ok",
    "risk": "ok",
    "design_change": "partial",
    "verification": "partial",
    "release": "missing",
}
UNINVESTIGATED = {
    "event": "ok",
    "investigation": "missing",
    "risk": "not_reached",
    "design_change": "not_reached",
    "verification": "not_reached",
    "release": "not_reached",
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Path:
    """The demo seeded once per module; each test gets a copy (seeding takes seconds)."""
    folder = tmp_path_factory.mktemp("signal-demo")
    demo_copy(demo_template, folder)
    return folder / "demo.db"


@pytest.fixture
def demo(qspine: Invoke, db_file: Path, demo_db: Path) -> Invoke:
    shutil.copyfile(demo_db, db_file)
    return qspine


def flat(result: Result) -> str:
    """The printed text with rich's line wrapping undone."""
    return " ".join(result.out.split())


def states(chain: dict[str, Any]) -> dict[str, str]:
    return {hop["step"]: hop["state"] for hop in chain["hops"]}


def found(chain: dict[str, Any], step: str) -> list[str]:
    return [r["key"] for hop in chain["hops"] if hop["step"] == step for r in hop["records"]]


def findings(chain: dict[str, Any], step: str) -> list[str]:
    return [f for hop in chain["hops"] if hop["step"] == step for f in hop["findings"]]


def follow(q: Invoke, key: str, *extra: str) -> dict[str, Any]:
    result = q("-u", "dana", "signal", key, "--json", *extra)
    assert result.code == 0, result.err
    chain: dict[str, Any] = json.loads(result.out)
    return chain


def test_each_hop_in_order_with_its_badge_records_and_findings(demo: Invoke) -> None:
    shown = demo("-u", "dana", "signal", "CMP-5")
    assert shown.code == 0, shown.err  # broken hops are an answer, not a failure
    text = flat(shown)
    assert text.startswith("CMP-5 Delayed diagnosis after a low-likelihood estimate (complaint)")
    assert "as of now" in text
    order = [
        "1. Quality event ✔ ok",
        "2. Investigation (CAPA) ✔ ok",
        "CAPA-3 v1 investigating — Sensitivity below target in production",
        "via CAPA-3 addresses CMP-5",
        "3. Risk records assessed ✔ ok",
        "HAZ-1 v1 approved",
        "approved by Lena Kowalski at ",
        "HARM-1 v1 approved",
        "4. Design change ◐ partial",
        "MV-2 v1 in_review",
        "→ MV-2 v1: not revised since CR-2 was raised",
        "5. Verification re-run ◐ partial",
        "→ no test case verifies MV-2",
        "6. Release that ships it ✘ missing",
        "REL-2 v1 in_review",
        "not released yet",
        "→ no released version ships REQ-2, MV-2",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert text.endswith(
        "3 broken hop(s): Design change — partial, Verification re-run — partial, "
        "Release that ships it — missing"
    )

    bare = flat(demo("-u", "dana", "signal", "CMP-4"))
    assert bare.count("· not reached") == 4 and "2. Investigation (CAPA) ✘ missing" in bare
    assert bare.endswith("1 broken hop(s): Investigation (CAPA) — missing")
    settled = demo("-u", "dana", "signal", "CMP-1")
    assert settled.code == 0 and flat(settled).endswith("chain complete")


def test_json_is_the_chain(demo: Invoke) -> None:
    chain = follow(demo, "CMP-5")
    assert states(chain) == CMP_5 and chain["as_of"] is None
    assert found(chain, "investigation") == ["CAPA-3"]
    assert found(chain, "risk") == ["HAZ-1", "HS-1", "RC-1", "HARM-1"]
    assert found(chain, "design_change") == ["CR-2", "REQ-2", "MV-2"]
    assert findings(chain, "design_change") == ["MV-2 v1: not revised since CR-2 was raised"]
    assert [h["step"] for h in chain["broken"]] == ["design_change", "verification", "release"]
    assert chain["complete"] is False
    (haz,) = [r for h in chain["hops"] for r in h["records"] if r["key"] == "HAZ-1"]
    (signature,) = haz["signatures"]
    assert (signature["meaning"], signature["printed_name"], signature["valid"]) == (
        "approved",
        "Lena Kowalski",
        True,
    )
    assert states(follow(demo, "CMP-4")) == UNINVESTIGATED


def test_as_of_shows_the_chain_before_a_capa_was_linked(demo: Invoke) -> None:
    time.sleep(0.002)
    before = dt.datetime.now(dt.UTC)
    time.sleep(0.002)
    linked = demo("-u", "marco", "link", "add", "CAPA-1", "addresses", "CMP-4")
    assert linked.code == 0, linked.err

    now = follow(demo, "CMP-4")
    assert states(now)["investigation"] == "ok" and found(now, "investigation") == ["CAPA-1"]
    then = follow(demo, "CMP-4", "--as-of", before.isoformat())
    assert states(then) == UNINVESTIGATED and then["as_of"] == before.isoformat().replace(
        "+00:00", "Z"
    )
    shown = flat(demo("-u", "dana", "signal", "CMP-4", "--as-of", before.isoformat()))
    assert f"as of {stamp(before)}" in shown and "✘ missing" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["REQ-1"],
            "signal: REQ-1 is a requirement; follow a quality event (complaint, "
            "nonconformance, finding, post_market_signal, vulnerability, capa)",
        ),
        (["CMP-99"], "no record CMP-99"),
        (
            ["CMP-5", "--as-of", "yesterday"],
            "as-of 'yesterday': give an ISO 8601 UTC instant such as 2026-03-01T12:00:00Z "
            "or a date such as 2026-03-01",
        ),
        (["CMP-5", "--as-of", "2999-01-01"], "as-of '2999-01-01' is in the future"),
        (["CMP-5", "--as-of", "2020-01-01"], "CMP-5 did not exist yet at 2020-01-01T23:59:59"),
    ],
)
def test_errors_are_one_line_and_exit_2(demo: Invoke, args: list[str], message: str) -> None:
    for extra in ([], ["--json"]):
        result = demo("-u", "dana", "signal", *args, *extra)
        assert result.code == 2 and result.out == ""
        assert result.err.startswith(f"error: {message}") and result.err.count("\n") == 1


def test_who_reads_must_be_named(demo: Invoke) -> None:
    result = demo("signal", "CMP-5")
    assert result.code == 2 and "say who you are" in result.err
