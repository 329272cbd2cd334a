"""`qspine baseline …`: preview, create, approve (sign), show, list and compare through the CLI."""

from __future__ import annotations

import json

from cli_helpers import between, flat
from helpers import PASSWORD, Invoke, Result, sign_cli


def approve(q: Invoke, key: str, version: int) -> None:
    moved = q("-u", "eve", "record", "transition", key, "in_review", "--expect", str(version))
    assert moved.code == 0, moved.err
    assert sign_cli(q, "quinn", key, "approved", version, PASSWORD).code == 0


def members(result: Result) -> list[tuple[str, int]]:
    assert result.code == 0, result.err
    return [(m["key"], m["version"]) for m in json.loads(result.out)["members"]]


def test_baseline_create_approve_show_and_compare(seeded: Invoke) -> None:
    q = seeded
    approve(q, "REQ-1", 1)
    preview = q("-u", "eve", "baseline", "preview", "--kinds", "requirement,user_need", "--json")
    assert members(preview) == [("REQ-1", 1)]
    previewed = json.loads(preview.out)
    assert previewed["key"] is None and previewed["skipped"] == ["UN-1"]
    assert previewed["kinds"] == ["requirement", "user_need"]
    assert json.loads(q("-u", "eve", "baseline", "list", "--json").out) == [], "nothing saved"

    created = q(
        "-u",
        "quinn",
        "baseline",
        "create",
        "Design baseline 1",
        "--kinds",
        "requirement",
        "--kinds",
        "user_need",
        "--description",
        "Design review 1",
        "--reason",
        "DR1",
        "--json",
    )
    assert members(created) == [("REQ-1", 1)]
    first = json.loads(created.out)
    assert (first["key"], first["status"], first["intact"]) == ("BL-1", "draft", True)
    assert first["manifest"] == previewed["manifest"]
    assert sign_cli(q, "ada", "BL-1", "approved", 1, PASSWORD).code == 0
    shown = json.loads(q("-u", "eve", "baseline", "show", "BL-1", "--json").out)
    assert shown["status"] == "approved" and shown["signatures"][0]["valid"] is True
    assert shown["description"] == "Design review 1"
    unsigned = q("-u", "eve", "baseline", "show", "BL-1", "--as-of", first["created_at"], "--json")
    assert (json.loads(unsigned.out)["status"], json.loads(unsigned.out)["signatures"]) == (
        "draft",
        [],
    )
    human = flat(q("-u", "eve", "baseline", "show", "BL-1"))
    assert "BL-1 Design baseline 1 · approved" in human and "members intact: yes" in human
    assert "Ada Lovelace (ada) — Approved" in human
    after_first, _ = between()

    revised = q(
        "-u",
        "eve",
        "record",
        "revise",
        "REQ-1",
        "--set",
        "statement=Show it with a 95% CI.",
        "--expect",
        "1",
        "--reason",
        "add CI",
    )
    assert revised.code == 0, revised.err
    approve(q, "REQ-1", 2)
    against_now = json.loads(q("-u", "eve", "baseline", "compare", "BL-1", "--json").out)
    assert against_now["right"] == "now"
    assert (against_now["added"], against_now["removed"], against_now["changed"]) == (0, 0, 1)
    (change,) = against_now["changes"]
    assert (change["key"], change["change"], change["before"], change["after"]) == (
        "REQ-1",
        "changed",
        1,
        2,
    )
    assert [(f["field"], f["after"]) for f in change["fields"]] == [
        ("statement", "Show it with a 95% CI.")
    ]
    then = q("-u", "eve", "baseline", "compare", "BL-1", "--as-of", after_first, "--json")
    assert json.loads(then.out)["changes"] == [] and json.loads(then.out)["unchanged"] == 1

    second = q(
        "-u", "quinn", "baseline", "create", "Design baseline 2", "--keys", "REQ-1", "--json"
    )
    assert members(second) == [("REQ-1", 2)]
    listed = json.loads(q("-u", "eve", "baseline", "list", "--json").out)
    assert sorted((b["key"], b["status"]) for b in listed) == [
        ("BL-1", "approved"),
        ("BL-2", "draft"),
    ]
    compared = q("-u", "eve", "baseline", "compare", "BL-1", "BL-2")
    text = flat(compared)
    assert compared.code == 0 and "REQ-1 v1 → v2" in text and "95% CI" in text
    assert "changed REQ-1 requirement Show likelihood v1 v2" in " ".join(
        text.replace("│", " ").split()
    )
