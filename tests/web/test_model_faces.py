"""Model systems and the release gate through the REST API and the web pages."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import UploadFile

from qspine import Spine
from qspine.app import create_app

import ai_scene
from .web_helpers import Browser
from helpers import PASSWORD


def test_api_register_list_system_and_gate(web_spine: Spine, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pre.py").write_text("X = 1\n")
    requirement = web_spine.records.create(
        "quinn",
        "requirement",
        {"title": "Find", "statement": "It finds.", "metric_criteria": "auc >= 0.8"},
    ).key
    secret, _ = web_spine.access.create_token("quinn", "models")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(web_spine)) as client:
        made = client.post(
            "/api/v1/models",
            files={"weights": ("model.pkl", b"pickled"), "lockfile": ("uv.lock", b"lock")},
            data={
                "title": "Finder",
                "version_label": "1.0",
                "preprocessing": f"{repo}:pre.py",
                "decision_threshold": "0.3",
                "configuration": '{"depth": 4}',
                "packages": ["numpy==2.0.0"],
                "implements": [requirement],
                "fields": '{"intended_use": "Screening."}',
            },
            headers=auth,
        )
        assert made.status_code == 201, made.text
        key = made.json()["key"]
        fields = made.json()["version"]["fields"]
        assert fields["weights_sha256"] == hashlib.sha256(b"pickled").hexdigest()
        assert fields["lockfile_sha256"] == hashlib.sha256(b"lock").hexdigest()
        assert web_spine.blobs.read(fields["weights"]) == b"pickled"
        listed = client.get("/api/v1/models", headers=auth).json()
        assert [(r["key"], r["gate_passed"], r["gate_open"]) for r in listed] == [(key, False, 5)]
        system = client.get(f"/api/v1/models/{key}", headers=auth).json()
        assert system["preprocessing"]["path"] == "pre.py"
        assert system["requirements"][0]["metric_criteria"] == ["auc >= 0.8"]
        assert system["environment"]["packages"] == {"numpy": "2.0.0"}
        assert system["configuration"] == {"depth": 4}
        gate = client.get(f"/api/v1/models/{key}/gate", headers=auth).json()
        assert gate["passed"] is False and gate["problems"][0].startswith("no validation run")
        assert [c["name"] for c in gate["conditions"]][-1] == "signatures"

        bad = client.post(
            "/api/v1/models",
            files={"weights": ("m.bin", b"x")},
            data={"title": "T", "version_label": "1", "configuration": "[1]"},
            headers=auth,
        )
        assert bad.status_code == 422
        assert bad.json()["error"]["message"] == "configuration: must be a JSON object"
        unknown = client.get("/api/v1/models/MV-99/gate", headers=auth)
        assert unknown.status_code == 404 and "error" in unknown.json()


def test_pages_list_register_and_show(
    web_spine: Spine, signed_in: Callable[[str], Browser], tmp_path: Path
) -> None:
    quinn = signed_in("quinn")
    empty = quinn.get("/models")
    assert empty.status_code == 200
    assert '<a href="/models" aria-current="page">AI models</a>' in empty.text
    assert "No model version yet" in empty.text
    refused = quinn.post(
        "/models",
        {"title": "Net", "version_label": "1", "trained_on": "DS-4"},
        files={"weights": ("net.bin", b"net")},
    )
    assert refused.status_code == 422
    assert "trained_on: no dataset DS-4" in refused.text and 'value="Net"' in refused.text
    made = quinn.post(
        "/models",
        {"title": "Net", "version_label": "1", "packages": "numpy==2.0.0", "configuration": "{}"},
        files={"weights": ("net.bin", b"net")},
    )
    assert made.status_code == 303 and made.headers["location"] == "/models/MV-1"
    shown = quinn.get("/models/MV-1")
    assert shown.status_code == 200
    text = shown.text
    assert hashlib.sha256(b"net").hexdigest()[:16] in text and "numpy==2.0.0" in text
    assert 'href="/models/MV-1/monitoring"' in text and 'href="/models/MV-1/pccp"' in text
    assert "blocked" in text and "✗" in text and "no validation run evaluates MV-1" in text
    listing = quinn.get("/models").text
    assert 'href="/models/MV-1"' in listing and "5 open" in listing
    twin = quinn.get("/models/MV-1?format=json").json()
    assert twin["system"]["gate"]["passed"] is False
    viewer = signed_in("vic").get("/models")
    assert "You may read model versions but not register them" in viewer.text


def test_released_model_page_shows_the_recorded_gate(
    web_spine: Spine, signed_in: Callable[[str], Browser], tmp_path: Path
) -> None:
    ready = ai_scene.ready_model(web_spine, tmp_path)
    quinn = signed_in("quinn")
    page = quinn.get(f"/models/{ready.model}").text
    assert "passes" in page and "✗" not in page
    assert f'href="/records/{ready.model}/sign?meaning=released"' in page
    assert f'href="/validation-runs/{ready.run}"' in page and "reproduced" in page
    assert f'href="/records/{ready.requirement}"' in page
    done = quinn.post(
        f"/records/{ready.model}/sign",
        {"meaning": "released", "expected_version": "1", "password": PASSWORD},
    )
    assert done.status_code == 303, done.text
    page = quinn.get(f"/models/{ready.model}").text
    assert "Recorded at release" in page and "model.release_gate" in page
    assert f"{ready.run} v1: its latest rerun" in page


def test_weights_named_dot_dot_are_kept_under_a_plain_name(
    web_spine: Spine, signed_in: Callable[[str], Browser]
) -> None:
    secret, _ = web_spine.access.create_token("quinn", "models")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(web_spine)) as client:
        for name in ("..", "../..", "."):
            made = client.post(
                "/api/v1/models",
                files={"weights": (name, b"w" + name.encode())},
                data={"title": "T", "version_label": "1"},
                headers=auth,
            )
            assert made.status_code == 201, made.text
    made = signed_in("quinn").post(
        "/models", {"title": "Net", "version_label": "1"}, files={"weights": ("..", b"net")}
    )
    assert made.status_code == 303, made.text


def test_the_page_streams_the_weights_to_disk_in_chunks(
    web_spine: Spine, signed_in: Callable[[str], Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A weights file may be 1 GiB: the page must not hold it in memory whole."""
    sizes: list[int] = []
    read = UploadFile.read

    async def recording(self: UploadFile, size: int = -1) -> bytes:
        sizes.append(size)
        return await read(self, size)

    monkeypatch.setattr(UploadFile, "read", recording)
    weights = bytes(range(256)) * 9000  # a little over 2 MiB
    made = signed_in("quinn").post(
        "/models", {"title": "Net", "version_label": "1"}, files={"weights": ("w.bin", weights)}
    )
    assert made.status_code == 303, made.text
    assert sizes and all(0 < size <= 1 << 20 for size in sizes)
    fields = web_spine.records.show("MV-1").version.fields
    assert fields["weights_sha256"] == hashlib.sha256(weights).hexdigest()
