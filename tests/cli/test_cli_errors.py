"""Every invalid input: exit code 2, exactly one line on stderr, and an unchanged database."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import PASSWORD, Invoke, db_state, sign_cli

INVALID = [
    (["record", "create", "nonsense"], "unknown kind 'nonsense'"),
    (
        ["-u", "eve", "record", "create", "requirement", "--set", "title=x"],
        "field 'statement' is required",
    ),
    (["-u", "eve", "record", "create", "requirement", "--set", "bogus"], "write field=value"),
    (
        ["record", "create", "requirement", "--set", "title=x", "--set", "statement=y"],
        "say who you are",
    ),
    (
        [
            "-u",
            "eve",
            "record",
            "create",
            "requirement",
            "--set",
            "title=x",
            "--set",
            "statement=y",
            "--set",
            "category=fun",
        ],
        "'fun' is not one of",
    ),
    (
        ["-u", "eve", "record", "create", "requirement", "--set", "title=x", "--set", "colour=red"],
        "unknown field 'colour'",
    ),
    (
        [
            "-u",
            "eve",
            "record",
            "revise",
            "REQ-1",
            "--set",
            "title=z",
            "--expect",
            "9",
            "--reason",
            "r",
        ],
        "you acted on v9 but v1 is current",
    ),
    (
        ["-u", "eve", "record", "revise", "REQ-1", "--set", "title=z", "--reason", "r"],
        "Missing option '--expect'",
    ),
    (
        [
            "-u",
            "eve",
            "record",
            "revise",
            "REQ-1",
            "--unset",
            "colour",
            "--expect",
            "1",
            "--reason",
            "r",
        ],
        "unknown field 'colour'",
    ),
    (["-u", "eve", "record", "transition", "REQ-1", "approved", "--expect", "1"], "no transition"),
    (
        ["-u", "eve", "record", "transition", "REQ-1", "in_review", "--expect", "x"],
        "Invalid value for '--expect'",
    ),
    (["record", "show", "REQ-999"], "no record REQ-999"),
    (["-u", "eve", "link", "add", "REQ-1", "verifies", "UN-1"], "'verifies' goes from test_case"),
    (["-u", "eve", "link", "remove", "REQ-1", "derives_from", "UN-1", "--reason", "x"], "no link"),
    (["-u", "nobody", "link", "add", "REQ-1", "derives_from", "UN-1"], "nobody is not a user"),
    (["--db", "mysql://x/y", "record", "list"], "only sqlite and postgresql"),
    (["--db", "sqlite:////no/such/folder/x.db", "record", "list"], "does not exist"),
    (["--profile", "/no/such/profile.yaml", "record", "list"], "no such profile file"),
    (["record", "list", "--limit", "abc"], "Invalid value for '--limit'"),
    (["record", "list", "--limit", "0"], "limit is 1..10000"),
    (["record", "list", "--kind", "nonsense"], "unknown kind 'nonsense'"),
    (["record", "list", "--where", "novalue"], "write field=value"),
    (["record", "diff", "REQ-1", "1", "5"], "has no version 5"),
    (["nonsense-command"], "No such command"),
    (
        [
            "-u",
            "quinn",
            "sign",
            "REQ-1",
            "--meaning",
            "blessed",
            "--expect",
            "1",
            "--password-stdin",
        ],
        "unknown signature meaning 'blessed'",
    ),
    (["-u", "eve", "blob", "add", "/no/such/file.pdf"], "no such file"),
    (
        ["user", "add", "zed", "--name", "Zed", "--role", "wizard", "--password-stdin"],
        "unknown role 'wizard'",
    ),
    (
        [
            "-u",
            "ada",
            "user",
            "add",
            "zed",
            "--name",
            "Zed",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "at least 10 characters",
    ),
    (["-u", "eve", "user", "roles", "eve", "--role", "admin", "--reason", "me"], "lacks admin"),
    (
        ["-u", "eve", "sign", "REQ-1", "--meaning", "approved", "--expect", "1"],
        "not what this state needs",
    ),
    (
        ["-u", "eve", "sign", "REQ-1", "--meaning", "reviewed", "--expect", "1"],
        "use --password-stdin",
    ),
    (["record", "show", "REQ-1", "--as-of", "yesterday"], "as-of 'yesterday': give an ISO 8601"),
    (["-u", "eve", "trace", "REQ-1", "--as-of", "2999-01-01"], "'2999-01-01' is in the future"),
    (["-u", "eve", "impact", "REQ-1", "--as-of", "2026-03-01T12:00:00"], "give the UTC offset"),
    (
        ["-u", "eve", "matrix", "design_verification", "--as-of", "0001-01-01T00:00:00+01:00"],
        "as-of '0001-01-01T00:00:00+01:00' is out of range",
    ),
    (["-u", "eve", "matrix", "--all", "-f", "csv"], "--all writes one workbook"),
    (["-u", "eve", "matrix", "-f", "json"], "name a matrix (design_verification"),
    (
        ["-u", "eve", "matrix", "design_verification", "-f", "pdf"],
        "one of table, json, csv, xlsx, html",
    ),
    (["baseline", "create", "B", "--kinds", "requirement"], "say who you are"),
    (["-u", "quinn", "baseline", "create", "B"], "name kinds and/or record keys"),
    (["-u", "quinn", "baseline", "create", "B", "--keys", "REQ-1"], "REQ-1 had no released"),
    (["-u", "quinn", "baseline", "create", "B", "--keys", "REQ-1,REQ-9"], "no record REQ-9"),
    (["-u", "quinn", "baseline", "create", "B", "-k", "requirment"], "unknown kind 'requirment'"),
    (
        ["-u", "quinn", "baseline", "create", "B", "-k", "requirement", "--as-of", "soon"],
        "as-of 'soon'",
    ),
    (["-u", "eve", "baseline", "show", "REQ-1"], "REQ-1 is a requirement, not a baseline"),
    (["-u", "eve", "baseline", "compare", "BL-9"], "no record BL-9"),
    (
        ["-u", "eve", "baseline", "preview", "-k", "requirement", "--as-of", "2999-01-01"],
        "is in the future",
    ),
]


@pytest.mark.parametrize(("args", "message"), INVALID, ids=[" ".join(a)[:60] for a, _ in INVALID])
def test_invalid_input_exits_2_with_one_line_and_writes_nothing(
    seeded: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    before = db_state(db_file)
    stdin = "short\n" if "user" in args and "add" in args else ""
    result = seeded(*args, stdin=stdin)
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("error: ")
    assert message in result.err
    assert db_state(db_file) == before


def test_wrong_password_is_exit_2_and_only_the_failed_attempt_is_recorded(
    seeded: Invoke, db_file: Path
) -> None:
    assert (
        seeded("-u", "eve", "record", "transition", "REQ-1", "in_review", "--expect", "1").code == 0
    )
    result = sign_cli(seeded, "quinn", "REQ-1", "approved", 1, "not the password")
    assert (
        result.code == 2
        and result.err == "error: authentication failed: wrong username or password\n"
    )
    log = seeded("audit", "log", "user:quinn", "--json").out
    assert '"auth.failed"' in log
    assert "approved" not in seeded("record", "show", "REQ-1").out.split("next:")[0].split("·")[2]
    assert sign_cli(seeded, "quinn", "REQ-1", "approved", 1, PASSWORD).code == 0
