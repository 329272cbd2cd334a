"""The built-in `qmsr` rule pack: the Python rules of QMSR readiness (21 CFR 820 with ISO
13485:2016, Part 11, Parts 803/806, FD&C Act 524B). Its declarative rules live in the
`qmsr` profile; both run together as pack `qmsr`. It is registered as a plugin like any
other pack (entry point `qspine.rule_packs: qmsr`)."""

from __future__ import annotations

from qspine.rules.qmsr import ai, documents, oversight
from qspine.rules.registry import RulePack, hookimpl

PACK = RulePack(
    "qmsr",
    "QMSR readiness: 21 CFR 820 with ISO 13485:2016, Part 11, 803/806, 524B",
    (
        documents.more_than_one_effective,
        documents.uncontrolled_name,
        documents.superseded_references,
        oversight.suspect_links,
        oversight.training_owed,
        oversight.review_follows_up,
        oversight.review_has_cyber_inputs,
        oversight.mdr_deadline,
        ai.released_model_evidence,
        ai.training_lineage,
        ai.pccp_envelope,
    ),
)


@hookimpl
def qspine_rule_packs() -> list[RulePack]:
    return [PACK]
