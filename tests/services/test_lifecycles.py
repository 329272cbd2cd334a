"""Every transition of every lifecycle in the default profile, allowed and refused."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest

from qspine import Forbidden, InvalidInput, Spine, load_profile
from qspine.model.profile import LifecycleSpec, TransitionSpec

import ai_scene
from helpers import PASSWORD, sample_fields

PROFILE = load_profile()


def kind_with(lifecycle: str) -> str:
    return next(name for name, kind in PROFILE.kinds.items() if kind.lifecycle == lifecycle)


def make(spine: Spine, kind: str) -> str:
    """A record of `kind` made by ada; a managed kind (baseline) through its own service."""
    if kind == "baseline":
        spine.records.create("ada", "user_need", sample_fields(PROFILE, "user_need"))
        spine.records.transition("ada", "UN-1", "in_review", 1)
        spine.signing.sign("quinn", PASSWORD, "UN-1", "approved", 1)
        view = spine.baselines.create("ada", "Lifecycle baseline", kinds=["user_need"])
        assert view.key is not None
        return view.key
    return spine.records.create("ada", kind, sample_fields(PROFILE, kind)).key


def make_to(spine: Spine, kind: str, state: str, tmp_path: Path, then: str = "") -> str:
    """A record of `kind` walked to `state` (to take a step to `then` next). A model version
    bound for released, the state its release gate guards, is one that meets the gate (from
    tests/ai_scene.py), starting in review."""
    lifecycle = PROFILE.lifecycle_of(kind)
    bound = {s.to for s in path_to(lifecycle, state)} | {then}
    if kind == "model_version" and "released" in bound:
        key, start = ai_scene.ready_model(spine, tmp_path, approve=False).model, "in_review"
    else:
        key, start = make(spine, kind), lifecycle.initial
    for step in path_to(lifecycle, state, start):
        take(spine, key, step)
    assert spine.records.show(key).status == state
    return key


def path_to(lifecycle: LifecycleSpec, state: str, start: str = "") -> list[TransitionSpec]:
    """Shortest sequence of transitions from `start` (the initial state) to `state`."""
    start = start or lifecycle.initial
    queue: deque[tuple[str, list[TransitionSpec]]] = deque([(start, [])])
    seen = {start}
    while queue:
        current, steps = queue.popleft()
        if current == state:
            return steps
        for step in lifecycle.next_states(current):
            if step.to not in seen:
                seen.add(step.to)
                queue.append((step.to, [*steps, step]))
    raise AssertionError(f"{state} unreachable")


def take(spine: Spine, key: str, step: TransitionSpec) -> None:
    """Perform one step as a real user would: sign when gated (approver differs from author)."""
    version = spine.records.show(key).version.number
    if step.signature is None:
        spine.records.transition("quinn", key, step.to, version, "step")
    else:
        spine.signing.sign("quinn", PASSWORD, key, step.signature, version, "step")


CASES = [
    pytest.param(name, index, id=f"{name}:{t.from_}->{t.to}")
    for name, lifecycle in PROFILE.lifecycles.items()
    for index, t in enumerate(lifecycle.transitions)
]


@pytest.mark.parametrize(("lifecycle_name", "index"), CASES)
def test_every_allowed_transition_works(
    spine: Spine, lifecycle_name: str, index: int, tmp_path: Path
) -> None:
    lifecycle = PROFILE.lifecycles[lifecycle_name]
    step = lifecycle.transitions[index]
    kind = kind_with(lifecycle_name)
    key = make_to(spine, kind, step.from_, tmp_path, then=step.to)
    if step.signature is not None:
        with pytest.raises(Forbidden, match="requires a"):
            spine.records.transition("quinn", key, step.to, spine.records.show(key).version.number)
    take(spine, key, step)
    view = spine.records.show(key)
    assert view.status == step.to
    last = view.transitions[-1]
    assert (last.from_status, last.to_status, last.by) == (step.from_, step.to, "quinn")
    if step.signature is not None:
        assert last.signature_id == view.signatures[-1].id
        assert view.signatures[-1].meaning == step.signature
    if step.to in lifecycle.released_states:
        assert view.released_version == view.version.number


STATE_CASES = [
    pytest.param(name, state, id=f"{name}:{state}")
    for name, lifecycle in PROFILE.lifecycles.items()
    for state in lifecycle.states
    if (state != lifecycle.supersede and any(t.to == state for t in lifecycle.transitions))
    or state == lifecycle.initial
]


@pytest.mark.parametrize(("lifecycle_name", "state"), STATE_CASES)
def test_every_disallowed_transition_is_refused(
    spine: Spine, lifecycle_name: str, state: str, tmp_path: Path
) -> None:
    lifecycle = PROFILE.lifecycles[lifecycle_name]
    kind = kind_with(lifecycle_name)
    key = make_to(spine, kind, state, tmp_path)
    allowed = {t.to for t in lifecycle.next_states(state)}
    version = spine.records.show(key).version.number
    for target in lifecycle.states:
        if target in allowed:
            continue
        with pytest.raises(InvalidInput, match="no transition"):
            spine.records.transition("quinn", key, target, version)
    assert spine.records.show(key).status == state


def test_document_new_effective_version_supersedes_previous(spine: Spine) -> None:
    key = spine.records.create("eve", "document", sample_fields(PROFILE, "document", "SOP")).key
    make_effective(spine, key, 1)
    spine.records.revise("eve", key, {"title": "SOP rev B"}, 1, "periodic review")
    assert spine.records.show(key).status == "draft"
    assert [v.status for v in spine.records.history(key)] == ["effective", "draft"]
    make_effective(spine, key, 2)
    assert [v.status for v in spine.records.history(key)] == ["superseded", "effective"]
    assert spine.records.show(key).released_version == 2


def make_effective(spine: Spine, key: str, version: int) -> None:
    spine.records.transition("eve", key, "in_review", version)
    spine.signing.sign("quinn", PASSWORD, key, "approved", version)
    spine.signing.sign("quinn", PASSWORD, key, "released", version)


def test_unreleased_draft_is_superseded_by_its_revision(spine: Spine) -> None:
    key = spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement")).key
    spine.records.revise("eve", key, {"title": "Better"}, 1, "wording")
    assert [v.status for v in spine.records.history(key)] == ["superseded", "draft"]


def test_workflow_revision_keeps_its_status(spine: Spine) -> None:
    key = spine.records.create("quinn", "capa", sample_fields(PROFILE, "capa")).key
    spine.records.transition("quinn", key, "investigating", 1)
    view = spine.records.revise("quinn", key, {"root_cause": "Threshold drift"}, 1, "root cause")
    assert (view.version.number, view.status) == (2, "investigating")


def test_terminal_record_cannot_be_revised_or_signed(spine: Spine) -> None:
    key = spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement")).key
    spine.records.transition("eve", key, "in_review", 1)
    spine.signing.sign("quinn", PASSWORD, key, "approved", 1)
    spine.signing.sign("quinn", PASSWORD, key, "approved", 1)  # approved -> obsolete
    with pytest.raises(InvalidInput, match="final state"):
        spine.records.revise("eve", key, {"title": "x"}, 1, "late edit")
    with pytest.raises(InvalidInput, match="cannot be signed"):
        spine.signing.sign("quinn", PASSWORD, key, "reviewed", 1)
