"""SBOM import, components, diff and export through the REST API and the web pages."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app

from .web_helpers import Browser


def bom(packages: dict[str, str]) -> bytes:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "components": [
                {
                    "type": "library",
                    "bom-ref": f"pkg:npm/{name}@{version}",
                    "name": name,
                    "version": version,
                    "purl": f"pkg:npm/{name}@{version}",
                }
                for name, version in packages.items()
            ],
        }
    ).encode()


def releases(spine: Spine) -> tuple[str, str]:
    keys = [
        spine.records.create(
            "eve", "release", {"title": t, "version_label": t, "product": "Viewer"}
        ).key
        for t in ("1.0", "1.1")
    ]
    return keys[0], keys[1]


def test_api_import_components_diff_export(web_spine: Spine) -> None:
    first, second = releases(web_spine)
    secret, _ = web_spine.access.create_token("quinn", "sbom")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(web_spine)) as client:
        one = bom({"lodash": "4.17.20", "left-pad": "1.3.0"})
        made = client.post(
            f"/api/v1/releases/{first}/sbom", files={"file": ("a.json", one)}, headers=auth
        )
        assert made.status_code == 200, made.text
        assert len(made.json()["diff"]["added"]) == 2
        two = bom({"lodash": "4.17.21"})
        made = client.post(
            f"/api/v1/releases/{second}/sbom", files={"file": ("b.json", two)}, headers=auth
        )
        diff = made.json()["diff"]
        assert [(c["old_version"], c["new_version"]) for c in diff["upgraded"]] == [
            ("4.17.20", "4.17.21")
        ]
        assert [c["name"] for c in diff["removed"]] == ["left-pad"]
        listed = client.get(f"/api/v1/releases/{first}/sbom/components", headers=auth).json()
        assert sorted(c["fields"]["name"] for c in listed) == ["left-pad", "lodash"]
        again = client.get(f"/api/v1/releases/{second}/sbom/diff", headers=auth).json()
        assert again["previous"] == first and again["unchanged"] == 0
        spdx = client.get(f"/api/v1/releases/{second}/sbom?format=spdx", headers=auth)
        assert spdx.headers["content-type"].startswith("application/spdx+json")
        assert [p["name"] for p in spdx.json()["packages"]] == ["Viewer", "lodash"]
        bad = client.post(
            f"/api/v1/releases/{second}/sbom",
            files={"file": ("bad.json", b'{"bomFormat": "CycloneDX"}')},
            headers=auth,
        )
        assert bad.status_code == 422 and "bad.json" in bad.json()["error"]["message"]


def test_web_import_shows_the_diff(web_spine: Spine, signed_in: Callable[[str], Browser]) -> None:
    first, second = releases(web_spine)
    quinn = signed_in("quinn")
    page = quinn.client.post(
        f"/sboms/{first}/import",
        data={"csrf_token": quinn.csrf},
        files={"file": ("a.json", bom({"react": "18.2.0"}))},
    )
    assert page.status_code == 200, page.text
    assert 'id="import-result"' in page.text and "react" in page.text
    page = quinn.client.post(
        f"/sboms/{second}/import",
        data={"csrf_token": quinn.csrf},
        files={"file": ("b.json", bom({"react": "18.3.1"}))},
    )
    assert 'class="sbom-upgraded"' in page.text and "18.3.1" in page.text
    listing = quinn.get("/sboms")
    assert f'href="/sboms/{second}"' in listing.text
    refused = quinn.client.post(
        f"/sboms/{second}/import",
        data={"csrf_token": quinn.csrf},
        files={"file": ("broken.json", b"{}")},
    )
    assert refused.status_code == 422 and "broken.json" in refused.text
    download = quinn.get(f"/sboms/{second}/export?format=cyclonedx")
    assert [c["name"] for c in download.json()["components"]] == ["react"]
