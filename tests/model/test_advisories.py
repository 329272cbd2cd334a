"""Pure advisory facts: identity by alias, the preferred identifier, CVSS v3 base scores and
stated severity, unreadable range versions; and the triage carry-over decision."""

from __future__ import annotations

import pytest

from qspine.model.advisories import (
    group_by_alias,
    preferred_identifier,
    severity_of,
    unreadable_versions,
)
from qspine.model.cvss import base_score, rating
from qspine.model.triage import DecidedOn, why_reopened
from qspine.model.vulnerability_match import AdvisoryIndex, AffectedPackage, PackageRef, package_of


def test_identifier_preference_is_cve_then_ghsa_then_database_ids() -> None:
    assert preferred_identifier(["PYSEC-2019-26", "GHSA-j9m2", "CVE-2019-1020019"]) == (
        "CVE-2019-1020019"
    )
    assert preferred_identifier(["GO-2020-0001", "GHSA-6vm3"]) == "GHSA-6vm3"
    assert preferred_identifier(["PYSEC-2024-6", "GO-2024-1"]) == "GO-2024-1"  # sorted tier
    with pytest.raises(ValueError):
        preferred_identifier([])


def test_advisories_sharing_any_id_are_one_vulnerability_transitively() -> None:
    groups = group_by_alias(
        {
            "PYSEC-2024-5": ["CVE-2024-22194", "GHSA-rgrf"],
            "PYSEC-2024-6": ["CVE-2024-22194"],
            "GO-1": ["GHSA-x"],
            "GO-2": [],
            "PYSEC-9": ["GHSA-x", "CVE-9"],  # joins GO-1 through GHSA-x
        }
    )
    assert groups == [
        {"PYSEC-2024-5", "PYSEC-2024-6", "CVE-2024-22194", "GHSA-rgrf"},
        {"GO-1", "GHSA-x", "PYSEC-9", "CVE-9"},
        {"GO-2"},
    ]


@pytest.mark.parametrize(
    ("vector", "score", "severity"),
    [  # scores as NVD publishes them for these vectors
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium"),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, "medium"),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, "critical"),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "high"),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N", 2.8, "low"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "none"),
    ],
)
def test_cvss_v3_base_scores(vector: str, score: float, severity: str) -> None:
    found = base_score(vector)
    assert found is not None and (found.score, found.severity) == (score, severity)


def test_other_cvss_versions_and_broken_vectors_have_no_score() -> None:
    assert base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P") is None  # v2
    assert base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N") is None
    assert base_score("CVSS:3.1/AV:N/AC:L") is None
    assert base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") is None
    assert [rating(s) for s in (0, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0)] == [
        "none", "low", "medium", "medium", "high", "high", "critical"
    ]  # fmt: skip


def test_stated_severity_from_a_vector_or_the_database_word() -> None:
    v3 = {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
    scored = severity_of([v3], {})
    assert (scored.rating, scored.score, scored.vector) == ("critical", 9.8, v3["score"])
    worded = severity_of([], {"severity": "MODERATE"})
    assert (worded.rating, worded.score) == ("medium", None)
    v4 = {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N"}
    assert severity_of([v4], {}).rating == "unknown"
    assert severity_of([v4], {}).vector == v4["score"]


def test_unreadable_range_versions_are_counted_per_advisory() -> None:
    entries = [
        AffectedPackage(
            "PYSEC-1", "PyPI", "x", (("ECOSYSTEM", (("introduced", "0"), ("fixed", "1.0"))),)
        ),
        AffectedPackage(
            "PYSEC-2", "PyPI", "x", (("ECOSYSTEM", (("introduced", "0"), ("fixed", "a b!"))),)
        ),
        AffectedPackage("GO-1", "Go", "y", (("SEMVER", (("introduced", "not.semver!"),)),)),
        AffectedPackage("GIT-1", "PyPI", "z", (("GIT", (("fixed", "9e78f7cb"),)),)),
    ]
    assert unreadable_versions(entries) == {("PYSEC-2", "a b!"), ("GO-1", "not.semver!")}


def test_a_not_affected_decision_holds_until_the_version_or_advisory_changes() -> None:
    same = [DecidedOn("SBOM-1", "1.0.0a11", "1.0.0a11")]
    stamp = "2019-07-31T19:44:00Z"
    assert why_reopened("not_affected", same, stamp, stamp) is None
    assert why_reopened("affected", [DecidedOn("SBOM-1", "1", "2")], stamp, "x") is None
    moved = why_reopened(
        "not_affected", [DecidedOn("SBOM-1", "1.0.0a11", "1.0.0a10")], stamp, stamp
    )
    assert moved is not None and "SBOM-1 is now 1.0.0a10 (decided on 1.0.0a11)" in moved
    newer = why_reopened("not_affected", same, stamp, "2024-01-01T00:00:00Z")
    assert newer is not None and "modified 2024-01-01T00:00:00Z" in newer
    # a decision recorded without the advisory's time (by hand, from VEX) compares versions only
    assert why_reopened("not_affected", same, None, "2024-01-01T00:00:00Z") is None


def test_distribution_packages_are_named_without_the_distribution() -> None:
    """OSV names Debian and Alpine packages by their source package name alone ('curl'), the
    purl's namespace being the distribution (pkg:deb/debian/curl)."""
    curl = AffectedPackage(
        "DSA-1",
        "Debian:11",
        "curl",
        (("ECOSYSTEM", (("introduced", "0"), ("fixed", "7.74.0-1.3+deb11u2"))),),
    )
    musl = AffectedPackage(
        "ALPINE-1",
        "Alpine:v3.16",
        "musl",
        (("ECOSYSTEM", (("introduced", "0"), ("fixed", "1.2.3-r1"))),),
    )
    index = AdvisoryIndex([curl, musl])
    debian = package_of("pkg:deb/debian/curl@7.74.0-1.3?arch=amd64")
    alpine = package_of("pkg:apk/alpine/musl@1.2.3-r0?arch=x86_64")
    assert debian == PackageRef("Debian", "curl", "7.74.0-1.3")
    assert alpine == PackageRef("Alpine", "musl", "1.2.3-r0")
    assert [m.advisory for m in index.match(debian)] == ["DSA-1"]
    assert [m.advisory for m in index.match(alpine)] == ["ALPINE-1"]
    # other namespaced ecosystems keep the namespace in the name
    assert package_of("pkg:composer/laravel/framework@10.0.0") == PackageRef(
        "Packagist", "laravel/framework", "10.0.0"
    )
