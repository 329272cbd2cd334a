"""Web UI fixtures: a SQLite spine with the four standard users, a TestClient, a login helper.

The services are tested on SQLite and PostgreSQL elsewhere; the web face only renders what
they return, so one backend suffices here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qspine import Spine, open_spine
from qspine.app import create_app

from .web_helpers import Browser, four_users, login
from helpers import settings_for


@pytest.fixture
def web_spine(tmp_path: Path) -> Iterator[Spine]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    opened = four_users(open_spine(url, settings=settings_for(url, tmp_path)))
    yield opened
    opened.close()


@pytest.fixture
def client(web_spine: Spine) -> Iterator[TestClient]:
    with TestClient(create_app(web_spine)) as test_client:
        yield test_client


@pytest.fixture
def signed_in(web_spine: Spine) -> Iterator[Callable[[str], Browser]]:
    """A factory: `signed_in("eve")` is a TestClient with eve's session and CSRF token."""
    app = create_app(web_spine)
    clients: list[TestClient] = []

    def open_as(username: str) -> Browser:
        client = TestClient(app)
        clients.append(client)
        return Browser(client, login(client, username))

    yield open_as
    for client in clients:
        client.close()
