"""Post-market monitoring: ingest stores points, a breach episode opens one signal and one CAPA
candidate, re-ingesting adds nothing, a recovered-then-breached series opens a second episode,
stored values are never overwritten, and refusals write nothing (SQLite and PostgreSQL).

Every series here is simulated: small CSV/JSON files written into tmp_path by the test, with
values chosen to sit on either side of the thresholds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from qspine.model.errors import Conflict, Forbidden, InvalidInput
from qspine.services.monitoring import MAX_SERIES_BYTES
from qspine.spine import Spine

from helpers import PASSWORD, approve, database_state

CRITERIA = "rolling_sensitivity >= 0.9; input_psi <= 0.2"


def deployed_model(spine: Spine, criteria: str | None = CRITERIA) -> str:
    """MV-1 approved (deployed), implementing REQ-1 whose monitoring criteria are `criteria`."""
    fields: dict[str, Any] = {"title": "Detect malignancy", "statement": "The model shall..."}
    if criteria is not None:
        fields["monitoring_criteria"] = criteria
    requirement = spine.records.create("quinn", "requirement", fields).key
    model = spine.records.create(
        "quinn",
        "model_version",
        {"title": "CytoAssist model", "version_label": "1.0", "weights_sha256": "a" * 64},
    ).key
    spine.links.link("quinn", "implements", model, requirement)
    approve(spine, model)
    return model


def csv_file(tmp_path: Path, name: str, rows: list[tuple[str, str, str, float]]) -> bytes:
    """A simulated monitoring series as CSV (written to tmp_path, returned as bytes)."""
    lines = ["observed_at,site,metric,value"] + [f"{a},{s},{m},{v}" for a, s, m, v in rows]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.read_bytes()


def sensitivity(days: list[tuple[int, float]], site: str = "site-A") -> list[Any]:
    return [(f"2026-04-{d:02d}", site, "rolling_sensitivity", v) for d, v in days]


def point_count(spine: Spine) -> int:
    with spine.context.engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM monitoring_point")).scalar())


def fields_of(spine: Spine, key: str) -> dict[str, Any]:
    return spine.records.show(key).version.fields


def links_of(spine: Spine, key: str) -> set[tuple[str, str, str]]:
    outgoing, _ = spine.links.of(key)
    return {(link.type, link.source, link.target) for link in outgoing}


def test_a_breach_opens_one_signal_and_one_capa_candidate(spine: Spine, tmp_path: Path) -> None:
    model = deployed_model(spine)
    data = csv_file(
        tmp_path,
        "site-a.csv",
        sensitivity([(1, 0.95), (2, 0.93), (3, 0.88), (4, 0.86), (5, 0.89), (6, 0.92)]),
    )

    report = spine.monitoring.ingest("quinn", model, "site-a.csv", data)

    assert (report.model, report.version, report.points_added, report.points_unchanged) == (
        model,
        1,
        6,
        0,
    )
    assert report.thresholds_apply and report.note == ""
    assert report.criteria == ("rolling_sensitivity >= 0.9 (REQ-1)", "input_psi <= 0.2 (REQ-1)")
    assert len(report.signals_created) == 1 and len(report.capas_created) == 1
    (breach,) = report.breaches
    signal, capa = report.signals_created[0], report.capas_created[0]
    assert (breach.signal, breach.capa, breach.new) == (signal, capa, True)
    assert (breach.count, breach.worst, breach.observed_on) == (3, 0.86, "2026-04-03")
    assert (
        breach.series == f"{model} v1 · site-A · rolling_sensitivity · rolling_sensitivity >= 0.9"
    )

    fields = fields_of(spine, signal)
    assert fields["signal_type"] == "performance_drift"
    assert fields["observed_on"] == "2026-04-03"
    assert (fields["metric"], fields["value"], fields["threshold"], fields["site"]) == (
        "rolling_sensitivity",
        0.86,
        0.9,
        "site-A",
    )
    assert fields["series"] == breach.series
    assert report.digest in fields["source"] and "site-a.csv" in fields["source"]
    assert "baseline_value" not in fields
    assert "2026-04-03 to 2026-04-05" in fields["description"]
    capa_fields = fields_of(spine, capa)
    assert capa_fields["title"].startswith("CAPA candidate: ")
    assert (capa_fields["capa_type"], capa_fields["source_type"], capa_fields["owner"]) == (
        "corrective",
        "post_market_signal",
        "quinn",
    )
    assert signal in capa_fields["problem_statement"]
    assert links_of(spine, signal) == {("reports_on", signal, model)}
    assert links_of(spine, capa) == {("addresses", capa, signal)}
    assert spine.blobs.read(report.digest) == data
    events = [e for e in spine.audit.log(subject=model) if e.action == "monitoring.ingest"]
    assert len(events) == 1
    assert events[0].payload["signals"] == [signal] and events[0].payload["capas"] == [capa]
    assert point_count(spine) == 6


def test_re_ingesting_the_same_file_adds_nothing(spine: Spine, tmp_path: Path) -> None:
    model = deployed_model(spine)
    data = csv_file(tmp_path, "a.csv", sensitivity([(1, 0.95), (2, 0.85), (3, 0.84)]))
    first = spine.monitoring.ingest("quinn", model, "a.csv", data)
    before, points = database_state(spine), point_count(spine)

    again = spine.monitoring.ingest("quinn", model, "a.csv", data)

    assert database_state(spine) == before and point_count(spine) == points
    assert (again.points_added, again.points_unchanged) == (0, 3)
    assert again.signals_created == () and again.capas_created == ()
    (breach,) = again.breaches
    assert (breach.signal, breach.new, breach.capa) == (first.signals_created[0], False, "")


def test_a_continued_episode_adds_no_signal(spine: Spine, tmp_path: Path) -> None:
    model = deployed_model(spine)
    spine.monitoring.ingest(
        "quinn", model, "w1.csv", csv_file(tmp_path, "w1.csv", sensitivity([(1, 0.95), (2, 0.8)]))
    )
    later = spine.monitoring.ingest(
        "quinn", model, "w2.csv", csv_file(tmp_path, "w2.csv", sensitivity([(3, 0.7), (4, 0.8)]))
    )
    assert later.points_added == 2 and later.signals_created == ()
    (breach,) = later.breaches
    assert (breach.count, breach.worst, breach.new) == (3, 0.7, False)


def test_a_recovered_then_breached_series_opens_a_second_episode(
    spine: Spine, tmp_path: Path
) -> None:
    model = deployed_model(spine)
    first = spine.monitoring.ingest(
        "quinn",
        model,
        "w1.csv",
        csv_file(tmp_path, "w1.csv", sensitivity([(1, 0.95), (2, 0.85), (3, 0.86)])),
    )
    second = spine.monitoring.ingest(
        "quinn",
        model,
        "w2.csv",
        csv_file(tmp_path, "w2.csv", sensitivity([(4, 0.93), (5, 0.94), (6, 0.87), (7, 0.88)])),
    )

    assert len(first.signals_created) == 1 and len(second.signals_created) == 1
    assert [(b.observed_on, b.new) for b in second.breaches] == [
        ("2026-04-02", False),
        ("2026-04-06", True),
    ]
    (series,) = spine.monitoring.series(spine.users.get("vic"), model)
    assert [b.count for b in series.breaches] == [2, 2]
    assert [s.key for s in series.signals] == [*first.signals_created, *second.signals_created]
    assert [c.key for s in series.signals for c in s.capas] == [
        *first.capas_created,
        *second.capas_created,
    ]


def test_drift_metrics_raise_data_drift_signals_per_site(spine: Spine, tmp_path: Path) -> None:
    model = deployed_model(spine)
    items = [
        {"observed_at": "2026-04-01T08:00:00+02:00", "site": "site-B", "metric": "input_psi",
         "value": 0.1},
        {"observed_at": "2026-04-02T06:00:00Z", "site": "site-B", "metric": "input_psi",
         "value": 0.31},
        {"observed_at": "2026-04-02", "site": "site-C", "metric": "input_psi", "value": 0.25},
        {"observed_at": "2026-04-02", "site": "site-C", "metric": "prevalence", "value": 0.4},
    ]  # fmt: skip
    path = tmp_path / "drift.json"
    path.write_text(json.dumps({"points": items}), encoding="utf-8")

    report = spine.monitoring.ingest("quinn", model, "drift.json", path.read_bytes())

    assert report.format == "json" and report.series == 3
    assert report.note == "no threshold applies to prevalence; those points are stored"
    signals = [fields_of(spine, key) for key in report.signals_created]
    types = {fields["site"]: fields["signal_type"] for fields in signals}
    assert types == {"site-B": "data_drift", "site-C": "data_drift"}
    series = spine.monitoring.series(spine.users.get("vic"), model)
    assert [(s.site, s.metric, len(s.points)) for s in series] == [
        ("site-B", "input_psi", 2),
        ("site-C", "input_psi", 1),
        ("site-C", "prevalence", 1),
    ]
    assert series[0].points[0].observed_at.isoformat() == "2026-04-01T06:00:00+00:00"
    assert series[2].criteria == () and series[2].breaches == ()


def test_without_criteria_points_are_stored_and_no_signal_raised(
    spine: Spine, tmp_path: Path
) -> None:
    model = deployed_model(spine, criteria=None)
    report = spine.monitoring.ingest(
        "quinn", model, "a.csv", csv_file(tmp_path, "a.csv", sensitivity([(1, 0.1)]))
    )
    assert report.points_added == 1 and not report.thresholds_apply
    assert report.note.startswith("no thresholds apply")
    assert report.breaches == () and report.signals_created == ()


def test_baseline_value_comes_from_the_latest_passing_validation_run(
    spine: Spine, tmp_path: Path
) -> None:
    model = deployed_model(spine)
    record = tmp_path / "run.json"
    record.write_text(json.dumps({"metrics": {"rolling_sensitivity": 0.97}}), encoding="utf-8")
    digest = spine.blobs.add("quinn", record).sha256
    run = spine.records.create(
        "quinn",
        "validation_run",
        {"title": "Run 1", "metrics": "sensitivity 0.97", "outcome": "pass", "run_record": digest},
    ).key
    spine.links.link("quinn", "evaluates", run, model)
    report = spine.monitoring.ingest(
        "quinn", model, "a.csv", csv_file(tmp_path, "a.csv", sensitivity([(1, 0.8)]))
    )
    assert fields_of(spine, report.signals_created[0])["baseline_value"] == 0.97


def test_a_stored_point_is_never_overwritten(spine: Spine, tmp_path: Path) -> None:
    model = deployed_model(spine)
    spine.monitoring.ingest(
        "quinn", model, "a.csv", csv_file(tmp_path, "a.csv", sensitivity([(1, 0.95), (2, 0.94)]))
    )
    before, points = database_state(spine), point_count(spine)
    changed = csv_file(tmp_path, "b.csv", sensitivity([(3, 0.5), (2, 0.5)]))

    with pytest.raises(Conflict, match=r"b\.csv: row 3: site-A rolling_sensitivity .* 0\.94"):
        spine.monitoring.ingest("quinn", model, "b.csv", changed)

    assert database_state(spine) == before and point_count(spine) == points


def test_only_a_deployed_model_version_is_monitored(spine: Spine, tmp_path: Path) -> None:
    draft = spine.records.create(
        "quinn",
        "model_version",
        {"title": "Draft", "version_label": "0.1", "weights_sha256": "b" * 64},
    ).key
    model = deployed_model(spine)
    data = csv_file(tmp_path, "a.csv", sensitivity([(1, 0.5)]))
    before = database_state(spine)

    with pytest.raises(InvalidInput, match=f"{draft}: no version is deployed"):
        spine.monitoring.ingest("quinn", draft, "a.csv", data)
    spine.records.revise("quinn", model, {"version_label": "1.1"}, 1, "retrained")
    before = database_state(spine)
    with pytest.raises(InvalidInput, match=f"{model} v2 is draft: only a deployed"):
        spine.monitoring.ingest("quinn", model, "a.csv", data, version=2)
    with pytest.raises(InvalidInput, match="REQ-1 is a requirement, not a model_version"):
        spine.monitoring.ingest("quinn", "REQ-1", "a.csv", data)
    assert database_state(spine) == before
    # the version in force (v1) is still the one monitored by default
    assert spine.monitoring.ingest("quinn", model, "a.csv", data).version == 1


def test_refusals_write_nothing(spine: Spine, tmp_path: Path) -> None:
    model = deployed_model(spine)
    data = csv_file(tmp_path, "a.csv", sensitivity([(1, 0.5)]))
    before = database_state(spine)
    for user in ("vic", "eve"):
        with pytest.raises(Forbidden, match="lacks write:post_market_signal"):
            spine.monitoring.ingest(user, model, "a.csv", data)
    with pytest.raises(InvalidInput, match=r"bad\.csv: row 2: value: 'high' is not a number"):
        spine.monitoring.ingest("quinn", model, "bad.csv", data.replace(b"0.5", b"high"))
    huge = data + b"\n" * (MAX_SERIES_BYTES + 1 - len(data))
    with pytest.raises(InvalidInput, match=r"^huge\.csv: larger than 32 MiB$"):
        spine.monitoring.ingest("quinn", model, "huge.csv", huge)
    assert database_state(spine) == before and point_count(spine) == 0


def test_a_data_scientist_may_ingest(spine: Spine, tmp_path: Path) -> None:
    spine.users.add("ada", "dana", "Dana Data", PASSWORD, ["data_scientist"])
    model = deployed_model(spine)
    report = spine.monitoring.ingest(
        "dana", model, "a.csv", csv_file(tmp_path, "a.csv", sensitivity([(1, 0.5)]))
    )
    assert fields_of(spine, report.capas_created[0])["owner"] == "dana"


@pytest.mark.parametrize(
    ("name", "shown"),
    [("..", ".."), ("w\x00eek.csv", "week.csv"), ("é" * 200 + ".csv", "é" * 200 + ".csv")],
)
def test_an_uploaded_name_the_blob_folder_cannot_take_is_still_ingested(
    spine: Spine, tmp_path: Path, name: str, shown: str
) -> None:
    """The file is kept under a name the blob folder takes; the name as given, without
    control characters, names the file in the report and the signal's source."""
    model = deployed_model(spine)
    data = csv_file(tmp_path, "a.csv", sensitivity([(1, 0.5)]))
    report = spine.monitoring.ingest("quinn", model, name, data)
    assert report.points_added == 1 and report.file == shown
    assert shown in fields_of(spine, report.signals_created[0])["source"]
    assert spine.blobs.read(report.digest) == data


def test_a_site_with_a_control_character_is_refused_before_anything_is_kept(
    spine: Spine, tmp_path: Path
) -> None:
    model = deployed_model(spine)
    item = {"observed_at": "2026-04-01", "site": "A\u0000", "metric": "input_psi", "value": 1}
    before = database_state(spine)
    with pytest.raises(InvalidInput, match=r"^j\.json: item 1: site: contains the control"):
        spine.monitoring.ingest("quinn", model, "j.json", json.dumps([item]).encode())
    assert database_state(spine) == before and point_count(spine) == 0


def test_an_ingest_reads_the_history_of_the_series_it_touches_only(
    spine: Spine, tmp_path: Path
) -> None:
    from qspine.services.monitoring_reads import model_row, stored_points

    model = deployed_model(spine)
    rows = sensitivity([(1, 0.95)], "site-A") + sensitivity([(1, 0.95)], "site-B")
    rows += [("2026-04-01", "site-B", "input_psi", 0.1)]
    spine.monitoring.ingest("quinn", model, "a.csv", csv_file(tmp_path, "a.csv", rows))
    with spine.context.engine.connect() as connection:
        record_id = model_row(connection, model)["id"]
        every = stored_points(connection, record_id, 1)[1]
        some = stored_points(connection, record_id, 1, {("site-B", "rolling_sensitivity")})[1]
    assert len(every) == 3
    assert {(site, metric) for site, metric, _ in some} == {("site-B", "rolling_sensitivity")}


def test_a_site_whose_name_holds_the_label_separator_keeps_its_own_signals(
    spine: Spine, tmp_path: Path
) -> None:
    model = deployed_model(spine)
    rows = [("2026-04-01", "A", "input_psi", 0.1)]
    rows += sensitivity([(1, 0.5)], site="A · input_psi · input_psi x")
    report = spine.monitoring.ingest("quinn", model, "a.csv", csv_file(tmp_path, "a.csv", rows))
    assert len(report.signals_created) == 1
    found = {(s.site, s.metric): s for s in spine.monitoring.series(spine.users.get("vic"), model)}
    assert found[("A", "input_psi")].signals == ()
    odd = found[("A · input_psi · input_psi x", "rolling_sensitivity")]
    assert [s.key for s in odd.signals] == list(report.signals_created)


def test_a_refused_value_is_told_apart_from_the_stored_one(spine: Spine, tmp_path: Path) -> None:
    """Values that differ beyond six significant digits are still shown different."""
    model = deployed_model(spine)
    spine.monitoring.ingest(
        "quinn", model, "a.csv", csv_file(tmp_path, "a.csv", sensitivity([(1, 0.95)]))
    )
    changed = csv_file(tmp_path, "b.csv", sensitivity([(1, 0.9500001)]))
    with pytest.raises(Conflict, match=r"with value 0\.95, not 0\.9500001;"):
        spine.monitoring.ingest("quinn", model, "b.csv", changed)
