"""Property: any sequence of valid operations keeps the chain verifiable and every version
reconstructable from the audit trail alone (creates carry fields, revisions carry changes)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from qspine import Conflict, InvalidInput, Settings, Spine, open_spine
from qspine.model.fingerprint import content_fingerprint

from helpers import FAST_HASH, PASSWORD

words = st.text("abcdefghij klmnop", min_size=1, max_size=12).filter(lambda t: t.strip() != "")


class SpineOperations(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(self.folder.name) / 'p.db'}"
        self.spine: Spine = open_spine(url, settings=Settings(database_url=url, **FAST_HASH))
        self.spine.users.add("bootstrap", "ada", "Ada Admin", PASSWORD, ["admin"])
        self.spine.users.add("ada", "eve", "Eve Engineer", PASSWORD, ["design_engineer"])
        self.spine.users.add("ada", "quinn", "Quinn Quality", PASSWORD, ["qa_ra_lead"])
        self.keys: list[str] = []

    def teardown(self) -> None:
        self.spine.close()
        self.folder.cleanup()

    @rule(title=words, statement=words)
    def create(self, title: str, statement: str) -> None:
        self.keys.append(
            self.spine.records.create(
                "eve", "requirement", {"title": title, "statement": statement}
            ).key
        )

    @precondition(lambda self: self.keys)
    @rule(index=st.integers(0, 50), statement=words, stale=st.booleans())
    def revise(self, index: int, statement: str, stale: bool) -> None:
        key = self.keys[index % len(self.keys)]
        view = self.spine.records.show(key)
        expected = view.version.number - 1 if stale else view.version.number
        try:
            self.spine.records.revise("eve", key, {"statement": statement}, expected, "edit")
        except (Conflict, InvalidInput):
            assert (
                stale
                or statement == view.version.fields["statement"]
                or view.status in ("obsolete", "superseded")
            )

    @precondition(lambda self: self.keys)
    @rule(index=st.integers(0, 50))
    def advance(self, index: int) -> None:
        key = self.keys[index % len(self.keys)]
        view = self.spine.records.show(key)
        number = view.version.number
        if view.status == "draft":
            self.spine.records.transition("eve", key, "in_review", number)
        elif view.status == "in_review":
            self.spine.signing.sign("quinn", PASSWORD, key, "approved", number)

    @precondition(lambda self: len(self.keys) >= 2)
    @rule(a=st.integers(0, 50), b=st.integers(0, 50))
    def link_or_confirm(self, a: int, b: int) -> None:
        source, target = self.keys[a % len(self.keys)], self.keys[b % len(self.keys)]
        if source == target:
            return
        outgoing = {(link.type, link.target): link for link in self.spine.links.of(source)[0]}
        existing = outgoing.get(("derives_from", target))
        if existing is None:
            self.spine.links.link("eve", "derives_from", source, target)
        elif existing.suspect:
            self.spine.links.confirm("eve", "derives_from", source, target, "re-reviewed")

    @invariant()
    def chain_is_intact(self) -> None:
        report = self.spine.audit.verify()
        assert report.intact, (report.chain_break, report.problems)

    @invariant()
    def every_version_is_reconstructable_from_the_trail(self) -> None:
        rebuilt: dict[tuple[str, int], dict[str, Any]] = {}
        for event in reversed(self.spine.audit.log(limit=100_000)):
            if event.action == "record.create":
                rebuilt[(event.subject, 1)] = dict(event.payload["fields"])
            elif event.action == "record.revise":
                assert event.version is not None
                fields = dict(rebuilt[(event.subject, event.version - 1)])
                for change in event.payload["changes"]:
                    if change["change"] == "removed":
                        fields.pop(change["field"])
                    else:
                        fields[change["field"]] = change["after"]
                rebuilt[(event.subject, event.version)] = fields
        for key in self.keys:
            for version in self.spine.records.history(key):
                assert rebuilt[(key, version.number)] == version.fields
                assert (
                    content_fingerprint("requirement", key, version.fields) == version.fingerprint
                )


SpineOperations.TestCase.settings = settings(max_examples=15, stateful_step_count=12, deadline=None)
TestSpineOperations = SpineOperations.TestCase
