"""Schemathesis against the OpenAPI document: generated requests never cause a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

from qspine import Spine, load_profile, open_spine
from qspine.app import create_app

from helpers import PASSWORD, sample_fields, settings_for


@pytest.fixture(scope="module")
def fuzz_spine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Spine, str]]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'fuzz.db'}"
    spine = open_spine(url, settings=settings_for(url, folder))
    spine.users.add("bootstrap", "ada", "Ada Lovelace", PASSWORD, ["admin"])
    profile = load_profile()
    for kind in ("requirement", "test_case", "user_need"):
        spine.records.create("ada", kind, sample_fields(profile, kind))
    secret, _ = spine.access.create_token("ada", "fuzzing")
    yield spine, secret
    spine.close()


def test_no_server_errors(fuzz_spine: tuple[Spine, str]) -> None:
    """Every operation, a bounded number of generated requests each: no 5xx, documented
    status codes, responses that match their schemas, and errors in the one JSON shape.

    Driven through schemathesis' Hypothesis strategies (its pytest plugin predates pytest 9).
    """
    spine, secret = fuzz_spine
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(spine))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    checked: list[str] = []
    for operation in operations:

        @settings(
            max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def no_server_error(case: Case) -> None:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {secret}"},
                # Business rules (unknown kind, missing field) rightly refuse schema-valid data.
                excluded_checks=[positive_data_acceptance],
            )
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            if response.status_code >= 400:
                assert set(response.json()) == {"error"}, response.text

        no_server_error()
        checked.append(operation.label)
    assert "POST /api/v1/records/{key}/signatures" in checked
