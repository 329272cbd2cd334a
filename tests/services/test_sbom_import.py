"""SBOM import: components, contains and depends_on links, the diff against the previous SBOM of
the product, suspect evidence, refusals that write nothing. Real SBOMs from ../shared/data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from qspine.formats.sbom import parse_sbom
from qspine.model.errors import Forbidden, InvalidInput
from qspine.profiles import load_profile
from qspine.services.sbom import MAX_SBOM_BYTES
from qspine.services.users import User
from qspine.spine import Spine

from helpers import PASSWORD, SHARED_DATA, database_state, sample_fields

PROFILE = load_profile("qmsr")

JUICE_SHOP = SHARED_DATA / "sbom-cyclonedx-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.4.json"
SPDX_EXAMPLE = SHARED_DATA / "sbom-spdx-examples/example6/spdx2.2/example6-bin.spdx.json"

need_data = pytest.mark.skipif(
    not JUICE_SHOP.exists(), reason=f"the shared data folder {SHARED_DATA} is absent"
)


def ADA(spine: Spine) -> User:
    return spine.users.get("ada")


def cyclonedx(
    components: list[dict[str, Any]], dependencies: list[dict[str, Any]] | None = None
) -> bytes:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "cytoassist", "version": "2"}},
        "components": components,
        "dependencies": dependencies or [],
    }
    return json.dumps(document).encode()


def lib(name: str, version: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "library",
        "bom-ref": f"pkg:pypi/{name}@{version}",
        "name": name,
        "version": version,
        "purl": f"pkg:pypi/{name}@{version}",
        **extra,
    }


def release(spine: Spine, title: str, product: str = "CytoAssist") -> str:
    made = spine.records.create(
        "eve", "release", {"title": title, "version_label": title, "product": product}
    )
    return made.key


def fields_at(spine: Spine, key: str, number: int) -> dict[str, Any]:
    (match,) = [v for v in spine.records.history(key) if v.number == number]
    return dict(match.fields)


def test_import_then_upgrade_shows_the_diff_and_turns_evidence_suspect(spine: Spine) -> None:
    spine.users.add("ada", "sam", "Sam Security", "correct horse battery", ["security_engineer"])
    first = release(spine, "CytoAssist 2.0")
    document = cyclonedx(
        [lib("requests", "2.19.0"), lib("numpy", "1.26.4"), lib("six", "1.16.0")],
        [{"ref": "pkg:pypi/requests@2.19.0", "dependsOn": ["pkg:pypi/six@1.16.0"]}],
    )
    done = spine.sbom.import_bytes("sam", document, "bom-2.0.json", first)
    assert (len(done.diff.added), done.diff.previous, done.dependencies) == (3, None, 1)
    keys = {c.fields["name"]: c.key for c in spine.sbom.components(ADA(spine), first)}
    requests = spine.records.show(keys["requests"])
    assert (requests.status, requests.version.fields["package"]) == ("listed", "pkg:pypi/requests")
    outgoing, _ = spine.links.of(keys["requests"])
    assert [(link.type, link.target) for link in outgoing] == [("depends_on", keys["six"])]
    # evidence made against the component as it stands
    item = spine.records.create(
        "eve", "software_item", sample_fields(PROFILE, "software_item", "HTTP client")
    ).key
    spine.links.link("eve", "uses_component", item, keys["requests"])

    second = release(spine, "CytoAssist 2.1")
    newer = cyclonedx(
        [lib("requests", "2.32.3"), lib("numpy", "1.26.4"), lib("urllib3", "2.2.2")],
        [{"ref": "pkg:pypi/requests@2.32.3", "dependsOn": ["pkg:pypi/urllib3@2.2.2"]}],
    )
    upgraded = spine.sbom.import_bytes("sam", newer, "bom-2.1.json", second)
    diff = upgraded.diff
    assert diff.previous == first
    assert [(c.name, c.old_version, c.new_version) for c in diff.upgraded] == [
        ("requests", "2.19.0", "2.32.3")
    ]
    assert [c.name for c in diff.added] == ["urllib3"]
    assert [(c.name, c.old_version) for c in diff.removed] == [("six", "1.16.0")]
    assert (diff.unchanged, diff.changed) == (1, [])
    assert [(s.type, s.source, s.target) for s in diff.suspect] == [
        ("uses_component", item, keys["requests"])
    ]
    # one record per package: the upgrade is version 2 of the same record, listed
    revised = spine.records.show(keys["requests"])
    assert (revised.version.number, revised.status) == (2, "listed")
    assert revised.version.fields["version"] == "2.32.3"
    # each release pins the version it contains
    pins = {c.key: (c.number, c.version) for c in spine.sbom.components(ADA(spine), first)}
    assert pins[keys["requests"]] == (1, "2.19.0")
    pins = {c.key: (c.number, c.version) for c in spine.sbom.components(ADA(spine), second)}
    assert pins[keys["requests"]] == (2, "2.32.3") and keys["six"] not in pins
    # the same comparison without importing
    again = spine.sbom.diff(ADA(spine), second)
    assert [(c.name, c.old_version, c.new_version) for c in again.upgraded] == [
        ("requests", "2.19.0", "2.32.3")
    ]
    assert (len(again.added), len(again.removed), again.unchanged) == (1, 1, 1)
    (event, *_) = [e for e in spine.audit.log(second) if e.action == "sbom.import"]
    assert (event.payload["upgraded"], event.payload["previous"]) == (1, first)
    assert event.payload["product"] == "CytoAssist"


def test_same_version_with_other_hashes_is_a_change(spine: Spine) -> None:
    first, second = release(spine, "A 1"), release(spine, "A 2")
    spine.sbom.import_bytes("ada", cyclonedx([lib("idna", "3.7")]), "a.json", first)
    hashed = lib("idna", "3.7", hashes=[{"alg": "SHA-256", "content": "ab" * 32}])
    diff = spine.sbom.import_bytes("ada", cyclonedx([hashed]), "b.json", second).diff
    assert [(c.name, c.old_version, c.new_version) for c in diff.changed] == [
        ("idna", "3.7", "3.7")
    ]
    (component,) = spine.sbom.components(ADA(spine), second)
    assert component.fields["hashes"] == ["SHA-256:" + "ab" * 32]


def test_products_keep_their_own_history(spine: Spine) -> None:
    ours, theirs = release(spine, "A 1", "A"), release(spine, "B 1", "B")
    spine.sbom.import_bytes("ada", cyclonedx([lib("idna", "3.6")]), "a.json", ours)
    done = spine.sbom.import_bytes("ada", cyclonedx([lib("idna", "3.7")]), "b.json", theirs)
    assert (done.diff.previous, len(done.diff.added), done.diff.upgraded) == (None, 1, [])
    (a,), (b,) = spine.sbom.components(ADA(spine), ours), spine.sbom.components(ADA(spine), theirs)
    assert a.key != b.key and a.version == "3.6"


def test_a_package_at_two_versions_is_two_components(spine: Spine) -> None:
    first, second = release(spine, "N 1"), release(spine, "N 2")
    both = [lib("lodash", "3.10.1"), lib("lodash", "4.17.20")]
    spine.sbom.import_bytes("ada", cyclonedx(both), "a.json", first)
    later = [lib("lodash", "3.10.1"), lib("lodash", "4.17.21")]
    diff = spine.sbom.import_bytes("ada", cyclonedx(later), "b.json", second).diff
    assert [(c.old_version, c.new_version) for c in diff.upgraded] == [("4.17.20", "4.17.21")]
    assert diff.unchanged == 1


def test_reimport_into_a_planned_release_replaces_its_contents(spine: Spine) -> None:
    planned = release(spine, "P 1")
    spine.sbom.import_bytes("ada", cyclonedx([lib("idna", "3.6"), lib("six", "1.0")]), "a", planned)
    diff = spine.sbom.import_bytes("ada", cyclonedx([lib("idna", "3.7")]), "b", planned).diff
    assert [(c.old_version, c.new_version) for c in diff.upgraded] == [("3.6", "3.7")]
    assert [c.name for c in diff.removed] == ["six"]
    assert [(c.fields["name"], c.version) for c in spine.sbom.components(ADA(spine), planned)] == [
        ("idna", "3.7")
    ]


def test_bad_input_writes_nothing(spine: Spine) -> None:
    target = release(spine, "R 1")
    need = sample_need(spine)
    good = cyclonedx([lib("idna", "3.7")])
    before = database_state(spine)
    broken = b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": 3}'
    with pytest.raises(InvalidInput, match=r"broken\.json"):
        spine.sbom.import_bytes("ada", broken, "broken.json", target)
    with pytest.raises(InvalidInput, match="not a release"):
        spine.sbom.import_bytes("ada", good, "a.json", need)
    with pytest.raises(Forbidden):
        spine.sbom.import_bytes("vic", good, "a.json", target)
    huge = good + b" " * (MAX_SBOM_BYTES + 1 - len(good))
    with pytest.raises(InvalidInput, match=r"^huge\.json: larger than 64 MiB$"):
        spine.sbom.import_bytes("ada", huge, "huge.json", target)
    assert database_state(spine) == before


def test_a_released_release_keeps_its_sbom(spine: Spine) -> None:
    target = release(spine, "R 1")
    spine.sbom.import_bytes("ada", cyclonedx([lib("idna", "3.7")]), "a.json", target)
    spine.records.transition("ada", target, "in_review", 1)
    spine.signing.sign("quinn", PASSWORD, target, "released", 1)
    before = database_state(spine)
    with pytest.raises(InvalidInput, match="import the new SBOM into a new release"):
        spine.sbom.import_bytes("ada", cyclonedx([lib("idna", "3.8")]), "b.json", target)
    assert database_state(spine) == before


def sample_need(spine: Spine) -> str:
    return spine.records.create("eve", "user_need", sample_fields(PROFILE, "user_need")).key


@need_data
def test_real_juice_shop_sbom(spine: Spine) -> None:
    target = release(spine, "Juice Shop 14.1.1", "juice-shop")
    done = spine.sbom.import_file("ada", JUICE_SHOP, target)
    components = spine.sbom.components(ADA(spine), target)
    assert len(components) == len(done.diff.added) == 1115
    direct = [c for c in components if c.fields.get("dependency") == "direct"]
    assert len(direct) == 71
    assert done.dependencies > 0


@pytest.mark.parametrize("format", ["cyclonedx", "spdx"])
def test_export_reads_back_with_support_data(spine: Spine, format: str) -> None:
    target = release(spine, "CytoAssist 2.0")
    hashed = lib("requests", "2.19.0", hashes=[{"alg": "SHA-256", "content": "cd" * 32}])
    hashed["licenses"] = [{"license": {"id": "Apache-2.0"}}]
    document = cyclonedx(
        [hashed, lib("six", "1.16.0")],
        [{"ref": "pkg:pypi/requests@2.19.0", "dependsOn": ["pkg:pypi/six@1.16.0"]}],
    )
    spine.sbom.import_bytes("ada", document, "bom.json", target)
    keys = {c.fields["name"]: c.key for c in spine.sbom.components(ADA(spine), target)}
    spine.records.revise(
        "ada",
        keys["six"],
        {"support_level": "unmaintained", "end_of_support": "2026-01-31"},
        1,
        "upstream stopped maintaining it",
    )
    text = spine.sbom.export(ADA(spine), target, format)
    back = parse_sbom(text.encode(), f"export.{format}.json")
    named = {c.name: c for c in back.components}
    assert named["requests"].purl == "pkg:pypi/requests@2.19.0"
    assert named["requests"].hashes == ("SHA-256:" + "cd" * 32,)
    assert named["requests"].licenses == ("Apache-2.0",)
    assert named["requests"].depends_on == (named["six"].ref,)
    raw = json.loads(text)
    if format == "cyclonedx":
        (six,) = [c for c in raw["components"] if c["name"] == "six"]
        assert {p["name"]: p["value"] for p in six["properties"]} == {
            "qspine:support_level": "unmaintained",
            "qspine:end_of_support": "2026-01-31",
        }
    else:
        (six,) = [p for p in raw["packages"] if p["name"] == "six"]
        assert six["comment"] == "support level: unmaintained; end of support: 2026-01-31"
