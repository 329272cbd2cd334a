"""`qspine vulndb import|status|match` on real advisories from ../shared/data: counts, the
status tables, a match that records a vulnerability, and one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import PASSWORD, SHARED_DATA, Invoke

PREVIEWER = SHARED_DATA / "osv-pypa-advisory-database/vulns/invenio-previewer/PYSEC-2019-26.yaml"
GIN = SHARED_DATA / "osv-golang-vulndb/data/osv/GO-2020-0001.json"

pytestmark = pytest.mark.skipif(
    not PREVIEWER.exists(), reason=f"the shared data folder {SHARED_DATA} is absent"
)


def sbom(tmp_path: Path) -> Path:
    components = [
        ("pypi", "invenio-previewer", "1.0.0a11"),
        ("golang", "github.com/gin-gonic/gin", "v1.6.0"),  # fixed in 1.6.0
    ]
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {
                "type": "library",
                "bom-ref": f"pkg:{t}/{n}@{v}",
                "name": n,
                "version": v,
                "purl": f"pkg:{t}/{n}@{v}",
            }
            for t, n, v in components
        ],
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(document))
    return path


def test_import_status_and_match(seeded: Invoke, tmp_path: Path) -> None:
    qspine = seeded
    add = qspine(
        "-u", "ada", "user", "add", "sam", "--name", "Sam Security", "--role",
        "security_engineer", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert add.code == 0, add.err
    folder = tmp_path / "osv"
    folder.mkdir()
    for file in (PREVIEWER, GIN):
        shutil.copyfile(file, folder / file.name)
    imported = qspine("-u", "sam", "vulndb", "import", str(folder), "--source", "mixed")
    assert imported.code == 0, imported.err
    assert "2 record(s): 2 new, 0 updated, 0 unchanged" in " ".join(imported.out.split())
    again = qspine("-u", "sam", "vulndb", "import", str(folder), "--source", "mixed", "--json")
    assert json.loads(again.out)["unchanged"] == 2
    status = qspine("-u", "sam", "vulndb", "status")
    assert status.code == 0 and "Go" in status.out and "PyPI" in status.out
    assert "2 advisories (0 withdrawn)" in status.out
    release = qspine(
        "-u", "sam", "record", "create", "release", "--set", "title=A 1", "--set",
        "version_label=1", "--set", "security_owner=sam", "--json",
    )  # fmt: skip
    assert release.code == 0, release.err
    key = json.loads(release.out)["key"]
    assert qspine("-u", "sam", "sbom", "import", str(sbom(tmp_path)), "--release", key).code == 0
    printed = qspine("-u", "sam", "vulndb", "match", "--release", key)
    assert printed.code == 0, printed.err
    text = " ".join(printed.out.split())
    assert "1 match(es), 1 new vulnerabilities" in text and "CVE-2019-1020019" in text
    report = json.loads(qspine("-u", "sam", "vulndb", "match", "--release", key, "--json").out)
    assert [m["identifier"] for m in report["matches"]] == ["CVE-2019-1020019"]
    assert report["summary"]["new_vulnerabilities"] == 0 and report["reused"][0]["key"]
    status_json = json.loads(qspine("-u", "sam", "vulndb", "status", "--json").out)
    assert status_json["last_match"]["payload"]["release_keys"] == [key]


def test_errors_are_one_line(seeded: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = seeded("-u", "ada", "vulndb", "import", str(bad))
    assert result.code == 2 and result.err.strip().startswith("error: bad.json: not valid JSON")
    missing = seeded("-u", "ada", "vulndb", "match", "--release", "REL-9")
    assert (missing.code, missing.err.strip()) == (2, "error: no release REL-9")
    denied = seeded("-u", "eve", "vulndb", "import", str(bad))
    assert denied.code == 2 and "lacks write:vulnerability" in denied.err
