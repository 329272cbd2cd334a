"""Cybersecurity metrics for management review and the dashboard (FDA Cyber Guidance 2026 VI,
FD&C Act 524B(b)(1)), computed from plain rows the service reads.

Definitions (every figure is "as at" the date `as_of`):

- A vulnerability counts when it was discovered on or before `as_of` (one with no discovery
  date counts too, with no durations). Its triage state and status are as the record stands
  now; dates after `as_of` count as not reached yet. Cancelled vulnerabilities (raised in
  error, duplicates) appear only in the counts by status.
- Vulnerabilities by triage state: the live (not cancelled) ones, all four OpenVEX states
  listed. By status: every one counted.
- Days to triage: `discovered_on` to the triage decision: `triaged_on` when the state is no
  longer under_investigation, else the day the first version whose triage state left
  under_investigation was written (from history). Live vulnerabilities with no decision are
  `untriaged`.
- Days to patch: `discovered_on` to `fix_deployed_on`.
- Patched: triage state `fixed`, or a `fix_deployed_on`. Mitigated (when not patched):
  `not_affected` with VEX justification `inline_mitigations_already_exist`, or `affected`
  with `patient_risk` controlled. The share is (patched + mitigated) / the live
  vulnerabilities that are not `not_affected` for another reason (component or vulnerable
  code not present, not reachable, not controllable by an adversary: nothing to patch).
  Under-investigation ones stay in the denominator: known, and neither patched nor mitigated.
- Time to deploy: the release date of the release `fixed_in` names (its version label or
  key; among several, those of the products the vulnerability affects, then the earliest)
  to `fix_deployed_on`; omitted when either date is unknown.
- SBOM update cadence per product: the days between successive SBOM imports (each release's
  first `sbom.import`, by day); a product with no import falls back to the release dates
  (on or before `as_of`) of its releases that contain components.
- Components past end of support: `end_of_support` before `as_of`, not retired, contained in
  a released release. Unsupported: support level unmaintained or abandoned, same scope.
- A duration that comes out negative (a date before the discovery or the release) is a data
  problem: it is left out of the medians and named in `problems`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qspine.model.deadlines import as_date
from qspine.model.records import key_order

TRIAGE_STATES = ("under_investigation", "affected", "not_affected", "fixed")
UNDER_INVESTIGATION = "under_investigation"
CANCELLED = "cancelled"
RETIRED = "retired"
MITIGATING_JUSTIFICATION = "inline_mitigations_already_exist"
UNSUPPORTED_LEVELS = ("unmaintained", "abandoned")
UNSPECIFIED_PRODUCT = "unspecified"


@dataclass(frozen=True)
class VulnerabilityRow:
    """A vulnerability as the metrics read it; `first_decided_on` is the day its first version
    with a triage state other than under_investigation was written; `products` those of the
    releases it affects (directly or through their components)."""

    key: str
    status: str
    triage_state: str
    discovered_on: dt.date | None
    triaged_on: dt.date | None = None
    first_decided_on: dt.date | None = None
    fix_deployed_on: dt.date | None = None
    fixed_in: str = ""
    vex_justification: str = ""
    patient_risk: str = ""
    products: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        key: str,
        status: str,
        fields: Mapping[str, Any],
        first_decided_on: dt.date | None = None,
        products: Iterable[str] = (),
    ) -> VulnerabilityRow:
        return cls(
            key,
            status,
            str(fields.get("triage_state") or UNDER_INVESTIGATION),
            as_date(fields.get("discovered_on")),
            as_date(fields.get("triaged_on")),
            first_decided_on,
            as_date(fields.get("fix_deployed_on")),
            str(fields.get("fixed_in") or ""),
            str(fields.get("vex_justification") or ""),
            str(fields.get("patient_risk") or ""),
            tuple(sorted(set(products))),
        )


@dataclass(frozen=True)
class ReleaseRow:
    key: str
    product: str
    version_label: str
    release_date: dt.date | None
    released: bool
    has_components: bool

    @classmethod
    def of(
        cls, key: str, title: str, fields: Mapping[str, Any], released: bool, components: bool
    ) -> ReleaseRow:
        label = str(fields.get("version_label") or "")
        day = as_date(fields.get("release_date"))
        return cls(key, product_of(title, fields), label, day, released, components)


def product_of(title: str, fields: Mapping[str, Any]) -> str:
    """A release's product: its `product` field, else its title without the version label
    ('CytoAssist 2.0.0' -> 'CytoAssist'), else its title."""
    product = str(fields.get("product") or "").strip()
    if product:
        return product
    label = str(fields.get("version_label") or "").strip()
    if label and title.endswith(label) and title[: -len(label)].strip():
        return title[: -len(label)].strip()
    return title.strip() or UNSPECIFIED_PRODUCT


@dataclass(frozen=True)
class SbomImportRow:
    """One `sbom.import` audit event: the release it was for, the UTC day, the product its
    payload named (if any)."""

    release: str
    on: dt.date
    product: str | None = None


@dataclass(frozen=True)
class ContainedComponent:
    """A component a release contains (`version`: the pinned one) with its support data."""

    key: str
    name: str
    version: str
    status: str
    support_level: str
    end_of_support: dt.date | None
    release: str
    release_released: bool


@dataclass(frozen=True)
class Duration:
    key: str
    start: dt.date
    end: dt.date
    days: int


@dataclass(frozen=True)
class DeployTime:
    vulnerability: str
    release: str
    release_date: dt.date
    fix_deployed_on: dt.date
    days: int


@dataclass(frozen=True)
class PatchShare:
    """Known vulnerabilities patched or mitigated (see the module's definitions)."""

    patched: tuple[str, ...]
    mitigated: tuple[str, ...]
    counted: tuple[str, ...]  # the denominator

    @property
    def percent(self) -> float | None:
        if not self.counted:
            return None
        return round(100 * (len(self.patched) + len(self.mitigated)) / len(self.counted), 1)


@dataclass(frozen=True)
class Cadence:
    """How often a product's SBOM was updated: `source` is sbom_import or release_date."""

    product: str
    source: str
    dates: tuple[dt.date, ...]
    releases: tuple[str, ...]
    intervals: tuple[int, ...]
    median_interval_days: float | None
    days_since_last: int | None


@dataclass(frozen=True)
class ComponentConcern:
    key: str
    name: str
    version: str
    support_level: str
    end_of_support: dt.date | None
    releases: tuple[str, ...]


@dataclass(frozen=True)
class CyberMetrics:
    as_of: dt.date
    vulnerabilities: int
    by_triage_state: dict[str, int]
    by_status: dict[str, int]
    time_to_triage: tuple[Duration, ...]
    median_days_to_triage: float | None
    untriaged: tuple[str, ...]
    time_to_patch: tuple[Duration, ...]
    median_days_to_patch: float | None
    patch_share: PatchShare
    time_to_deploy: tuple[DeployTime, ...]
    median_days_to_deploy: float | None
    sbom_cadence: tuple[Cadence, ...]
    past_end_of_support: tuple[ComponentConcern, ...]
    unsupported: tuple[ComponentConcern, ...]
    problems: tuple[str, ...]


def compute_metrics(
    as_of: dt.date,
    vulnerabilities: Iterable[VulnerabilityRow],
    releases: Iterable[ReleaseRow] = (),
    imports: Iterable[SbomImportRow] = (),
    components: Iterable[ContainedComponent] = (),
) -> CyberMetrics:
    """The metrics as at `as_of` (see the module's definitions)."""
    known = [v for v in vulnerabilities if v.discovered_on is None or v.discovered_on <= as_of]
    live = [v for v in known if v.status != CANCELLED]
    release_list = list(releases)
    problems: list[str] = []
    triage, untriaged = _triage(live, as_of, problems)
    patch = _durations(
        ((v.key, v.discovered_on, _by(v.fix_deployed_on, as_of)) for v in live),
        "fix deployed",
        problems,
    )
    deploy = _deploy(live, release_list, as_of, problems)
    by_status: dict[str, int] = {}
    for v in sorted(known, key=lambda v: v.status):
        by_status[v.status] = by_status.get(v.status, 0) + 1
    contained = [c for c in components if c.release_released and c.status != RETIRED]
    return CyberMetrics(
        as_of=as_of,
        vulnerabilities=len(known),
        by_triage_state={s: sum(v.triage_state == s for v in live) for s in TRIAGE_STATES},
        by_status=by_status,
        time_to_triage=triage,
        median_days_to_triage=median([d.days for d in triage]),
        untriaged=tuple(untriaged),
        time_to_patch=patch,
        median_days_to_patch=median([d.days for d in patch]),
        patch_share=_patch_share(live, as_of),
        time_to_deploy=deploy,
        median_days_to_deploy=median([d.days for d in deploy]),
        sbom_cadence=_cadence(release_list, list(imports), as_of),
        past_end_of_support=_concerns(
            c for c in contained if c.end_of_support is not None and c.end_of_support < as_of
        ),
        unsupported=_concerns(c for c in contained if c.support_level in UNSUPPORTED_LEVELS),
        problems=tuple(problems),
    )


def median(values: Sequence[int]) -> float | None:
    return round(float(statistics.median(values)), 1) if values else None


def _by(day: dt.date | None, as_of: dt.date) -> dt.date | None:
    """`day` if it was reached by `as_of`."""
    return day if day is not None and day <= as_of else None


def _decided_on(v: VulnerabilityRow, as_of: dt.date) -> dt.date | None:
    stated = v.triaged_on if v.triage_state != UNDER_INVESTIGATION else None
    return _by(stated, as_of) or _by(v.first_decided_on, as_of)


def _triage(
    live: list[VulnerabilityRow], as_of: dt.date, problems: list[str]
) -> tuple[tuple[Duration, ...], list[str]]:
    decided = [(v.key, v.discovered_on, _decided_on(v, as_of)) for v in live]
    untriaged = [key for key, _, day in decided if day is None]
    return _durations(decided, "triaged", problems), untriaged


def _durations(
    spans: Iterable[tuple[str, dt.date | None, dt.date | None]], what: str, problems: list[str]
) -> tuple[Duration, ...]:
    found = []
    for key, start, end in spans:
        if start is None or end is None:
            continue
        days = (end - start).days
        if days < 0:
            problems.append(f"{key}: {what} on {end}, before it was discovered on {start}")
            continue
        found.append(Duration(key, start, end, days))
    return tuple(found)


def _patched(v: VulnerabilityRow, as_of: dt.date) -> bool:
    return v.triage_state == "fixed" or _by(v.fix_deployed_on, as_of) is not None


def _mitigated(v: VulnerabilityRow) -> bool:
    if v.triage_state == "not_affected":
        return v.vex_justification == MITIGATING_JUSTIFICATION
    return v.triage_state == "affected" and v.patient_risk == "controlled"


def _patch_share(live: list[VulnerabilityRow], as_of: dt.date) -> PatchShare:
    patched = [v.key for v in live if _patched(v, as_of)]
    mitigated = [v.key for v in live if not _patched(v, as_of) and _mitigated(v)]
    counted = [
        v.key
        for v in live
        if _patched(v, as_of) or v.triage_state != "not_affected" or _mitigated(v)
    ]
    return PatchShare(tuple(patched), tuple(mitigated), tuple(counted))


def _deploy(
    live: list[VulnerabilityRow],
    releases: list[ReleaseRow],
    as_of: dt.date,
    problems: list[str],
) -> tuple[DeployTime, ...]:
    found = []
    for v in live:
        deployed = _by(v.fix_deployed_on, as_of)
        if not v.fixed_in or deployed is None:
            continue
        release = _fix_release(v, releases)
        if release is None or release.release_date is None:
            continue
        days = (deployed - release.release_date).days
        if days < 0:
            problems.append(
                f"{v.key}: fix deployed on {deployed}, before {release.key} "
                f"({v.fixed_in}) was released on {release.release_date}"
            )
            continue
        found.append(DeployTime(v.key, release.key, release.release_date, deployed, days))
    return tuple(found)


def _fix_release(v: VulnerabilityRow, releases: list[ReleaseRow]) -> ReleaseRow | None:
    named = [r for r in releases if v.fixed_in in (r.version_label, r.key)]
    same_product = [r for r in named if r.product in v.products]
    dated = [r for r in (same_product or named) if r.release_date is not None]
    if not dated:
        return None
    return min(dated, key=lambda r: (r.release_date or dt.date.max, r.key))


def _cadence(
    releases: list[ReleaseRow], imports: list[SbomImportRow], as_of: dt.date
) -> tuple[Cadence, ...]:
    product_of_release = {r.key: r.product for r in releases}
    first: dict[str, tuple[dt.date, str]] = {}  # release -> (first import day, product)
    for row in sorted(imports, key=lambda i: i.on):
        if row.on > as_of or row.release in first:
            continue
        product = row.product or product_of_release.get(row.release) or UNSPECIFIED_PRODUCT
        first[row.release] = (row.on, product)
    by_product: dict[str, list[tuple[dt.date, str]]] = {}
    for release, (day, product) in first.items():
        by_product.setdefault(product, []).append((day, release))
    found = [_cadence_of(p, "sbom_import", days, as_of) for p, days in by_product.items()]
    fallback: dict[str, list[tuple[dt.date, str]]] = {}
    for r in releases:
        if r.product in by_product or not r.has_components or r.release_date is None:
            continue
        if r.release_date <= as_of:
            fallback.setdefault(r.product, []).append((r.release_date, r.key))
    found += [_cadence_of(p, "release_date", days, as_of) for p, days in fallback.items()]
    return tuple(sorted(found, key=lambda c: c.product))


def _cadence_of(
    product: str, source: str, dated: list[tuple[dt.date, str]], as_of: dt.date
) -> Cadence:
    dated.sort()
    days = [day for day, _ in dated]
    intervals = [(later - earlier).days for earlier, later in itertools.pairwise(days)]
    return Cadence(
        product,
        source,
        tuple(days),
        tuple(release for _, release in dated),
        tuple(intervals),
        median(intervals),
        (as_of - days[-1]).days if days else None,
    )


def _concerns(rows: Iterable[ContainedComponent]) -> tuple[ComponentConcern, ...]:
    grouped: dict[tuple[str, str], list[ContainedComponent]] = {}
    for row in rows:
        grouped.setdefault((row.key, row.version), []).append(row)
    return tuple(
        ComponentConcern(
            key,
            items[0].name,
            version,
            items[0].support_level,
            items[0].end_of_support,
            tuple(sorted({i.release for i in items})),
        )
        for (key, version), items in sorted(
            grouped.items(), key=lambda kv: (key_order(kv[0][0]), kv[0][1])
        )
    )


def summary_line(metrics: CyberMetrics, components: bool = True) -> str:
    """The metrics in one sentence (management review inputs, the CLI); without the
    component figures when `components` is False (metrics of the vulnerabilities alone)."""
    share = metrics.patch_share
    text = (
        f"Cybersecurity as at {metrics.as_of}: {metrics.vulnerabilities} known "
        f"vulnerabilities, {len(metrics.untriaged)} untriaged; median "
        f"{_days(metrics.median_days_to_triage)} to triage and "
        f"{_days(metrics.median_days_to_patch)} to patch; "
        f"{'n/a' if share.percent is None else f'{share.percent:g}%'} patched or mitigated"
        f" ({len(share.patched)} patched, {len(share.mitigated)} mitigated, of "
        f"{len(share.counted)})"
    )
    if not components:
        return text + "."
    return text + (
        f"; {len(metrics.past_end_of_support)} component(s) past end of support and "
        f"{len(metrics.unsupported)} unmaintained or abandoned in released products."
    )


def _days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g} days"
