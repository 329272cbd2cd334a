"""Field validation and fingerprints, including hypothesis properties."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qspine import InvalidInput, load_profile
from qspine.model.fields import parse_field_text, validate_fields
from qspine.model.fingerprint import canonical_json, content_fingerprint

PROFILE = load_profile()
HARM = PROFILE.kinds["harm"]
VULN = PROFILE.kinds["vulnerability"]


def test_types_are_checked_and_normalised() -> None:
    fields = validate_fields(
        "VULN-1",
        "vulnerability",
        VULN,
        {
            "title": "CVE in openssl",
            "identifier": "CVE-2024-0001",
            "discovered_on": "2026-03-01",
            "triage_state": "under_investigation",
            "cvss_score": 7,
            "aliases": ["GHSA-x"],
        },
    )
    assert fields["cvss_score"] == 7.0 and fields["aliases"] == ["GHSA-x"]
    with pytest.raises(
        InvalidInput, match=r"VULN-1: field 'cvss_score': 11\.0 is above the maximum 10"
    ):
        validate_fields("VULN-1", "vulnerability", VULN, {**fields, "cvss_score": 11})
    with pytest.raises(InvalidInput, match="field 'discovered_on': '01/03/2026' is not a date"):
        validate_fields("VULN-1", "vulnerability", VULN, {**fields, "discovered_on": "01/03/2026"})
    with pytest.raises(InvalidInput, match="field 'aliases': expected a list"):
        validate_fields("VULN-1", "vulnerability", VULN, {**fields, "aliases": "GHSA-x"})


def test_cli_text_is_parsed_by_field_type() -> None:
    spec = VULN.fields
    assert parse_field_text("x", "cvss_score", spec["cvss_score"], "9.8") == 9.8
    assert parse_field_text("x", "aliases", spec["aliases"], "CVE-1, GHSA-2") == ["CVE-1", "GHSA-2"]
    assert parse_field_text("x", "aliases", spec["aliases"], '["a,b"]') == ["a,b"]
    with pytest.raises(InvalidInput, match="'high' is not a number"):
        parse_field_text("x", "cvss_score", spec["cvss_score"], "high")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
field_maps = st.dictionaries(
    st.text(string.ascii_lowercase, min_size=1, max_size=8), json_values, max_size=6
)


@given(field_maps)
def test_fingerprint_ignores_key_order(fields: dict[str, Any]) -> None:
    reordered = dict(reversed(list(fields.items())))
    assert content_fingerprint("requirement", "REQ-1", fields) == content_fingerprint(
        "requirement", "REQ-1", reordered
    )


@given(field_maps, st.text(string.ascii_lowercase, min_size=1, max_size=8), json_values)
def test_any_content_change_changes_the_fingerprint(
    fields: dict[str, Any], name: str, value: Any
) -> None:
    changed = {**fields, name: value}
    if canonical_json(changed) != canonical_json(fields):
        assert content_fingerprint("requirement", "REQ-1", changed) != content_fingerprint(
            "requirement", "REQ-1", fields
        )


@given(st.text(max_size=200).filter(lambda t: "\x00" not in t and t.strip() != ""))
def test_any_text_round_trips_through_validation(text: str) -> None:
    fields = validate_fields("HARM-1", "harm", HARM, {"title": text, "severity": "serious"})
    assert fields["title"] == text
