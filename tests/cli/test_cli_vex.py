"""`qspine vuln list|triage` and `qspine vex import|export` through the CLI: a signed triage,
a VEX round trip through a release, and refusals as one line on stderr (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import flat
from helpers import PASSWORD, Invoke


def setup_release(q: Invoke, tmp_path: Path) -> dict[str, str]:
    """REL-1 with requests and numpy, and two vulnerabilities of them."""
    made = q(
        "-u", "eve", "record", "create", "release", "--set", "title=CytoAssist 2.0",
        "--set", "version_label=2.0", "--set", "product=CytoAssist", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    release = str(json.loads(made.out)["key"])
    bom = tmp_path / "bom.json"
    bom.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.5",
                "version": 1,
                "components": [
                    {"type": "library", "name": n, "version": v, "purl": f"pkg:pypi/{n}@{v}"}
                    for n, v in (("requests", "2.19.0"), ("numpy", "1.26.4"))
                ],
            }
        )
    )
    assert q("-u", "quinn", "sbom", "import", str(bom), "--release", release).code == 0
    listed = json.loads(q("-u", "eve", "sbom", "components", release, "--json").out)
    components = {c["fields"]["name"]: c["key"] for c in listed}
    keys = {"release": release}
    for name, identifier in (("requests", "PYSEC-2023-74"), ("numpy", "GHSA-numpy-0001")):
        made = q(
            "-u", "quinn", "record", "create", "vulnerability",
            "--set", f"title={identifier}", "--set", f"identifier={identifier}",
            "--set", "aliases=CVE-2023-32681" if name == "requests" else "aliases=",
            "--set", "discovered_on=2026-02-20", "--set", "triage_state=under_investigation",
            "--json",
        )  # fmt: skip
        assert made.code == 0, made.err
        keys[name] = str(json.loads(made.out)["key"])
        linked = q("-u", "quinn", "link", "add", keys[name], "affects", components[name])
        assert linked.code == 0, linked.err
    return keys


def test_triage_then_list_then_export_and_import(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    keys = setup_release(q, tmp_path)
    triaged = q(
        "-u", "quinn", "vuln", "triage", keys["requests"], "--state", "not_affected",
        "--justification", "vulnerable_code_not_in_execute_path",
        "--detail", "Redirects never carry credentials.", "--patient-risk", "controlled",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert triaged.code == 0, triaged.err
    assert f"{keys['requests']} v2: not_affected (vulnerable_code_not_in_execute_path)" in flat(
        triaged
    )
    assert "Quinn Quality (quinn) — Triaged" in flat(triaged)

    listed = json.loads(q("-u", "eve", "vuln", "list", "--release", keys["release"], "--json").out)
    assert listed["counts"]["not_affected"] == 1
    rows = {r["key"]: r for r in listed["rows"]}
    assert rows[keys["requests"]]["signed_by"] == "Quinn Quality (quinn)"
    assert rows[keys["numpy"]]["triage_state"] == "under_investigation"
    shown = json.loads(q("-u", "eve", "vuln", "list", "--state", "not_affected", "--json").out)
    assert [r["identifier"] for r in shown["rows"]] == ["PYSEC-2023-74"]
    printed = q("-u", "eve", "vuln", "list")
    assert printed.code == 0
    assert "under_investigation: 1, affected: 0, not_affected: 1, fixed: 0" in flat(printed)

    out = tmp_path / "rel.openvex.json"
    exported = q(
        "-u", "eve", "vex", "export", "--release", keys["release"], "--format", "openvex",
        "-o", str(out),
    )  # fmt: skip
    assert exported.code == 0, exported.err
    statements = json.loads(out.read_text())["statements"]
    assert {s["vulnerability"]["name"]: s["status"] for s in statements} == {
        "PYSEC-2023-74": "not_affected",
        "GHSA-numpy-0001": "under_investigation",
    }
    # a supplier says numpy is fixed: import it, signed
    statements[1] |= {"status": "fixed", "status_notes": "Patched build of numpy."}
    out.write_text(json.dumps(json.loads(out.read_text()) | {"statements": statements}))
    imported = q(
        "-u", "quinn", "vex", "import", str(out), "--release", keys["release"],
        "--password-stdin", "--json",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert imported.code == 0, imported.err
    report = json.loads(imported.out)
    assert [(a["key"], a["state"]) for a in report["applied"]] == [(keys["numpy"], "fixed")]
    assert len(report["unchanged"]) == 1
    text = q("-u", "eve", "vex", "export", "--release", keys["release"])  # CycloneDX to stdout
    document = json.loads(text.out)
    assert document["specVersion"] == "1.6"
    assert sorted(v["analysis"]["state"] for v in document["vulnerabilities"]) == [
        "not_affected",
        "resolved",
    ]


def test_refusals_are_one_line_and_exit_2(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    keys = setup_release(q, tmp_path)
    missing = q(
        "-u", "quinn", "vuln", "triage", keys["numpy"], "--state", "not_affected",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert missing.code == 2
    assert "a not_affected decision needs a VEX justification" in missing.err
    wrong = q(
        "-u", "quinn", "vuln", "triage", keys["numpy"], "--state", "fixed", "--detail", "done",
        "--password-stdin", stdin="nope\n",
    )  # fmt: skip
    assert wrong.code == 2 and "authentication failed" in wrong.err
    forbidden = q(
        "-u", "eve", "vuln", "triage", keys["numpy"], "--state", "fixed", "--detail", "done",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert forbidden.code == 2 and "eve" in forbidden.err
    stale = q(
        "-u", "quinn", "vuln", "triage", keys["numpy"], "--state", "fixed", "--detail", "done",
        "--expect", "4", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert stale.code == 2 and "you acted on v4" in stale.err
    broken = tmp_path / "broken.json"
    broken.write_text('{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}')
    refused = q(
        "-u", "quinn", "vex", "import", str(broken), "--release", keys["release"],
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert refused.code == 2 and "error: broken.json: " in refused.err
    assert q("-u", "eve", "vex", "export", "--release", keys["release"], "-f", "csaf").code == 2
    listed = json.loads(q("-u", "eve", "vuln", "list", "--json").out)
    assert {r["version"] for r in listed["rows"]} == {1}  # nothing was written
