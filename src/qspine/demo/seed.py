"""Seed the CytoAssist demo into a new, empty spine, through the public services only.

Order matters for the review stamps: every record is created at v1, every link is made
(stamped with v1), then records are moved and signed along their lifecycles. Only the
deliberate revision of REQ-2 happens after approval, which is what makes its links suspect.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from qspine import InvalidInput, NewLink, NewRecord, Spine
from qspine.demo import (
    ai,
    architecture,
    design,
    documents,
    oversight,
    product,
    quality,
    risk,
    security,
    verification,
)
from qspine.demo.gaps import GAPS
from qspine.demo.spec import (
    DEMO_PASSWORD,
    DEMO_USERS,
    JOB_TITLES,
    Content,
    Days,
    Link,
    Rec,
    Ref,
)
from qspine.demo.summary import DemoSummary, GapView
from qspine.model.fields import validate_fields
from qspine.model.profile import LifecycleSpec, Profile, TransitionSpec

DEFAULT_SIGNERS = {"approved": "dana", "released": "dana", "verified": "marco", "closed": "dana"}
SIGN_REASONS = {
    "approved": "Reviewed against its inputs and the applicable procedure; approved",
    "released": "Release review complete: approvals, V&V, risk file and training confirmed",
    "verified": "Checked against the raw evidence and the stated configuration",
    "closed": "All actions complete and documented; closure review done",
    "effectiveness_verified": "Checked against the predefined effectiveness criteria",
    "reviewed": "Technical review of the model system, its data and its validation evidence",
}
MOVE_REASONS = {
    "in_review": "Submitted for review",
    "investigating": "Evaluation and investigation started",
    "pending_closure": "Work complete; submitted for independent closure review",
}
CREATE_REASONS = {
    "design": "Entered from the CytoAssist design and development file",
    "evidence": "Entered from the executed protocol and raw evidence",
    "document": "Controlled document entered into QSpine",
    "quality_event": "Quality event recorded",
    "controlled_entity": "Entered for evaluation and approval",
    "release": "Release record for the CytoAssist release plan",
}


LINK_REASON = "Traceability from the CytoAssist design and development file and quality records"


def demo_content(days: Days) -> Content:
    """All demo content, in creation order (which fixes every key)."""
    merged = Content()
    for module in (
        design,
        architecture,
        verification,
        risk,
        security,
        product,
        documents,
        quality,
        oversight,
    ):
        part = module.content(days)
        merged.records += part.records
        merged.links += part.links
        merged.late_links += part.late_links
        merged.revisions += part.revisions
    return merged


def seed_demo(spine: Spine, today: dt.date | None = None) -> DemoSummary:
    """Seed Acme MedTech's CytoAssist into `spine`, which must hold no users and no records."""
    started = time.perf_counter()
    if spine.users.list() or spine.records.list(limit=1)[0]:
        raise InvalidInput("the spine is not empty: demo seeds only a new database")
    days = Days(today or dt.date.today())
    content = demo_content(days)
    check_content(spine.profile, content)
    records = content.records
    by_local = {r.local: r for r in records}
    _add_users(spine)
    ai.prepare(spine, content)
    # early records first (keys are per prefix: the order across kinds changes none); the
    # model validation runs after the executed one, which QSpine runs once the model, its
    # data and its requirements exist (so it is VR-1, as in the narrative)
    runs = [r for r in records if r.kind == "validation_run"]
    keys = _create(spine, sorted((r for r in records if r not in runs), key=lambda r: not r.early))
    first = [k for k in content.links if k.source in keys and k.target in keys]
    link_count = _link(spine, by_local, keys, first)
    keys[ai.EXECUTED], made_by_run = ai.execute_validation(spine, keys)
    link_count += made_by_run
    keys.update(_create(spine, [r for r in runs if r.local != ai.EXECUTED]))
    made = {id(k) for k in first}
    rest = [k for k in content.links if id(k) not in made and not _made_by_run(k)]
    link_count += _link(spine, by_local, keys, rest)
    seeder = _Signer(spine)
    for item in sorted(records, key=lambda r: _walk_order(spine.profile, r.kind)):
        seeder.move(item, keys[item.local])
    seeder.signatures += _baseline(spine, "CytoAssist 2.0 design baseline", approve=True)
    link_count += _cover(spine, keys["rel1"], "CytoAssist 2.0 design baseline")
    for revision in content.revisions:
        key = keys[revision.local]
        view = spine.records.revise(
            revision.author, key, revision.changes, seeder.version(key), revision.reason
        )
        seeder.versions[key] = view.version.number
        seeder.walk(
            key,
            by_local[revision.local].kind,
            "approved",
            revision.author,
            {"approved": revision.approver},
        )
        for link in revision.confirm:
            spine.links.confirm(
                by_local[link.source].author,
                link.type,
                keys[link.source],
                keys[link.target],
                reason=f"Re-reviewed against {key} v{view.version.number}: {revision.reason}",
            )
    link_count += _link(spine, by_local, keys, content.late_links)
    seeder.signatures += _baseline(spine, "CytoAssist 2.1 design baseline (proposed)")
    link_count += ai.ingest_drift(spine, keys, days.today)
    return _summary(spine, keys, link_count, seeder.signatures, time.perf_counter() - started)


def _made_by_run(link: Link) -> bool:
    """The executed run's evaluates and uses_data links come from its execution."""
    return link.source == ai.EXECUTED and link.type in ("evaluates", "uses_data")


def _walk_order(profile: Profile, kind: str) -> int:
    """Unguarded records move first; then actions, which other closures wait for (a CAPA
    closes once its actions are closed); then the other guarded records; job roles last,
    since naming their holders makes training owed a bar to signing."""
    if kind == "role":
        return 3
    if not profile.kinds[kind].guards:
        return 0
    return 1 if kind == "action" else 2


def _cover(spine: Spine, release: str, title: str) -> int:
    """Link a release to the approved design baseline it was built against."""
    found = [r for r in spine.records.list(kind="baseline", limit=100)[1] if r.title == title]
    spine.links.link(
        "lena", "design_baseline", release, found[0].key, reason="Released from this baseline"
    )
    return 1


BASELINE_KINDS = ("user_need", "requirement", "software_item", "risk_control", "test_case")


def _baseline(spine: Spine, title: str, approve: bool = False) -> int:
    """A design baseline of the released design records (lena captures, dana approves)."""
    view = spine.baselines.create(
        "lena",
        title,
        kinds=BASELINE_KINDS,
        description="Released versions of the design inputs, outputs, risk controls and tests.",
        reason="Design review: freeze the design baseline",
    )
    if not approve or view.key is None:
        return 0
    spine.signing.sign(
        "dana", DEMO_PASSWORD, view.key, "approved", 1, "Design baseline approved at review"
    )
    return 1


def check_content(profile: Profile, content: Content) -> None:
    """Refuse bad demo content before the first write: ids, users, statuses, fields, links."""
    users = {u.username for u in DEMO_USERS}
    seen: dict[str, Rec] = {}
    for item in content.records:
        where = f"demo content: {item.local} ({item.kind})"
        if item.local in seen:
            raise InvalidInput(f"{where}: duplicate local id")
        spec = profile.kinds.get(item.kind)
        if spec is None:
            raise InvalidInput(f"{where}: unknown kind")
        if item.status not in profile.lifecycles[spec.lifecycle].states:
            raise InvalidInput(f"{where}: unknown status '{item.status}'")
        if not {item.author, *item.signers.values(), *item.also_signs.values()} <= users:
            raise InvalidInput(f"{where}: author or signer is not a demo user")
        missing = _refs(item.fields) - set(seen)
        if missing:
            raise InvalidInput(f"{where}: refers to {sorted(missing)[0]}, not created before it")
        stand_in = {local: f"{seen[local].kind[:1].upper()}-1" for local in _refs(item.fields)}
        validate_fields(where, item.kind, spec, _resolve(item.fields, stand_in))
        seen[item.local] = item
    for link in [*content.links, *content.late_links]:
        if link.type not in profile.links:
            raise InvalidInput(f"demo content: unknown link type '{link.type}'")
        for end in (link.source, link.target):
            if end not in seen:
                raise InvalidInput(f"demo content: link {link} names unknown record {end}")
    for revision in content.revisions:
        if revision.local not in seen:
            raise InvalidInput(f"demo content: revision of unknown record {revision.local}")


def _add_users(spine: Spine) -> None:
    for index, user in enumerate(DEMO_USERS):
        spine.users.add(
            "bootstrap" if index == 0 else DEMO_USERS[0].username,
            user.username,
            user.full_name,
            DEMO_PASSWORD,
            list(user.roles),
            email=f"{user.username}@acme-medtech.example",
        )


def _create(spine: Spine, records: list[Rec]) -> dict[str, str]:
    """Create in content order, one batch per run of records by the same author.

    A batch also ends before a record whose ref fields name a record of the same batch, so
    every reference points at a record that already exists.
    """
    profile = spine.profile
    keys: dict[str, str] = {}
    batch: list[Rec] = []

    def flush() -> None:
        if not batch:
            return
        lifecycles = {profile.kinds[r.kind].lifecycle for r in batch}
        reason = "; ".join(sorted(CREATE_REASONS.get(name, "Demo record") for name in lifecycles))
        created = spine.records.create_many(
            batch[0].author,
            [NewRecord(r.kind, _resolve(r.fields, keys)) for r in batch],
            reason=reason,
        )
        keys.update(zip((r.local for r in batch), created, strict=True))
        batch.clear()

    for item in records:
        pending = {r.local for r in batch}
        if batch and (
            item.author != batch[0].author
            or item.early != batch[0].early
            or _refs(item.fields) & pending
        ):
            flush()
        batch.append(item)
    flush()
    return keys


def _refs(fields: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for value in fields.values():
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, Ref):
                found.add(part.local)
    return found


def _resolve(fields: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    def one(value: Any) -> Any:
        return keys[value.local] if isinstance(value, Ref) else value

    return {
        name: [one(v) for v in value] if isinstance(value, list) else one(value)
        for name, value in fields.items()
    }


def _link(
    spine: Spine, by_local: dict[str, Rec], keys: dict[str, str], wanted: Iterable[Link]
) -> int:
    """Make links in one transaction per actor; each is made by its source record's author."""
    per_actor: dict[str, list[NewLink]] = {}
    for link in wanted:
        actor = by_local[link.source].author
        per_actor.setdefault(actor, []).append(
            NewLink(link.type, keys[link.source], keys[link.target])
        )
    return sum(
        spine.links.link_many(actor, items, reason=LINK_REASON)
        for actor, items in per_actor.items()
    )


class _Signer:
    """Takes records along the shortest lifecycle path to their target status."""

    def __init__(self, spine: Spine) -> None:
        self.spine = spine
        self.versions: dict[str, int] = {}
        self.signatures = 0

    def version(self, key: str) -> int:
        return self.versions.get(key, 1)

    def move(self, item: Rec, key: str) -> None:
        for meaning, signer in item.also_signs.items():
            self.spine.signing.sign(
                signer, DEMO_PASSWORD, key, meaning, self.version(key), SIGN_REASONS[meaning]
            )
            self.signatures += 1
        self.walk(key, item.kind, item.status, item.author, item.signers)

    def walk(self, key: str, kind: str, target: str, mover: str, signers: dict[str, str]) -> None:
        lifecycle = self.spine.profile.lifecycle_of(kind)
        current = self.spine.records.show(key).status if key in self.versions else lifecycle.initial
        for step in _path(lifecycle, current, target, key):
            if step.signature is None:
                self.spine.records.transition(
                    mover, key, step.to, self.version(key), MOVE_REASONS.get(step.to, "")
                )
                continue
            signer = signers.get(step.signature, DEFAULT_SIGNERS[step.signature])
            self.spine.signing.sign(
                signer,
                DEMO_PASSWORD,
                key,
                step.signature,
                self.version(key),
                SIGN_REASONS[step.signature],
            )
            self.signatures += 1


def _path(lifecycle: LifecycleSpec, start: str, target: str, key: str) -> list[TransitionSpec]:
    """Shortest sequence of transitions from `start` to `target` (breadth first)."""
    queue: deque[tuple[str, list[TransitionSpec]]] = deque([(start, [])])
    seen = {start}
    while queue:
        state, steps = queue.popleft()
        if state == target:
            return steps
        for step in lifecycle.transitions:
            if step.from_ == state and step.to not in seen:
                seen.add(step.to)
                queue.append((step.to, [*steps, step]))
    raise InvalidInput(f"demo content: {key} cannot reach status '{target}' from '{start}'")


def _summary(
    spine: Spine, keys: dict[str, str], link_count: int, signatures: int, seconds: float
) -> DemoSummary:
    counts = {kind: spine.records.list(kind=kind, limit=1)[0] for kind in spine.profile.kinds}
    gaps = [
        GapView(
            g.number,
            g.title,
            tuple(keys[local] for local in g.locals),
            g.problem,
            g.clause,
            ", ".join(g.rules),
        )
        for g in GAPS
    ]
    return DemoSummary(
        manufacturer="Acme MedTech",
        device="CytoAssist",
        records_by_kind=counts,
        kind_titles={kind: spec.title for kind, spec in spine.profile.kinds.items()},
        links=link_count,
        suspect_links=len(spine.links.suspect()),
        signatures=signatures,
        users=[(u.username, u.full_name, u.roles, JOB_TITLES[u.username]) for u in DEMO_USERS],
        password=DEMO_PASSWORD,
        gaps=gaps,
        keys=dict(keys),
        seconds=seconds,
    )
