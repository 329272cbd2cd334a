"""The profile: record kinds, fields, lifecycles, link types, roles and rules as data.

A profile is plain YAML validated by these models. Every problem is reported with the
YAML path it sits at (``kinds.requirement.fields.category.type: unknown type 'enm'``).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qspine.model.errors import ProfileError
from qspine.model.guards import GUARDS
from qspine.model.rule_where import parse_where

FIELD_TYPES = (
    "text",
    "markdown",
    "enum",
    "int",
    "float",
    "bool",
    "date",
    "datetime",
    "ref",
    "blob",
    "list",
)
SEVERITIES = ("blocking", "major", "minor", "info")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")
_PERMISSION = re.compile(r"^(\*|read|admin|write:(\*|[a-z][a-z0-9_]*)|sign:(\*|[a-z][a-z0-9_]*))$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldSpec(_Strict):
    """One field of a kind: its type, whether it is required, its default and help text."""

    type: str
    label: str = ""
    required: bool = False
    default: Any = None
    help: str = ""
    values: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    items: str | None = None
    min: float | None = None
    max: float | None = None

    @field_validator("type", "items")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value not in FIELD_TYPES:
            raise ValueError(f"unknown type '{value}' (one of {', '.join(FIELD_TYPES)})")
        return value


class StateSpec(_Strict):
    """A lifecycle state. `released` states count as approved for suspect-link purposes."""

    title: str = ""
    released: bool = False
    terminal: bool = False
    help: str = ""


class TransitionSpec(_Strict):
    """An allowed status change; `signature` names the meaning a signature must carry."""

    from_: str = Field(alias="from")
    to: str
    signature: str | None = None
    separation_of_duties: bool = False
    title: str = ""


class LifecycleSpec(_Strict):
    """States, the initial state, the allowed transitions, and what a release supersedes."""

    initial: str
    states: dict[str, StateSpec]
    transitions: tuple[TransitionSpec, ...] = ()
    supersede: str | None = None

    def transition(self, from_status: str, to_status: str) -> TransitionSpec | None:
        for transition in self.transitions:
            if transition.from_ == from_status and transition.to == to_status:
                return transition
        return None

    def next_states(self, from_status: str) -> list[TransitionSpec]:
        return [t for t in self.transitions if t.from_ == from_status]

    @property
    def released_states(self) -> frozenset[str]:
        return frozenset(name for name, state in self.states.items() if state.released)


class KindSpec(_Strict):
    """A record kind: key prefix, title, the clauses it evidences, lifecycle and fields."""

    prefix: str
    title: str
    clauses: tuple[str, ...] = ()
    lifecycle: str
    fields: dict[str, FieldSpec]
    title_field: str = "title"
    help: str = ""
    # Created and changed only through the kind's own service (a baseline's members and
    # manifest are written together); generic create and revise refuse it.
    managed: bool = False
    # Target state -> guard names (qspine.model.guards.GUARDS) checked before a record of
    # this kind enters that state.
    guards: dict[str, tuple[str, ...]] = {}

    @field_validator("prefix")
    @classmethod
    def _prefix_shape(cls, value: str) -> str:
        if not _PREFIX.match(value):
            raise ValueError(
                f"prefix '{value}' must be 1-10 capitals or digits, starting with a capital"
            )
        return value


class LinkTypeSpec(_Strict):
    """A typed link: which kinds it may go from and to, and what it means."""

    from_: tuple[str, ...] = Field(alias="from")
    to: tuple[str, ...]
    title: str = ""
    inverse: str = ""
    clauses: tuple[str, ...] = ()
    help: str = ""
    # False for links that pin a version on purpose (a release's design baseline): they
    # never turn suspect, and are never re-confirmed against a newer version.
    suspect_on_change: bool = True
    # False for event and reference links (a complaint concerns a release, a CAPA addresses a
    # complaint): a change to the target does not call for re-verifying the source, so impact
    # analysis does not travel across them. Traces still follow every link. Unset, it is
    # False for pinned links (a shipped baseline is not impacted); a pinned link may set it
    # true (a release contains pinned versions, yet a change to an item reaches the release).
    propagates_impact: bool | None = None

    def allows(self, source_kind: str, target_kind: str) -> bool:
        return source_kind in self.from_ and target_kind in self.to

    @property
    def carries_impact(self) -> bool:
        """Whether impact analysis travels across links of this type."""
        if self.propagates_impact is None:
            return self.suspect_on_change
        return self.propagates_impact


class RoleSpec(_Strict):
    """A role and its permissions: read, admin, write:KIND|*, sign:MEANING|*, or *."""

    title: str
    permissions: tuple[str, ...]
    help: str = ""

    @field_validator("permissions")
    @classmethod
    def _permission_shape(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not _PERMISSION.match(value):
                raise ValueError(
                    f"permission '{value}' is not one of *, read, admin, write:KIND, sign:MEANING"
                )
        return values


class MeaningSpec(_Strict):
    """A signature meaning (21 CFR 11.50(a)(3)): what the signer takes responsibility for."""

    title: str
    statement: str


class LinkCondition(_Strict):
    """`has`/`lacks` part of a declarative rule: a link of a type to or from a kind
    (whose record meets `where`); `has` needs at least `at_least` such links."""

    link: str
    direction: Literal["in", "out"] = "in"
    kind: str | None = None
    where: dict[str, Any] = {}
    at_least: int = Field(default=1, ge=1)


class RuleSpec(_Strict):
    """A declarative readiness rule; the engine that runs it compiles it to SQL.

    Every record of kind `every` that meets `where` is checked for one thing: it `has` a
    link, it `lacks` one, it has each field in `require` set, or (`flag: true`) matching
    `where` is itself the finding (an overdue date, a decision missing after 30 days).
    `message` may name the subject's fields in braces (`due {due_date}`).
    """

    title: str
    clauses: tuple[str, ...]
    severity: str = "major"
    pack: str = "qmsr"
    every: str
    where: dict[str, Any] = {}
    has: LinkCondition | None = None
    lacks: LinkCondition | None = None
    require: tuple[str, ...] = ()
    flag: bool = False
    message: str = ""
    rationale: str = ""
    remedy: str = ""

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        if value not in SEVERITIES:
            raise ValueError(f"unknown severity '{value}' (one of {', '.join(SEVERITIES)})")
        return value


class MatrixColumn(_Strict):
    """A column of a trace matrix: a kind, linked to the previous column's kind by `link`."""

    kind: str
    link: str | None = None
    title: str = ""


class MatrixSpec(_Strict):
    """A named trace matrix over a chain of kinds (user need -> requirement -> test -> result)."""

    title: str
    clauses: tuple[str, ...] = ()
    columns: tuple[MatrixColumn, ...]
    help: str = ""


class Profile(_Strict):
    """A whole, validated profile: the data every service and face works from."""

    name: str
    title: str = ""
    version: str = "1"
    meanings: dict[str, MeaningSpec]
    kinds: dict[str, KindSpec]
    lifecycles: dict[str, LifecycleSpec]
    links: dict[str, LinkTypeSpec]
    roles: dict[str, RoleSpec]
    rules: dict[str, RuleSpec] = {}
    matrices: dict[str, MatrixSpec] = {}

    def kind(self, name: str) -> KindSpec:
        return self.kinds[name]

    def lifecycle_of(self, kind: str) -> LifecycleSpec:
        return self.lifecycles[self.kinds[kind].lifecycle]

    @property
    def pinned_link_types(self) -> frozenset[str]:
        """Link types that pin their target's version and so are never suspect."""
        return frozenset(name for name, link in self.links.items() if not link.suspect_on_change)

    @property
    def impact_barriers(self) -> frozenset[str]:
        """Link types impact analysis does not cross: pinned ones and non-propagating ones."""
        return frozenset(name for name, link in self.links.items() if not link.carries_impact)

    def kind_for_prefix(self, prefix: str) -> str | None:
        for name, spec in self.kinds.items():
            if spec.prefix == prefix:
                return name
        return None


def build_profile(data: Any, source: str = "profile") -> Profile:
    """Validate raw profile data; raise ProfileError listing every problem with its path."""
    if not isinstance(data, dict):
        raise ProfileError(["(top level): a profile is a mapping"], source)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as error:
        raise ProfileError([_format_error(e) for e in error.errors()], source) from None
    problems = list(_cross_reference_problems(profile))
    if problems:
        raise ProfileError(problems, source)
    return profile


def _format_error(error: Any) -> str:
    path = ".".join(str(part) for part in error["loc"]) or "(top level)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown setting"
    return f"{path}: {message}"


def _cross_reference_problems(profile: Profile) -> list[str]:
    problems: list[str] = []
    problems += _name_problems(profile)
    prefixes: dict[str, str] = {}
    for name, kind in profile.kinds.items():
        base = f"kinds.{name}"
        if kind.prefix in prefixes:
            problems.append(
                f"{base}.prefix: '{kind.prefix}' is already used by {prefixes[kind.prefix]}"
            )
        prefixes[kind.prefix] = name
        if kind.lifecycle not in profile.lifecycles:
            problems.append(f"{base}.lifecycle: unknown lifecycle '{kind.lifecycle}'")
        if kind.title_field not in kind.fields:
            problems.append(f"{base}.title_field: no field '{kind.title_field}'")
        for field_name, spec in kind.fields.items():
            problems += _field_problems(profile, f"{base}.fields.{field_name}", spec)
        problems += _guard_problems(profile, base, kind)
    for name, lifecycle in profile.lifecycles.items():
        problems += _lifecycle_problems(profile, f"lifecycles.{name}", lifecycle)
    for name, link in profile.links.items():
        for end, kinds in (("from", link.from_), ("to", link.to)):
            problems += [
                f"links.{name}.{end}: unknown kind '{kind}'"
                for kind in kinds
                if kind not in profile.kinds
            ]
    for name, role in profile.roles.items():
        for permission in role.permissions:
            scope = permission.partition(":")[2]
            if permission.startswith("write:") and scope != "*" and scope not in profile.kinds:
                problems.append(
                    f"roles.{name}.permissions: unknown kind '{scope}' in '{permission}'"
                )
            if permission.startswith("sign:") and scope != "*" and scope not in profile.meanings:
                problems.append(
                    f"roles.{name}.permissions: unknown meaning '{scope}' in '{permission}'"
                )
    for rule_id, rule in profile.rules.items():
        problems += _rule_problems(profile, f"rules.{rule_id}", rule)
    for name, matrix in profile.matrices.items():
        problems += _matrix_problems(profile, f"matrices.{name}", matrix)
    return problems


def _guard_problems(profile: Profile, base: str, kind: KindSpec) -> list[str]:
    lifecycle = profile.lifecycles.get(kind.lifecycle)
    problems = []
    for state, names in kind.guards.items():
        if lifecycle is not None and state not in lifecycle.states:
            problems.append(f"{base}.guards.{state}: not a state of lifecycle '{kind.lifecycle}'")
        problems += [
            f"{base}.guards.{state}: unknown guard '{name}' (guards: {', '.join(GUARDS)})"
            for name in names
            if name not in GUARDS
        ]
    return problems


def _name_problems(profile: Profile) -> list[str]:
    problems = []
    for section in ("kinds", "lifecycles", "links", "roles", "meanings"):
        for name in getattr(profile, section):
            if not _NAME.match(name):
                problems.append(f"{section}.{name}: names are lower_snake_case")
    return problems


def _field_problems(profile: Profile, path: str, spec: FieldSpec) -> list[str]:
    problems = []
    item_type = spec.items if spec.type == "list" else spec.type
    if spec.type == "list" and spec.items is None:
        problems.append(f"{path}.items: a list field names its item type")
    if item_type == "enum" and not spec.values:
        problems.append(f"{path}.values: an enum field lists its values")
    if item_type == "ref":
        if not spec.kinds:
            problems.append(f"{path}.kinds: a ref field names the kinds it may point to")
        problems += [
            f"{path}.kinds: unknown kind '{k}'" for k in spec.kinds if k not in profile.kinds
        ]
    if (
        spec.default is not None
        and item_type == "enum"
        and spec.type == "enum"
        and spec.default not in spec.values
    ):
        problems.append(f"{path}.default: '{spec.default}' is not one of the values")
    return problems


def _lifecycle_problems(profile: Profile, path: str, lifecycle: LifecycleSpec) -> list[str]:
    problems = []
    if lifecycle.initial not in lifecycle.states:
        problems.append(f"{path}.initial: unknown state '{lifecycle.initial}'")
    if lifecycle.supersede is not None and lifecycle.supersede not in lifecycle.states:
        problems.append(f"{path}.supersede: unknown state '{lifecycle.supersede}'")
    for index, transition in enumerate(lifecycle.transitions):
        where = f"{path}.transitions.{index}"
        for end, state in (("from", transition.from_), ("to", transition.to)):
            if state not in lifecycle.states:
                problems.append(f"{where}.{end}: unknown state '{state}'")
        if transition.signature is not None and transition.signature not in profile.meanings:
            problems.append(f"{where}.signature: unknown meaning '{transition.signature}'")
        if transition.separation_of_duties and transition.signature is None:
            problems.append(f"{where}.separation_of_duties: only a signed transition can demand it")
    return problems


def _rule_problems(profile: Profile, path: str, rule: RuleSpec) -> list[str]:
    problems = []
    if rule.every not in profile.kinds:
        return [f"{path}.every: unknown kind '{rule.every}'"]
    problems += _where_problems(profile, f"{path}.where", rule.every, rule.where)
    problems += [
        f"{path}.require: kind '{rule.every}' has no field '{name}'"
        for name in rule.require
        if name not in profile.kinds[rule.every].fields
    ]
    for part, condition in (("has", rule.has), ("lacks", rule.lacks)):
        if condition is None:
            continue
        if condition.link not in profile.links:
            problems.append(f"{path}.{part}.link: unknown link type '{condition.link}'")
        if condition.kind is not None and condition.kind not in profile.kinds:
            problems.append(f"{path}.{part}.kind: unknown kind '{condition.kind}'")
        elif condition.where and condition.kind is None:
            problems.append(f"{path}.{part}.where: name the kind the condition applies to")
        elif condition.kind is not None:
            where = f"{path}.{part}.where"
            problems += _where_problems(profile, where, condition.kind, condition.where)
    checks = [rule.has is not None, rule.lacks is not None, bool(rule.require), rule.flag]
    if sum(checks) != 1:
        problems.append(f"{path}: a rule checks exactly one of has, lacks, require or flag")
    return problems


def _where_problems(profile: Profile, path: str, kind: str, where: dict[str, Any]) -> list[str]:
    predicates, problems = parse_where(where)
    found = [f"{path}.{problem}" for problem in problems]
    spec = profile.kinds[kind]
    lifecycle = profile.lifecycles.get(spec.lifecycle)
    states = lifecycle.states if lifecycle is not None else {}
    for predicate in predicates:
        if predicate.field == "status":
            values = predicate.value if predicate.op in ("in", "not") else (predicate.value,)
            found += [
                f"{path}.status: '{value}' is not a state of {kind}'s lifecycle"
                for value in values
                if value not in states
            ]
        elif predicate.field not in spec.fields:
            found.append(f"{path}.{predicate.field}: kind '{kind}' has no such field")
        elif predicate.op in ("before", "on_or_after") and spec.fields[
            predicate.field
        ].type not in ("date", "datetime"):
            found.append(f"{path}.{predicate.field}: {predicate.op} applies to dates")
    return found


def _matrix_problems(profile: Profile, path: str, matrix: MatrixSpec) -> list[str]:
    problems = []
    if len(matrix.columns) < 2:
        problems.append(f"{path}.columns: a matrix has at least two columns")
    for index, column in enumerate(matrix.columns):
        where = f"{path}.columns.{index}"
        if column.kind not in profile.kinds:
            problems.append(f"{where}.kind: unknown kind '{column.kind}'")
            continue
        if index == 0:
            if column.link is not None:
                problems.append(f"{where}.link: the first column links to nothing")
            continue
        previous = matrix.columns[index - 1].kind
        if column.link is None:
            problems.append(f"{where}.link: name the link type to column {index - 1}")
        elif column.link not in profile.links:
            problems.append(f"{where}.link: unknown link type '{column.link}'")
        elif previous in profile.kinds and matrix_direction(profile, previous, column) is None:
            problems.append(
                f"{where}.link: '{column.link}' does not connect {previous} and {column.kind}"
            )
    return problems


def matrix_direction(profile: Profile, previous: str, column: MatrixColumn) -> str | None:
    """'in' when the column's records link to the previous column's, 'out' when linked from."""
    link = profile.links.get(column.link or "")
    if link is None:
        return None
    if link.allows(column.kind, previous):
        return "in"
    if link.allows(previous, column.kind):
        return "out"
    return None
