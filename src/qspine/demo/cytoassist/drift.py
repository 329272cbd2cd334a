"""A SIMULATED post-market monitoring series for the demo (not real field data).

Weekly rolling 30-day sensitivity of the released model at one customer laboratory: stable
near its validated value, then a decline after a staining-protocol change, crossing the
monitoring threshold of REQ-3 in the last weeks. A second metric, the population stability
index of the input features, rises at the same time. Deterministic: the same days give the
same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

SITE = "northfield-lab-2"
WEEKS = 20
_SENSITIVITY = [
    0.953, 0.949, 0.956, 0.951, 0.947, 0.952, 0.950, 0.946, 0.948, 0.944,
    0.941, 0.936, 0.929, 0.921, 0.914, 0.906, 0.897, 0.889, 0.884, 0.879,
]  # fmt: skip
_PSI = [
    0.02, 0.03, 0.02, 0.03, 0.02, 0.03, 0.04, 0.03, 0.04, 0.05,
    0.06, 0.08, 0.10, 0.12, 0.14, 0.17, 0.19, 0.22, 0.24, 0.26,
]  # fmt: skip


def drift_csv(today: dt.date) -> bytes:
    """The series as CSV (observed_at, site, metric, value), ending the Monday before today."""
    last = today - dt.timedelta(days=today.weekday() or 7)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["observed_at", "site", "metric", "value"])
    for week in range(WEEKS):
        day = (last - dt.timedelta(weeks=WEEKS - 1 - week)).isoformat()
        writer.writerow([day, SITE, "rolling_sensitivity", f"{_SENSITIVITY[week]:.3f}"])
        writer.writerow([day, SITE, "input_psi", f"{_PSI[week]:.2f}"])
    return out.getvalue().encode()
