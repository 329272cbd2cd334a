"""`qspine sbom import|diff|components|export` through the CLI, with a bad file refused."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import flat
from helpers import Invoke


def bom(path: Path, packages: dict[str, str]) -> Path:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {
                "type": "library",
                "bom-ref": f"pkg:pypi/{name}@{version}",
                "name": name,
                "version": version,
                "purl": f"pkg:pypi/{name}@{version}",
            }
            for name, version in packages.items()
        ],
    }
    path.write_text(json.dumps(document))
    return path


def release(q: Invoke, title: str) -> str:
    made = q(
        "-u", "eve", "record", "create", "release", "--set", f"title={title}",
        "--set", f"version_label={title}", "--set", "product=CytoAssist", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    return str(json.loads(made.out)["key"])


def test_import_diff_components_export(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    first, second = release(q, "2.0"), release(q, "2.1")
    old = bom(tmp_path / "a.json", {"requests": "2.19.0", "six": "1.16.0"})
    new = bom(tmp_path / "b.json", {"requests": "2.32.3", "idna": "3.7"})
    done = q("-u", "quinn", "sbom", "import", str(old), "--release", first)
    assert done.code == 0, done.err
    assert "2 added, 0 removed, 0 upgraded" in flat(done)
    done = q("-u", "quinn", "sbom", "import", str(new), "--release", second, "--json")
    assert done.code == 0, done.err
    diff = json.loads(done.out)["diff"]
    assert [(c["name"], c["old_version"], c["new_version"]) for c in diff["upgraded"]] == [
        ("requests", "2.19.0", "2.32.3")
    ]
    assert [c["name"] for c in diff["removed"]] == ["six"]
    shown = q("-u", "eve", "sbom", "diff", second)
    assert "1 added, 1 removed, 1 upgraded, 0 changed, 0 unchanged" in flat(shown)
    listed = json.loads(q("-u", "eve", "sbom", "components", first, "--json").out)
    assert sorted((c["fields"]["name"], c["number"]) for c in listed) == [
        ("requests", 1),
        ("six", 1),
    ]
    out = tmp_path / "export.json"
    exported = q("-u", "eve", "sbom", "export", second, "-f", "cyclonedx", "-o", str(out))
    assert exported.code == 0, exported.err
    names = sorted(c["name"] for c in json.loads(out.read_text())["components"])
    assert names == ["idna", "requests"]


def test_a_bad_sbom_is_refused_naming_the_file(seeded: Invoke, tmp_path: Path) -> None:
    q = seeded
    target = release(q, "2.0")
    broken = tmp_path / "broken.json"
    broken.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": {}}')
    refused = q("-u", "quinn", "sbom", "import", str(broken), "--release", target)
    assert refused.code == 2
    assert "broken.json" in refused.err
    assert json.loads(q("-u", "eve", "sbom", "components", target, "--json").out) == []
