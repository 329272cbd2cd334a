"""The CLI's happy paths: each command calls one service and prints a table or JSON."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from qspine import load_profile
from qspine.reports.profile_reference import profile_reference

from helpers import PASSWORD, Invoke, sign_cli


def test_record_lifecycle_signing_and_suspect_links_through_the_cli(seeded: Invoke) -> None:
    q = seeded
    assert (
        q(
            "-u",
            "eve",
            "record",
            "create",
            "test_case",
            "--set",
            "title=Likelihood shown",
            "--set",
            "method=test",
            "--set",
            "procedure=Open a case.",
            "--set",
            "acceptance_criteria=Likelihood visible.",
        ).code
        == 0
    )
    assert (
        q("-u", "eve", "link", "add", "TC-1", "verifies", "REQ-1", "--reason", "covers").code == 0
    )
    assert q("-u", "eve", "record", "transition", "REQ-1", "in_review", "--expect", "1").code == 0
    signed = sign_cli(q, "quinn", "REQ-1", "approved", 1, PASSWORD, as_json=True)
    assert signed.code == 0, signed.err
    assert json.loads(signed.out)["manifestation"].startswith("Quinn Quality (quinn) — Approved")
    shown = json.loads(q("record", "show", "REQ-1", "--json").out)
    assert shown["status"] == "approved" and shown["signatures"][0]["valid"] is True
    assert "Quinn Quality (quinn) — Approved" in q("record", "show", "REQ-1").out

    assert (
        q(
            "-u",
            "eve",
            "record",
            "revise",
            "REQ-1",
            "--set",
            "statement=Show it with a CI.",
            "--expect",
            "1",
            "--reason",
            "add CI",
        ).code
        == 0
    )
    assert q("-u", "eve", "record", "transition", "REQ-1", "in_review", "--expect", "2").code == 0
    assert sign_cli(q, "quinn", "REQ-1", "approved", 2, PASSWORD).code == 0
    suspect = json.loads(q("link", "suspect", "--json").out)
    assert [(s["source"], s["target"]) for s in suspect] == [("TC-1", "REQ-1")]
    assert "SUSPECT" in q("link", "list", "TC-1").out
    assert q("-u", "eve", "link", "confirm", "TC-1", "verifies", "REQ-1").code == 0
    assert json.loads(q("link", "suspect", "--json").out) == []

    history = json.loads(q("record", "history", "REQ-1", "--json").out)
    assert [v["status"] for v in history] == ["superseded", "approved"]
    diff = json.loads(q("record", "diff", "REQ-1", "1", "2", "--json").out)
    assert [d["field"] for d in diff] == ["statement"]
    listed = json.loads(q("record", "list", "--kind", "requirement", "--json").out)
    assert listed["total"] == 1 and listed["records"][0]["status"] == "approved"
    log = json.loads(q("audit", "log", "REQ-1", "--json").out)
    assert {e["action"] for e in log} >= {"record.create", "record.revise", "signature.create"}
    verified = q("audit", "verify")
    assert verified.code == 0 and "intact" in verified.out


def test_blob_user_and_profile_commands(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    sop = tmp_path / "SOP-001.md"
    sop.write_text("# Document control\n")
    added = json.loads(q("-u", "quinn", "blob", "add", str(sop), "--json").out)
    assert len(added["sha256"]) == 64
    created = q(
        "-u",
        "quinn",
        "record",
        "create",
        "document",
        "--set",
        "title=Document control",
        "--set",
        "doc_number=SOP-001",
        "--set",
        "document_type=sop",
        "--set",
        f"file={added['sha256']}",
        "--json",
    )
    assert created.code == 0, created.err
    users = json.loads(q("user", "list", "--json").out)
    assert [u["username"] for u in users] == ["ada", "eve", "quinn"]
    assert (
        q(
            "-u",
            "ada",
            "user",
            "roles",
            "eve",
            "--role",
            "design_engineer",
            "--role",
            "test_engineer",
            "--reason",
            "covers V&V",
        ).code
        == 0
    )
    assert q("profile", "show").code == 0
    profile = json.loads(q("profile", "show", "--json").out)
    assert "requirement" in profile["kinds"]


def test_reference_docs_are_generated_and_current(tmp_path: Path) -> None:
    """docs/cli.md and docs/profile.md come from the code; `scripts/docs` regenerates them."""
    docs = Path(__file__).resolve().parents[2] / "docs"
    fresh = tmp_path / "cli.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "typer",
            "qspine.cli.main",
            "utils",
            "docs",
            "--name",
            "qspine",
            "--output",
            str(fresh),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert fresh.read_text() == (docs / "cli.md").read_text(), "run scripts/docs"
    assert profile_reference(load_profile()) == (docs / "profile.md").read_text(), (
        "run scripts/docs"
    )
    for command in ("qspine record create", "qspine sign", "qspine audit verify", "qspine demo"):
        assert f"`{command}" in fresh.read_text()


def test_console_script_and_module_entry_points(tmp_path: Path) -> None:
    env_db = f"sqlite:///{tmp_path / 'x.db'}"
    for command in (
        [sys.executable, "-m", "qspine"],
        [str(Path(sys.executable).parent / "qspine")],
    ):
        done = subprocess.run(
            [*command, "--db", env_db, "record", "show", "REQ-1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2 and done.stderr == "error: no record REQ-1\n"


def test_settings_reference_is_current() -> None:
    from qspine.reports.settings_reference import settings_reference

    docs = Path(__file__).resolve().parents[2] / "docs" / "settings.md"
    assert settings_reference() == docs.read_text(), "run scripts/docs"


def test_token_commands(seeded: Invoke) -> None:
    q = seeded
    wrong = q("-u", "eve", "token", "create", "--name", "CI", "--password-stdin", stdin="nope\n")
    assert wrong.code == 2 and "authentication failed" in wrong.err
    made = q(
        "-u",
        "eve",
        "token",
        "create",
        "--name",
        "CI",
        "--days",
        "30",
        "--password-stdin",
        "--json",
        stdin=PASSWORD + "\n",
    )
    assert made.code == 0, made.err
    created = json.loads(made.out)
    assert created["token"].startswith("qsp_") and created["info"]["name"] == "CI"
    listed = json.loads(q("-u", "eve", "token", "list", "--json").out)
    assert [t["prefix"] for t in listed] == [created["token"][:10]]
    assert q("-u", "eve", "token", "revoke", str(created["info"]["id"])).code == 0
    assert json.loads(q("-u", "eve", "token", "list", "--json").out)[0]["revoked_at"]
    assert q("-u", "quinn", "token", "revoke", str(created["info"]["id"])).code == 2


def test_trace_and_impact_commands(seeded: Invoke) -> None:
    q = seeded
    assert q("-u", "eve", "link", "add", "REQ-1", "derives_from", "UN-1").code == 0
    down = json.loads(q("-u", "eve", "trace", "UN-1", "--json").out)
    assert [(n["key"], n["depth"]) for n in down["nodes"]] == [("UN-1", 0), ("REQ-1", 1)]
    shown = q("-u", "eve", "trace", "REQ-1", "--up")
    assert shown.code == 0 and "derives_from" in shown.out and "UN-1" in shown.out
    impact = json.loads(q("-u", "eve", "impact", "UN-1", "--json").out)
    assert impact["total"] == 1 and impact["will_turn_suspect"][0]["source"] == "REQ-1"
    assert "links that turn suspect" in q("-u", "eve", "impact", "UN-1").out
    both = q("-u", "eve", "trace", "REQ-1", "--up", "--down")
    assert both.code == 2 and both.err.count("\n") == 1


def test_matrix_command(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    assert q("-u", "eve", "link", "add", "REQ-1", "derives_from", "UN-1").code == 0
    shown = q("-u", "eve", "matrix", "design_verification")
    assert shown.code == 0 and "1 with gaps" in shown.out
    data = json.loads(q("-u", "eve", "matrix", "design_verification", "-f", "json").out)
    assert [c and c["key"] for c in data["rows"][0]["cells"]] == ["UN-1", "REQ-1", None, None]
    target = tmp_path / "m.xlsx"
    assert (
        q("-u", "eve", "matrix", "design_verification", "-f", "xlsx", "-o", str(target)).code == 0
    )
    assert target.read_bytes()[:2] == b"PK"
    gaps = q("-u", "eve", "matrix", "design_verification", "-f", "csv", "--gaps-only").out
    assert len(gaps.splitlines()) == 2
    written = tmp_path / "m.csv"
    said = q("-u", "eve", "matrix", "design_verification", "-f", "csv", "-o", str(written)).out
    digest = hashlib.sha256(written.read_bytes()).hexdigest()
    assert f"fingerprint {digest[:16]}" in said, "the fingerprint is the file's SHA-256"
    assert q("-u", "eve", "matrix", "design_verification", "-f", "xlsx").code == 2
    assert q("-u", "eve", "matrix", "nope").code == 2


def test_rules_reference_is_generated_from_the_rules() -> None:
    from qspine.reports.rules_reference import rules_reference

    docs = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    text = rules_reference(load_profile())
    assert text == docs.read_text(), "run scripts/docs"
    # both engines are in it, each rule with its checks in words or its code's place
    assert "## DES-VER-001" in text
    assert "- Checks: every requirement where status = approved" in text
    assert "## DOC-REF-001" in text and "Python: qspine.rules.qmsr.documents." in text


def test_record_text_is_printed_as_text_not_read_as_markup(seeded: Invoke) -> None:
    """A title or field holding Rich markup ('[/x]', '[bold]') prints as typed; it used to
    crash `record show` after the record was written."""
    made = seeded(
        "-u", "eve", "record", "create", "test_case",
        "--set", "title=Alarm [/x] shown",
        "--set", "method=test",
        "--set", "procedure=Press [bold] then [/bold].",
        "--set", "acceptance_criteria=Visible.",
    )  # fmt: skip
    assert made.code == 0, made.err
    shown = seeded("record", "show", "TC-1")
    assert shown.code == 0, shown.err
    assert "TC-1 Alarm [/x] shown" in shown.out and "Press [bold] then [/bold]." in shown.out
