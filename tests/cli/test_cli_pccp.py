"""`qspine pccp check|list`: the verdict in words, exit 1 when outside or not under a PCCP."""

from __future__ import annotations

import json

from cli_helpers import flat
from helpers import Invoke


def create(q: Invoke, kind: str, **fields: str) -> str:
    sets = [part for name, value in fields.items() for part in ("--set", f"{name}={value}")]
    made = q("-u", "quinn", "record", "create", kind, *sets, "--json")
    assert made.code == 0, made.err
    return str(json.loads(made.out)["key"])


def model(q: Invoke, title: str, weights: str, threshold: str) -> str:
    return create(
        q, "model_version", title=title, version_label=title, weights_sha256=weights * 64,
        decision_threshold=threshold,
    )  # fmt: skip


def link(q: Invoke, source: str, type_: str, target: str) -> None:
    done = q("-u", "quinn", "link", "add", source, type_, target)
    assert done.code == 0, done.err


def test_check_and_list(seeded: Invoke) -> None:
    q = seeded
    base = model(q, "CytoNet 1", "a", "0.5")
    plan = create(
        q, "pccp_modification", title="Retrain", pccp_version="PCCP-CA-01 v1.0",
        modification_id="M2", description="Retrain.", modification_protocol="Protocol.",
        impact_assessment="Impact.", envelope="may change: weights_sha256",
    )  # fmt: skip
    inside = model(q, "CytoNet 2", "b", "0.5")
    outside = model(q, "CytoNet 3", "c", "0.4")
    for new in (inside, outside):
        link(q, new, "implements_modification", plan)
        link(q, new, "modifies_model", base)

    good = q("-u", "eve", "pccp", "check", inside)
    assert good.code == 0, good.err
    assert f"{inside} v1 CytoNet 2 (draft): WITHIN the PCCP" in flat(good)
    assert "✓ weights_sha256 changed from aaaaaaaaaaaa… to bbbbbbbbbbbb… (allowed)" in flat(good)
    assert "current version (draft; none approved)" in flat(good)

    bad = q("-u", "eve", "pccp", "check", outside, "--json")
    assert bad.code == 1
    report = json.loads(bad.out)
    assert report["within"] is False and report["under_pccp"] is True
    assert report["checks"][0]["check"]["findings"] == [
        "decision_threshold changed from 0.5 to 0.4; the envelope does not allow it to change "
        "(may change: weights_sha256)"
    ]

    lone = q("-u", "eve", "pccp", "check", base)
    assert lone.code == 1 and "not under a PCCP" in flat(lone)

    listed = q("-u", "eve", "pccp", "list")
    assert listed.code == 0, listed.err
    assert plan in listed.out and "OUTSIDE" in listed.out
    as_json = json.loads(q("-u", "eve", "pccp", "list", "--json").out)
    assert [(m["key"], m["within"]) for m in as_json[0]["models"]] == [
        (inside, True),
        (outside, False),
    ]

    missing = q("-u", "eve", "pccp", "check", "MV-99")
    assert missing.code == 2 and "no model version MV-99" in missing.err


def test_list_prints_titles_as_text_not_markup(seeded: Invoke) -> None:
    """A modification's title is people's text: '[/]' in it once made `pccp list` fail."""
    q = seeded
    create(
        q, "pccp_modification", title="Re-fit [/] [bold]M1[/bold]", pccp_version="P [v1]",
        modification_id="M1", description="d", modification_protocol="p",
        impact_assessment="i", envelope="may change: weights_sha256",
    )  # fmt: skip
    listed = q("-u", "eve", "pccp", "list")
    assert listed.code == 0, listed.err
    assert "[/]" in listed.out and "[bold]M1[/bold]" in flat(listed) and "[v1]" in listed.out
