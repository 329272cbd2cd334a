"""CVSS v3.x base scores and qualitative ratings from a vector string.

OSV records state severity as a CVSS vector (`severity: [{type: CVSS_V3, score: "CVSS:3.1/..."}]`);
a vulnerability record keeps the vector, the base score and the rating. The base score is the
FIRST specification's equations (CVSS v3.1, section 7.1, with its Roundup of Appendix A; v3.0
vectors are scored the same way, which differs from v3.0's own rounding in rare last-digit
cases). Other versions (v2, v4) are kept as vectors without a score.
"""

from __future__ import annotations

from dataclasses import dataclass

_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PRIVILEGES = {  # PR depends on scope: (unchanged, changed)
    "N": (0.85, 0.85),
    "L": (0.62, 0.68),
    "H": (0.27, 0.5),
}
_BASE = ("AV", "AC", "PR", "UI", "S", "C", "I", "A")


@dataclass(frozen=True)
class CvssScore:
    vector: str
    score: float
    severity: str
    """none, low, medium, high or critical (the specification's qualitative rating)."""


def base_score(vector: str) -> CvssScore | None:
    """The base score of a CVSS v3.x vector; None for another version or a malformed vector."""
    parts = vector.strip().split("/")
    if not parts or parts[0] not in ("CVSS:3.0", "CVSS:3.1"):
        return None
    metrics: dict[str, str] = {}
    for part in parts[1:]:
        name, _, value = part.partition(":")
        if not value or name in metrics:
            return None
        metrics[name] = value
    try:
        scope_changed = {"U": False, "C": True}[metrics["S"]]
        privileges = _PRIVILEGES[metrics["PR"]][scope_changed]
        weights = {name: _WEIGHTS[name][metrics[name]] for name in _BASE if name not in ("PR", "S")}
    except KeyError:
        return None
    impact_base = 1 - (1 - weights["C"]) * (1 - weights["I"]) * (1 - weights["A"])
    if scope_changed:
        impact = 7.52 * (impact_base - 0.029) - 3.25 * (impact_base - 0.02) ** 15
    else:
        impact = 6.42 * impact_base
    exploitability = 8.22 * weights["AV"] * weights["AC"] * privileges * weights["UI"]
    if impact <= 0:
        score = 0.0
    elif scope_changed:
        score = _roundup(min(1.08 * (impact + exploitability), 10))
    else:
        score = _roundup(min(impact + exploitability, 10))
    return CvssScore(vector.strip(), score, rating(score))


def rating(score: float) -> str:
    """The qualitative severity of a base score (CVSS v3.1, section 5)."""
    if score == 0:
        return "none"
    if score < 4:
        return "low"
    if score < 7:
        return "medium"
    if score < 9:
        return "high"
    return "critical"


def _roundup(value: float) -> float:
    """The smallest number with one decimal place >= value (Appendix A: integer arithmetic,
    so 4.000000001 does not become 4.1 through floating-point noise)."""
    integer = round(value * 100_000)
    if integer % 10_000 == 0:
        return integer / 100_000
    return (integer // 10_000 + 1) / 10
