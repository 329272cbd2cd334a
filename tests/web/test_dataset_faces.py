"""Datasets through the REST API (upload, list, manifest, verify, lineage) and the web pages
(list, upload form, dataset page with its htmx verify)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app

from .web_helpers import Browser
from helpers import PASSWORD

TRAIN = b"id,radius,label\n1,17.99,1\n2,11.42,0\n"
TEST = b"id,radius,label\n3,20.57,1\n"


def test_api_upload_list_manifest_verify_lineage(web_spine: Spine) -> None:
    web_spine.users.add("ada", "dana", "Dana Data", PASSWORD, ["data_scientist"])
    secret, _ = web_spine.access.create_token("dana", "datasets")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(web_spine)) as client:
        made = client.post(
            "/api/v1/datasets",
            files=[("files", ("train.csv", TRAIN)), ("files", ("docs/README.md", b"# r\n"))],
            data={"title": "WDBC train", "source": "UCI", "purpose": "training"},
            headers=auth,
        )
        assert made.status_code == 201, made.text
        parent = made.json()["key"]
        fields = made.json()["version"]["fields"]
        assert fields["file_count"] == 2 and fields["row_count"] == 2
        derived = client.post(
            "/api/v1/datasets",
            files=[("files", ("test.csv", TEST))],
            data={
                "title": "WDBC test",
                "source": "UCI",
                "derived_from": [parent],
                "transformation": "held-out row",
                "fields": '{"sequestered": true}',
            },
            headers=auth,
        )
        assert derived.status_code == 201, derived.text
        child = derived.json()["key"]
        assert derived.json()["version"]["fields"]["sequestered"] is True

        listed = client.get("/api/v1/datasets", headers=auth).json()
        assert [d["key"] for d in listed] == [child, parent]
        manifest = client.get(f"/api/v1/datasets/{parent}/manifest", headers=auth).json()
        assert manifest["digest"] == fields["manifest_sha256"] and manifest["rows"] == 2
        assert [f["path"] for f in manifest["manifest"]["files"]] == ["docs/README.md", "train.csv"]
        assert manifest["manifest"]["files"][1]["sha256"] == hashlib.sha256(TRAIN).hexdigest()

        check = client.post(f"/api/v1/datasets/{child}/verify", headers=auth).json()
        assert check["matches"] is True and check["differences"] == []
        (Path(fields["location"]) / "train.csv").write_bytes(TRAIN + b"4,9.0,0\n")
        check = client.post(f"/api/v1/datasets/{parent}/verify", headers=auth).json()
        assert check["matches"] is False
        assert check["differences"][0].endswith("rows 2 -> 3")

        lineage = client.get(f"/api/v1/datasets/{child}/lineage", headers=auth).json()
        assert [(a["key"], a["depth"]) for a in lineage["ancestors"]] == [(parent, 1)]
        down = client.get(f"/api/v1/datasets/{parent}/lineage", headers=auth).json()
        assert [(d["key"], d["transformation"]) for d in down["descendants"]] == [
            (child, "held-out row")
        ]

        refused = client.post(
            "/api/v1/datasets",
            files=[("files", ("bad.csv", b"a,b\n1\n"))],
            data={"title": "Bad", "source": "UCI"},
            headers=auth,
        )
        assert refused.status_code == 422
        assert "bad.csv: row 1 (line 2) has 1 fields" in refused.json()["error"]["message"]
        orphan = client.post(
            "/api/v1/datasets",
            files=[("files", ("x.csv", b"a\n1\n"))],
            data={"title": "X", "source": "UCI", "derived_from": [parent]},
            headers=auth,
        )
        assert orphan.status_code == 422 and "no transformation" in orphan.text
        assert len(client.get("/api/v1/datasets", headers=auth).json()) == 2
        missing = client.get("/api/v1/datasets/DS-99/lineage", headers=auth)
        assert missing.status_code == 404


def test_web_upload_page_verify_and_lineage(
    web_spine: Spine, signed_in: Callable[[str], Browser]
) -> None:
    web_spine.users.add("ada", "dana", "Dana Data", PASSWORD, ["data_scientist"])
    dana = signed_in("dana")
    empty = dana.get("/datasets")
    assert empty.status_code == 200 and "No dataset yet" in empty.text
    made = dana.client.post(
        "/datasets",
        data={
            "csrf_token": dana.csrf,
            "title": "WDBC train",
            "source": "UCI",
            "purpose": "training",
        },
        files=[("files", ("train.csv", TRAIN))],
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    key = made.headers["location"].rsplit("/", 1)[-1]
    refused = dana.client.post(
        "/datasets",
        data={"csrf_token": dana.csrf, "title": "Split", "source": "UCI", "derived_from": key},
        files=[("files", ("test.csv", TEST))],
    )
    assert refused.status_code == 422 and "no transformation says how" in refused.text
    assert 'value="Split"' in refused.text
    child = dana.client.post(
        "/datasets",
        data={
            "csrf_token": dana.csrf,
            "title": "WDBC test",
            "source": "UCI",
            "derived_from": key,
            "transformation": "held-out row",
        },
        files=[("files", ("test.csv", TEST))],
    )
    assert child.status_code == 200 and "held-out row" in child.text

    quinn = signed_in("quinn")
    listing = quinn.get("/datasets")
    assert f'href="/datasets/{key}"' in listing.text and "training" in listing.text
    page = quinn.get(f"/datasets/{key}")
    assert page.status_code == 200
    assert hashlib.sha256(TRAIN).hexdigest() in page.text
    assert "<td>radius</td><td>float</td>" in page.text
    assert "WDBC test" in page.text and 'hx-post="/datasets/' in page.text
    as_json = quinn.get(f"/datasets/{key}?format=json").json()
    assert as_json["manifest"]["files"][0]["path"] == "train.csv"

    fragment = quinn.client.post(
        f"/datasets/{key}/verify", data={"csrf_token": quinn.csrf}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="verify-result"')
    assert "match the manifest" in fragment.text
    location = Path(web_spine.records.show(key).version.fields["location"])
    (location / "train.csv").write_bytes(TEST)
    full = quinn.client.post(f"/datasets/{key}/verify", data={"csrf_token": quinn.csrf})
    assert full.status_code == 200 and "<html" in full.text
    assert 'role="alert"' in full.text and "rows 2 -&gt; 1" in full.text
    vic = signed_in("vic")
    forbidden = vic.client.post(
        "/datasets",
        data={"csrf_token": vic.csrf, "title": "V", "source": "UCI"},
        files=[("files", ("v.csv", TEST))],
    )
    assert forbidden.status_code == 403 and "lacks write:dataset" in forbidden.text
