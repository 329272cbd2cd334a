"""The offline vulnerability database: real OSV folders imported and re-imported
incrementally, bad files refused whole; matches on releases made from SBOMs with real PyPI and
Go advisories (affected, just outside, fixed), alias de-duplication, the postmarket loop
(component version, suspect security risk, CAPA candidate), triage carry-over, and matches no
longer found. Real SQLite and PostgreSQL; real advisories from ../shared/data."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.helpers import PASSWORD, SHARED_DATA, database_state, sample_fields

from qspine.model.errors import Forbidden, InvalidInput
from qspine.profiles import load_profile
from qspine.spine import Spine
from qspine.store.schema import advisory

PROFILE = load_profile("qmsr")
PYPA = SHARED_DATA / "osv-pypa-advisory-database"
GO = SHARED_DATA / "osv-golang-vulndb"
PSF = SHARED_DATA / "osv-psf-advisory-database"
PREVIEWER = PYPA / "vulns/invenio-previewer/PYSEC-2019-26.yaml"
GIN = GO / "data/osv/GO-2020-0001.json"
CASE_UTILS = PYPA / "vulns/case-utils/PYSEC-2024-5.yaml"
CDO_UUID = PYPA / "vulns/cdo-local-uuid/PYSEC-2024-6.yaml"

need_data = pytest.mark.skipif(
    not PYPA.is_dir(), reason=f"the shared data folder {SHARED_DATA} is absent"
)


def advisories(tmp_path: Path, *files: Path) -> Path:
    """A folder holding copies of real advisory files (read in place otherwise)."""
    folder = tmp_path / "advisories"
    folder.mkdir(exist_ok=True)
    for file in files:
        shutil.copyfile(file, folder / file.name)
    return folder


def release(spine: Spine, title: str, product: str, components: list[tuple[str, str, str]]) -> str:
    """A release of `product` owned by sam, with an SBOM of (purl type, name, version)."""
    key = spine.records.create(
        "sam",
        "release",
        {"title": title, "version_label": title, "product": product, "security_owner": "sam"},
    ).key
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {
                "type": "library",
                "bom-ref": f"pkg:{kind}/{name}@{version}",
                "name": name,
                "version": version,
                "purl": f"pkg:{kind}/{name}@{version}",
            }
            for kind, name, version in components
        ],
    }
    spine.sbom.import_bytes("sam", json.dumps(document).encode(), f"{key}.json", key)
    return key


def release_it(spine: Spine, key: str) -> None:
    spine.records.transition("quinn", key, "in_review", 1)
    spine.signing.sign("ada", PASSWORD, key, "released", 1)


def component(spine: Spine, release_key: str, name: str) -> str:
    (found,) = [
        c.key
        for c in spine.sbom.components(spine.users.get("sam"), release_key)
        if c.fields["name"] == name
    ]
    return found


def vulnerability(spine: Spine, identifier: str) -> Any:
    _, rows = spine.records.list("vulnerability", where={"identifier": identifier})
    (row,) = rows
    return spine.records.show(row.key)


def links_from(spine: Spine, key: str, type_: str) -> list[Any]:
    outgoing, _ = spine.links.of(key)
    return [link for link in outgoing if link.type == type_]


@pytest.fixture
def sam(spine: Spine) -> Spine:
    spine.users.add("ada", "sam", "Sam Security", PASSWORD, ["security_engineer"])
    return spine


@need_data
def test_real_databases_import_with_exact_counts_and_reimport_writes_nothing(
    sam: Spine, tmp_path: Path
) -> None:
    spine = sam
    for folder in (PYPA, PSF):
        files = [p for p in folder.rglob("*") if p.suffix in (".yaml", ".json")]
        files = [p for p in files if not p.name.startswith(".")]
        withdrawn = sum(1 for p in files if re.search(r'^"?withdrawn"?:', p.read_text(), re.M))
        done = spine.vulndb.import_advisories("sam", folder)
        assert (done.records, done.new, done.updated, done.unchanged) == (
            len(files),
            len(files),
            0,
            0,
        )
        assert done.withdrawn == withdrawn
    status = spine.vulndb.status(spine.users.get("vic"))
    assert status.advisories == 2661 + 132
    # PSF's advisories name CPython commits (GIT ranges), not packages
    assert [(e.ecosystem, e.advisories) for e in status.ecosystems] == [("PyPI", 2661)]
    assert {s.source: s.advisories for s in status.sources} == {
        "osv-pypa-advisory-database": 2661,
        "osv-psf-advisory-database": 132,
    }
    assert status.last_import is not None and status.last_import.payload["new"] == 132
    with spine.context.engine.connect() as connection:
        before = connection.execute(sa.select(advisory.c.osv_id, advisory.c.imported_at)).all()
    again = spine.vulndb.import_advisories("sam", PSF)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 132)
    with spine.context.engine.connect() as connection:
        assert connection.execute(sa.select(advisory.c.osv_id, advisory.c.imported_at)).all() == (
            before
        )
    # one record changed upstream (a later modified time and new text): only it is written
    changed = tmp_path / "PYSEC-2019-26.yaml"
    text = PREVIEWER.read_text().replace("2019-07-31T19:44:00Z", "2024-05-01T10:00:00Z")
    changed.write_text(text.replace("allows XSS.", "allows stored XSS."))
    update = spine.vulndb.import_advisories("sam", changed, source="osv-pypa-advisory-database")
    assert (update.new, update.updated, update.unchanged) == (0, 1, 0)
    event = spine.audit.log("vulndb", limit=1)[0]
    assert (event.action, event.payload["changed"]) == ("vulndb.import", ["PYSEC-2019-26"])


@need_data
def test_go_database_imports_from_a_zip(sam: Spine, tmp_path: Path) -> None:
    archive = tmp_path / "Go.zip"
    folder = GO / "data/osv"
    names = sorted(p.name for p in folder.glob("*.json"))
    shutil.make_archive(str(archive.with_suffix("")), "zip", folder)
    done = sam.vulndb.import_advisories("sam", archive)
    assert (done.source, done.records, done.new) == ("Go", len(names), len(names))
    status = sam.vulndb.status(sam.users.get("sam"))
    assert [e.ecosystem for e in status.ecosystems] == ["Go"]


@need_data
def test_a_bad_file_is_named_and_nothing_is_written(sam: Spine, tmp_path: Path) -> None:
    folder = advisories(tmp_path, PREVIEWER, GIN)
    (folder / "zz-broken.json").write_text('{"id": "X-1", "affected": [{"ranges": [{}]}]}')
    before = database_state(sam)
    with pytest.raises(InvalidInput, match=r"zz-broken\.json: not an OSV record: affected"):
        sam.vulndb.import_advisories("sam", folder)
    (folder / "zz-broken.json").write_text('{"id": "X-1", "modified": "last tuesday"}')
    with pytest.raises(InvalidInput, match=r"zz-broken\.json: .*modified: 'last tuesday'"):
        sam.vulndb.import_advisories("sam", folder)
    long_alias = "CVE-2024-" + "9" * 130  # longer than the database holds
    (folder / "zz-broken.json").write_text(json.dumps({"id": "X-1", "aliases": [long_alias]}))
    with pytest.raises(InvalidInput, match=r"zz-broken\.json: .*aliases: .* longer than 128"):
        sam.vulndb.import_advisories("sam", folder)
    assert database_state(sam) == before
    assert sam.vulndb.status(sam.users.get("sam")).advisories == 0
    with pytest.raises(Forbidden):
        sam.vulndb.import_advisories("vic", advisories(tmp_path, PREVIEWER))


@need_data
def test_matches_affected_not_outside_nor_fixed_for_pypi_and_go(sam: Spine, tmp_path: Path) -> None:
    spine = sam
    spine.vulndb.import_advisories("sam", advisories(tmp_path, PREVIEWER, GIN))
    inside = release(
        spine,
        "A 1",
        "A",
        [
            ("pypi", "invenio-previewer", "1.0.0a11"),
            ("golang", "github.com/gin-gonic/gin", "v1.5.0"),
        ],
    )
    release(
        spine,
        "B 1",
        "B",
        [
            ("pypi", "invenio-previewer", "1.0.0a12"),
            ("golang", "github.com/gin-gonic/gin", "v1.6.0"),
        ],
    )  # fixed
    release(
        spine,
        "C 1",
        "C",
        [("pypi", "invenio-previewer", "1.0.1"), ("golang", "github.com/gin-gonic/gin", "v1.9.1")],
    )  # just outside
    report = spine.vulndb.match("sam")
    assert report.releases == ("REL-1", "REL-2", "REL-3")
    assert report.components == 6 and report.not_matchable == 0
    assert sorted((m.identifier, m.release, m.version) for m in report.matches) == [
        ("CVE-2019-1020019", inside, "1.0.0a11"),
        ("CVE-2020-36567", inside, "v1.5.0"),
    ]
    previewer = vulnerability(spine, "CVE-2019-1020019")
    fields = previewer.version.fields
    assert fields["aliases"] == ["GHSA-j9m2-6hq2-4r3c", "PYSEC-2019-26"]
    assert (fields["source"], fields["owner"], fields["triage_state"]) == (
        "osv",
        "sam",
        "under_investigation",
    )
    assert fields["advisory_modified"] == "2019-07-31T19:44:00Z"
    assert fields["discovered_on"] == spine.context.clock().date().isoformat()
    assert fields["title"] == "invenio-previewer before 1.0.0a12 allows XSS"
    gin = vulnerability(spine, "CVE-2020-36567").version.fields
    assert gin["aliases"] == ["GHSA-6vm3-jj99-7229", "GO-2020-0001"]
    assert gin["title"] == "Arbitrary log line injection in github.com/gin-gonic/gin"
    # affects: the component pinned at the version matched, and the release
    affects = {link.target: link for link in links_from(spine, previewer.key, "affects")}
    target = component(spine, inside, "invenio-previewer")
    assert set(affects) == {target, inside}
    pinned = [
        v for v in spine.records.history(target) if v.number == affects[target].target_version
    ]
    assert pinned[0].fields["version"] == "1.0.0a11"
    assert pinned[0].fields["known_vulnerabilities"] == ["CVE-2019-1020019"]
    assert report.capa_candidates == []  # REL-1 is planned, not released


@need_data
def test_advisories_sharing_a_cve_make_one_vulnerability(sam: Spine, tmp_path: Path) -> None:
    spine = sam
    spine.vulndb.import_advisories("sam", advisories(tmp_path, CASE_UTILS, CDO_UUID))
    key = release(
        spine, "A 1", "A", [("pypi", "case-utils", "0.14.0"), ("pypi", "cdo-local-uuid", "0.4.0")]
    )
    report = spine.vulndb.match("sam", key)
    assert [v.identifier for v in report.new_vulnerabilities] == ["CVE-2024-22194"]
    found = vulnerability(spine, "CVE-2024-22194")
    assert found.version.fields["aliases"] == [
        "GHSA-rgrf-6mf5-m882",
        "PYSEC-2024-5",
        "PYSEC-2024-6",
    ]
    assert (found.version.fields["severity"], found.version.fields["cvss_score"]) == ("low", 2.8)
    targets = {link.target for link in links_from(spine, found.key, "affects")}
    assert targets == {
        key,
        component(spine, key, "case-utils"),
        component(spine, key, "cdo-local-uuid"),
    }
    # a record entered by hand under one alias is reused, its aliases extended
    spine.records.revise(
        "sam", found.key, {"aliases": ["PYSEC-2024-5"]}, found.latest_version, "trimmed"
    )
    again = spine.vulndb.match("sam", key)
    assert (again.new_vulnerabilities, [v.key for v in again.reused]) == ([], [found.key])
    assert vulnerability(spine, "CVE-2024-22194").version.fields["aliases"] == [
        "GHSA-rgrf-6mf5-m882",
        "PYSEC-2024-5",
        "PYSEC-2024-6",
    ]


@need_data
def test_postmarket_loop_on_a_released_release(sam: Spine, tmp_path: Path) -> None:
    spine = sam
    key = release(spine, "A 1", "A", [("pypi", "invenio-previewer", "1.0.0a11")])
    target = component(spine, key, "invenio-previewer")
    risk = spine.records.create(
        "sam", "security_risk", sample_fields(PROFILE, "security_risk", "XSS in previews")
    ).key
    spine.links.link("sam", "arises_from", risk, target)
    release_it(spine, key)
    assert not links_from(spine, risk, "arises_from")[0].suspect
    spine.vulndb.import_advisories("sam", advisories(tmp_path, PREVIEWER))
    report = spine.vulndb.match("sam", key)
    assert report.components_revised == [target]
    revised = spine.records.show(target)
    assert (revised.status, revised.version.number) == ("listed", 2)
    assert revised.version.fields["known_vulnerabilities"] == ["CVE-2019-1020019"]
    assert links_from(spine, risk, "arises_from")[0].suspect
    (candidate,) = report.capa_candidates
    capa = spine.records.show(candidate.key)
    assert capa.version.fields["title"] == (
        f"CAPA candidate: CVE-2019-1020019 in invenio-previewer@1.0.0a11 ({key})"
    )
    assert (capa.version.fields["owner"], capa.version.fields["source_type"]) == (
        "sam",
        "vulnerability",
    )
    assert [link.target for link in links_from(spine, capa.key, "addresses")] == [
        candidate.vulnerability
    ]
    # re-running finds the same and writes nothing new
    again = spine.vulndb.match("sam", key)
    assert (again.capa_candidates, again.components_revised, again.new_links) == ([], [], 0)
    assert spine.records.show(target).version.number == 2
    _, capas = spine.records.list("capa")
    assert len(capas) == 1
    event = spine.audit.log(key, limit=1)[0]
    assert (event.action, event.payload["capa_candidates"]) == ("vulndb.match", [])


@need_data
def test_not_affected_carries_over_until_the_advisory_or_the_version_changes(
    sam: Spine, tmp_path: Path
) -> None:
    spine = sam
    spine.vulndb.import_advisories("sam", advisories(tmp_path, PREVIEWER))
    first = release(spine, "A 1", "A", [("pypi", "invenio-previewer", "1.0.0a11")])
    spine.vulndb.match("sam", first)
    found = vulnerability(spine, "CVE-2019-1020019")
    decision = {
        "triage_state": "not_affected",
        "vex_justification": "vulnerable_code_not_in_execute_path",
        "justification": "Previews are never rendered.",
        "triaged_on": "2026-03-02",
    }
    spine.records.revise("sam", found.key, decision, found.latest_version, "triaged")
    assert spine.vulndb.match("sam", first).reopened == []
    assert vulnerability(spine, "CVE-2019-1020019").version.fields["triage_state"] == "not_affected"
    # the advisory is modified upstream: the decision is reopened
    changed = tmp_path / "update" / "PYSEC-2019-26.yaml"
    changed.parent.mkdir()
    changed.write_text(
        PREVIEWER.read_text().replace("2019-07-31T19:44:00Z", "2024-05-01T10:00:00Z")
    )
    spine.vulndb.import_advisories("sam", changed.parent)
    (reopened,) = spine.vulndb.match("sam", first).reopened
    assert "modified 2024-05-01T10:00:00Z" in reopened.reason
    fields = vulnerability(spine, "CVE-2019-1020019").version.fields
    assert (fields["triage_state"], fields["advisory_modified"]) == (
        "under_investigation",
        "2024-05-01T10:00:00Z",
    )
    assert "vex_justification" not in fields
    # decided again; then a new release moves the component to another affected version
    current = vulnerability(spine, "CVE-2019-1020019")
    spine.records.revise("sam", current.key, decision, current.latest_version, "triaged again")
    second = release(spine, "A 2", "A", [("pypi", "invenio-previewer", "1.0.0a10")])
    report = spine.vulndb.match("sam", second)
    (reopened,) = report.reopened
    target = component(spine, second, "invenio-previewer")
    assert f"{target} is now 1.0.0a10 (decided on 1.0.0a11)" in reopened.reason
    assert report.repinned == 1
    (link,) = [x for x in links_from(spine, current.key, "affects") if x.target == target]
    pinned = [v for v in spine.records.history(target) if v.number == link.target_version]
    assert pinned[0].fields["version"] == "1.0.0a10"
    # the older release still contains 1.0.0a11: reported, the component left alone
    older = spine.vulndb.match("sam", first)
    assert [(o.component, o.contained_version) for o in older.older_versions] == [
        (target, "1.0.0a11")
    ]
    assert older.reopened == [] and older.components_revised == []


@need_data
def test_matching_one_release_keeps_the_advisory_time_of_every_advisory_behind_it(
    sam: Spine, tmp_path: Path
) -> None:
    """PYSEC-2024-5 (case-utils, modified 2024-01-25) and PYSEC-2024-6 (cdo-local-uuid,
    modified 2024-01-19) are one vulnerability. Matching the release that contains only one
    of the packages neither moves advisory_modified back nor reopens a not-affected decision:
    no advisory changed."""
    spine = sam
    spine.vulndb.import_advisories("sam", advisories(tmp_path, CASE_UTILS, CDO_UUID))
    release(spine, "A 1", "A", [("pypi", "case-utils", "0.14.0")])
    second = release(spine, "B 1", "B", [("pypi", "cdo-local-uuid", "0.4.0")])
    spine.vulndb.match("sam")
    found = vulnerability(spine, "CVE-2024-22194")
    assert found.version.fields["advisory_modified"] == "2024-01-25T14:03:52.279077Z"
    decision = {
        "triage_state": "not_affected",
        "vex_justification": "vulnerable_code_not_in_execute_path",
        "justification": "Never called.",
        "triaged_on": "2026-03-02",
    }
    spine.records.revise("sam", found.key, decision, found.latest_version, "triaged")
    report = spine.vulndb.match("sam", second)
    assert report.reopened == []
    after = vulnerability(spine, "CVE-2024-22194")
    assert after.latest_version == found.latest_version + 1
    assert after.version.fields["advisory_modified"] == "2024-01-25T14:03:52.279077Z"
    assert after.version.fields["triage_state"] == "not_affected"


@need_data
def test_withdrawn_advisory_is_reported_no_longer_matched_never_unlinked(
    sam: Spine, tmp_path: Path
) -> None:
    spine = sam
    spine.vulndb.import_advisories("sam", advisories(tmp_path, GIN), source="go")
    key = release(spine, "A 1", "A", [("golang", "github.com/gin-gonic/gin", "v1.5.0")])
    spine.vulndb.match("sam", key)
    record = json.loads(GIN.read_text())
    record.update(modified="2025-01-01T00:00:00Z", withdrawn="2025-01-01T00:00:00Z")
    update = tmp_path / "withdrawn" / "GO-2020-0001.json"
    update.parent.mkdir()
    update.write_text(json.dumps(record))
    assert spine.vulndb.import_advisories("sam", update.parent, source="go").updated == 1
    report = spine.vulndb.match("sam", key)
    assert report.matches == []
    target = component(spine, key, "github.com/gin-gonic/gin")
    found = vulnerability(spine, "CVE-2020-36567")
    assert [(g.vulnerability, g.component, g.release) for g in report.no_longer_matched] == [
        (found.key, target, key)
    ]
    assert "withdrawn: GO-2020-0001" in report.no_longer_matched[0].reason
    assert {link.target for link in links_from(spine, found.key, "affects")} == {target, key}


@need_data
def test_match_refusals_write_nothing(sam: Spine, tmp_path: Path) -> None:
    spine = sam
    spine.vulndb.import_advisories("sam", advisories(tmp_path, PREVIEWER))
    key = release(spine, "A 1", "A", [("pypi", "invenio-previewer", "1.0.0a11")])
    empty = spine.records.create("sam", "release", {"title": "E", "version_label": "E"}).key
    before = database_state(spine)
    with pytest.raises(Forbidden):
        spine.vulndb.match("vic", key)
    with pytest.raises(Forbidden):
        spine.vulndb.match("eve", key)  # a design engineer writes no vulnerabilities
    with pytest.raises(InvalidInput, match="contains no SBOM components"):
        spine.vulndb.match("sam", empty)
    with pytest.raises(InvalidInput, match="not a release"):
        spine.vulndb.match("sam", component(spine, key, "invenio-previewer"))
    assert database_state(spine) == before
