"""My work, training and the supplier list on the CytoAssist demo, through all three faces:
`qspine todo`, `qspine training` and `qspine suppliers`, /api/v1/todo, /api/v1/training and
/api/v1/suppliers, and the /todo, /training, /suppliers and dashboard pages. One service
answers all three."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qspine import Spine, open_spine
from qspine.app import create_app
from qspine.demo import DEMO_PASSWORD

from .web_helpers import login
from helpers import DemoTemplate, Invoke, demo_copy, settings_for


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Path:
    """The demo: mei holds ROLE-3 and owes training on SOP-001 (gap 10); SUP-2's
    re-evaluation is overdue (gap 8)."""
    folder = tmp_path_factory.mktemp("work-demo")
    demo_copy(demo_template, folder)
    return folder / "demo.db"


@pytest.fixture(scope="module")
def demo(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Spine]:
    url = f"sqlite:///{demo_db}"
    spine = open_spine(url, settings=settings_for(url, tmp_path_factory.mktemp("work")))
    yield spine
    spine.close()


def test_service_items_for_dana_and_marco(demo: Spine) -> None:
    today = demo.context.clock().date()
    dana = demo.todo.for_user(demo.users.get("dana"))
    first = dana.items[0]
    assert (first.key, first.state, first.what) == ("ACT-2", "overdue", "complete the action")
    assert first.due == today - dt.timedelta(days=20)
    marco = demo.todo.for_user(demo.users.get("dana"), "marco")
    whats = {(i.key, i.what, i.state) for i in marco.items}
    assert ("CMP-3", "decide MDR reportability", "overdue") in whats
    cmp3 = next(i for i in marco.items if i.key == "CMP-3")
    assert cmp3.due == today - dt.timedelta(days=45) + dt.timedelta(days=30)
    assert not any(i.what.startswith("train on v") for i in marco.items)
    mei = demo.todo.for_user(demo.users.get("dana"), "mei")
    assert any(
        i.key == "DOC-1" and i.what == "train on v1 (ROLE-3 Clinical Data Scientist)"
        for i in mei.items
    )


def test_cli_todo_and_training(qspine: Invoke, db_file: Path, demo_db: Path) -> None:
    shutil.copyfile(demo_db, db_file)
    shown = qspine("-u", "dana", "todo")
    assert shown.code == 0 and "ACT-2" in shown.out and "overdue" in shown.out
    data = json.loads(qspine("-u", "dana", "todo", "--for", "marco", "--json").out)
    assert data["user"] == "marco" and data["overdue"] >= 1
    assert any(i["key"] == "CMP-3" and i["state"] == "overdue" for i in data["items"])
    owed = json.loads(qspine("-u", "dana", "training", "owed", "--json").out)
    assert [(c["user"], c["state"]) for c in owed] == [("mei", "missing")]
    matrix = qspine("-u", "dana", "training", "matrix")
    assert matrix.code == 0 and "mei" in matrix.out and "missing" in matrix.out
    listing = qspine("-u", "dana", "suppliers")
    assert listing.code == 0 and "SUP-2" in listing.out and "re-evaluation overdue" in listing.out
    approved = json.loads(qspine("-u", "dana", "suppliers", "--approved", "--json").out)
    assert [s["key"] for s in approved["suppliers"]] == ["SUP-2", "SUP-1", "SUP-3"]
    assert approved["counts"]["re-evaluation overdue"] == 1
    assert qspine("-u", "dana", "todo", "--for", "nobody").code != 0


def test_api_todo_and_training(demo: Spine) -> None:
    secret, _ = demo.access.create_token("dana", "work")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(demo)) as client:
        mine = client.get("/api/v1/todo", headers=auth).json()
        assert mine["user"] == "dana" and mine["items"][0]["key"] == "ACT-2"
        assert mine["items"][0]["state"] == "overdue"
        marco = client.get("/api/v1/todo?user=marco", headers=auth).json()
        assert any(i["key"] == "CMP-3" for i in marco["items"])
        matrix = client.get("/api/v1/training/matrix", headers=auth).json()
        assert matrix["users"] == ["lena", "marco", "mei", "tomas"]
        assert [c["state"] for c in matrix["cells"] if c["user"] == "mei"] == ["missing"]
        owed = client.get("/api/v1/training/owed?user=mei", headers=auth).json()
        assert len(owed) == 1
        assert owed[0]["requirement"]["role_title"] == "Clinical Data Scientist"
        suppliers = client.get("/api/v1/suppliers", headers=auth).json()
        first = suppliers["suppliers"][0]
        assert (first["key"], first["state"]) == ("SUP-2", "re-evaluation overdue")
        assert [a["key"] for a in first["audits"]] == ["AUD-4"]
        sup1 = next(s for s in suppliers["suppliers"] if s["key"] == "SUP-1")
        assert sup1["evidence"] == ["DOC-15"] and sup1["state"] == "current"
        assert len(suppliers["suppliers"]) == 12
        assert client.get("/api/v1/todo?user=nobody", headers=auth).status_code == 404


def test_pages(demo: Spine) -> None:
    with TestClient(create_app(demo)) as client:
        login(client, "dana", DEMO_PASSWORD)
        home = client.get("/").text
        assert 'id="overdue-h"' in home and "ACT-2" in home
        work = client.get("/todo").text
        assert "My work" in work and "ACT-2" in work and "overdue" in work
        assert "CMP-3" in client.get("/todo?user=marco").text
        training = client.get("/training").text
        assert "Training matrix" in training and "mei" in training and "missing" in training
        listing = client.get("/suppliers?approved=true").text
        assert "Approved supplier list" in listing and "supplier-re-evaluation-overdue" in listing
        assert "SUP-2" in listing and "AUD-4" in listing and "SUP-4" not in listing
        twin = client.get("/todo", headers={"Accept": "application/json"}).json()
        assert twin["user"] == "dana"
