"""The profile: the built-in `qmsr`, extension without copying, and errors that name paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from qspine import ProfileError, Settings, load_profile, open_spine
from qspine.model.profile import build_profile
from qspine.profiles import _builtin_raw, merge

from helpers import FAST_HASH

REQUIRED_KINDS = (
    "user_need requirement software_item hazard hazardous_situation harm risk_control threat "
    "security_risk test_case test_result validation dataset model_version validation_run release "
    "sbom_component vulnerability complaint capa nonconformance audit finding change_request "
    "supplier document training_record role management_review action post_market_signal"
).split()


def test_builtin_profile_covers_every_required_kind_with_clauses() -> None:
    profile = load_profile()
    assert set(REQUIRED_KINDS) <= set(profile.kinds)
    for name in REQUIRED_KINDS:
        kind = profile.kinds[name]
        assert any(
            c.startswith(("ISO 13485", "21 CFR", "FD&C", "ISO 14971")) for c in kind.clauses
        ), name
    assert profile.lifecycles["document"].supersede == "superseded"
    assert profile.links["verifies"].allows("test_case", "requirement")


def broken(path: tuple[str, ...], value: object) -> dict[str, object]:
    data = _builtin_raw("qmsr")
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("kinds", "requirement", "fields", "category", "type"),
            "enm",
            "kinds.requirement.fields.category.type: unknown type 'enm'",
        ),
        (
            ("kinds", "requirement", "lifecycle"),
            "desing",
            "kinds.requirement.lifecycle: unknown lifecycle 'desing'",
        ),
        (
            ("kinds", "requirement", "prefix"),
            "req",
            "kinds.requirement.prefix: prefix 'req' must be",
        ),
        (
            ("kinds", "requirement", "prefix"),
            "UN",
            "kinds.requirement.prefix: 'UN' is already used",
        ),
        (("kinds", "requirement", "colour"), "red", "kinds.requirement.colour: unknown setting"),
        (
            ("links", "verifies", "to"),
            ["requirment"],
            "links.verifies.to: unknown kind 'requirment'",
        ),
        (
            ("lifecycles", "design", "initial"),
            "drafted",
            "lifecycles.design.initial: unknown state 'drafted'",
        ),
        (
            ("roles", "auditor", "permissions"),
            ["read", "fly"],
            "roles.auditor.permissions: Value error, permission 'fly'",
        ),
        (
            ("roles", "auditor", "permissions"),
            ["write:spaceship"],
            "roles.auditor.permissions: unknown kind 'spaceship'",
        ),
        (
            ("kinds", "requirement", "fields", "category", "values"),
            [],
            "kinds.requirement.fields.category.values: an enum field lists its values",
        ),
    ],
)
def test_profile_errors_name_their_yaml_path(
    path: tuple[str, ...], value: object, message: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        build_profile(broken(path, value))
    assert any(
        problem.startswith(message.replace("Value error, ", ""))
        for problem in caught.value.problems
    ), caught.value.problems


def test_transition_errors_name_their_index() -> None:
    data = _builtin_raw("qmsr")
    data["lifecycles"]["design"]["transitions"][2]["to"] = "aproved"
    with pytest.raises(
        ProfileError, match=r"lifecycles\.design\.transitions\.2\.to: unknown state"
    ):
        build_profile(data)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text("extends: qmsr\nkinds:\n  widget: [unclosed\n")
    with pytest.raises(ProfileError, match=r"acme\.yaml: line \d+, column \d+"):
        load_profile(path)


ORGANISATION = """
extends: qmsr
name: acme
kinds:
  requirement:
    fields:
      jira_key: {type: text, help: Ticket in the engineering tracker}
  usability_study:
    prefix: US
    title: Summative usability study
    clauses: ["IEC 62366-1:2015 5.7", "ISO 13485:2016 7.3.7"]
    lifecycle: evidence
    fields:
      title: {type: text, required: true}
      participants: {type: int, required: true, min: 15}
links:
  studies:
    from: [usability_study]
    to: [user_need]
    title: studies
rules:
  ACME-USE-001:
    title: Every approved user need is studied
    clauses: ["IEC 62366-1:2015 5.7"]
    every: user_need
    where: {status: approved}
    has: {link: studies, direction: in, kind: usability_study}
"""


def test_organisation_profile_extends_without_copying(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(ORGANISATION)
    profile = load_profile(path)
    assert profile.name == "acme" and "usability_study" in profile.kinds
    assert "jira_key" in profile.kinds["requirement"].fields
    assert "statement" in profile.kinds["requirement"].fields, "base fields are kept"
    assert len(profile.kinds) == len(load_profile().kinds) + 1
    assert "ACME-USE-001" in profile.rules and "studies" in profile.links

    url = f"sqlite:///{tmp_path / 'acme.db'}"
    with open_spine(url, str(path), Settings(database_url=url, **FAST_HASH)) as spine:
        spine.users.add("bootstrap", "ada", "Ada Lovelace", "correct horse battery", ["admin"])
        study = spine.records.create(
            "ada", "usability_study", {"title": "Summative", "participants": 15}
        )
        need = spine.records.create("ada", "user_need", {"title": "Triage", "statement": "Fast"})
        spine.links.link("ada", "studies", study.key, need.key)
        assert study.key == "US-1"


def test_extension_errors_name_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "extends: qmsr\nlinks:\n  studies: {from: [usability_study], to: [user_need]}\n"
    )
    with pytest.raises(ProfileError, match=r"acme\.yaml: links\.studies\.from: unknown kind"):
        load_profile(path)


def test_merge_replaces_lists_and_merges_mappings() -> None:
    merged = merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}, "e": 2})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}
