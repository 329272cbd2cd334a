"""Model systems (ADR 0015 point 1): register a model version with every part pinned by a
fingerprint computed here, and read the whole system back with its release gate.

Registration hashes the weights file (kept as a blob), pins the pre- and post-processing code
at the bytes found now, canonicalises the configuration, reads the key packages' versions from
this environment, and writes the model_version record with its trained_on and implements links
and a `model.register` audit event in one transaction. Nobody types a hash.
"""

from __future__ import annotations

import builtins
import importlib.metadata
import json
import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.engine import Connection

from qspine.model.errors import InvalidInput, NotFound
from qspine.model.fields import validate_fields
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.model_gate import GateReport
from qspine.model.model_system import Environment, normalise_package, parse_packages
from qspine.model.records import RecordView
from qspine.services import code_refs, model_gate, reads
from qspine.services.audit import NewEvent, append
from qspine.services.blobs import BlobService
from qspine.services.context import SpineContext
from qspine.services.lifecycle import load_record
from qspine.services.links import NewLink, write_links
from qspine.services.model_reads import ModelSystem, linked, system
from qspine.services.records import NewRecord, insert_records
from qspine.services.users import User, UserService, require
from qspine.services.validation_exec import sha256_file
from qspine.store.engine import read_connection, write_transaction

MAX_UPLOAD_BYTES = 1 << 30
"""The largest weights or code file the API and web page take."""


def too_large(what: str) -> InvalidInput:
    """The refusal of an upload over MAX_UPLOAD_BYTES, naming the form field or file."""
    return InvalidInput(
        f"{what}: larger than {MAX_UPLOAD_BYTES >> 20} MiB; register it from its file with "
        "`qspine model register`"
    )


KIND = "model_version"
CodeSpec = tuple[str, str, str]  # repository, path, commit ('' for none)
# Fields registration computes; a value given for one would contradict the files.
COMPUTED = (
    "weights",
    "weights_sha256",
    "preprocessing_ref",
    "postprocessing_ref",
    "configuration",
    "configuration_sha256",
    "python_version",
    "packages",
    "lockfile_sha256",
    "environment_sha256",
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class ModelRow:
    """A line of the model list."""

    key: str
    title: str
    version_label: str
    version: int
    status: str
    gate_passed: bool
    gate_open: int
    runs: int


class ModelService:
    """Register model versions and read them as systems."""

    def __init__(self, context: SpineContext, users: UserService, blobs: BlobService) -> None:
        self._context = context
        self._users = users
        self._blobs = blobs

    def register(
        self,
        actor: str,
        *,
        weights: Path,
        title: str,
        version_label: str,
        preprocessing: CodeSpec | None = None,
        postprocessing: CodeSpec | None = None,
        decision_threshold: float | None = None,
        configuration: Path | dict[str, Any] | None = None,
        packages: Sequence[str] = (),
        python_version: str | None = None,
        lockfile: Path | None = None,
        trained_on: Sequence[str] = (),
        implements: Sequence[str] = (),
        fields: dict[str, Any] | None = None,
    ) -> RecordView:
        """Pin every part of the model system and record it; refuses (writing nothing) with
        the argument named when a file, package, dataset or requirement is wrong."""
        given = {k: v for k, v in (fields or {}).items() if v not in (None, "")}
        computed = sorted(set(given) & set(COMPUTED))
        if computed:
            raise InvalidInput(f"fields: {', '.join(computed)} are computed, not given")
        if not weights.is_file():
            raise InvalidInput(f"weights: no file at {weights}")
        values: dict[str, Any] = {
            **given,
            "title": title.strip(),
            "version_label": version_label.strip(),
            "weights_sha256": sha256_file(weights),
            "decision_threshold": decision_threshold,
        }
        values.update(_code("preprocessing", preprocessing, "preprocessing_ref"))
        values.update(_code("postprocessing", postprocessing, "postprocessing_ref"))
        values.update(_configuration(configuration))
        environment = _environment(packages, python_version, lockfile)
        values.update(
            {
                "python_version": environment.python,
                "packages": environment.package_list(),
                "lockfile_sha256": environment.lockfile_sha256,
                "environment_sha256": environment.sha256,
            }
        )
        values = {k: v for k, v in values.items() if v not in (None, "", [])}
        values["weights"] = values["weights_sha256"]
        validate_fields(f"new {KIND}", KIND, self._context.profile.kinds[KIND], values)
        links = _links(trained_on, "trained_on", "dataset") + _links(
            implements, "implements", "requirement"
        )
        with read_connection(self._context.engine) as connection:
            require(connection, self._context, actor, "write", KIND)
            for item in links:
                _check_target(connection, item)
        stored = self._blobs.add(actor, weights)
        if stored.sha256 != values["weights_sha256"]:
            raise InvalidInput(f"weights: {weights} changed while it was being registered")
        return self._write(actor, weights, values, links)

    def system(self, user: User, key: str) -> ModelSystem:
        """The model version as a system, with its gate evaluated now."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            return system(connection, self._context, key)

    def gate(self, user: User, key: str) -> GateReport:
        """The release gate of the model's current version, evaluated now."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            profile, blob_dir = self._context.profile, self._context.blob_dir
            return model_gate.evaluate(connection, profile, key, blob_dir)

    def list(self, user: User) -> builtins.list[ModelRow]:
        """Every model version, newest first, with the state of its release gate."""
        self._users.permits(user, "read")
        rows = []
        with read_connection(self._context.engine) as connection:
            for item in reversed(reads.kind_records(connection, KIND)):
                report = model_gate.evaluate(
                    connection, self._context.profile, item.key, self._context.blob_dir
                )
                model_id = load_record(connection, item.key)["id"]
                rows.append(
                    ModelRow(
                        key=item.key,
                        title=item.title,
                        version_label=str(item.fields.get("version_label", "")),
                        version=item.number,
                        status=item.status,
                        gate_passed=report.passed,
                        gate_open=len(report.problems),
                        runs=len(linked(connection, model_id, "evaluates", outward=False)),
                    )
                )
        return rows

    def _write(
        self, actor: str, weights: Path, values: dict[str, Any], links: builtins.list[NewLink]
    ) -> RecordView:
        reason = f"model system registered from {weights.name}"
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            _, (key,), events = insert_records(
                connection, self._context, actor, [NewRecord(KIND, values)], reason, now
            )
            payload = {
                name: values.get(name, "")
                for name in ("weights_sha256", "configuration_sha256", "environment_sha256")
            }
            events.append(
                NewEvent(
                    actor=actor,
                    action="model.register",
                    subject=key,
                    version=1,
                    reason=reason,
                    after=values["weights_sha256"],
                    payload={
                        **payload,
                        "trained_on": [i.target for i in links if i.type == "trained_on"],
                        "implements": [i.target for i in links if i.type == "implements"],
                    },
                )
            )
            append(connection, now, events)
            items = [NewLink(i.type, key, i.target) for i in links]
            if items:
                write_links(connection, self._context, actor, items, reason)
            return reads.record_view(connection, self._context.profile, key)


def code_spec(argument: str, text: str | None) -> CodeSpec | None:
    """A code reference as typed, REPO:PATH[@COMMIT], as (repo, path, commit); None when
    not given. The faces read their option or form field with it."""
    if text is None or not text.strip():
        return None
    repo, sep, rest = text.strip().rpartition(":")
    path, at, commit = rest.rpartition("@") if "@" in rest else (rest, "", "")
    if not sep or not repo or not path or (at and not commit):
        raise InvalidInput(f"{argument} '{text}': write REPO:PATH or REPO:PATH@COMMIT")
    return repo, path, commit


def upload_name(filename: str | None, default: str) -> str:
    """The base name an uploaded file is kept under (the blob's file name): never a folder
    part, '.' or '..'; `default` when nothing plain is left."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    return default if name in ("", ".", "..") else name


# -- registration helpers --------------------------------------------------------------------


def _code(argument: str, spec: CodeSpec | None, field: str) -> dict[str, str]:
    if spec is None:
        return {}
    repo, path, commit = spec
    try:
        return {field: str(code_refs.pin(repo, path, commit))}
    except InvalidInput as error:
        raise InvalidInput(f"{argument}: {error}") from None


def _configuration(given: Path | dict[str, Any] | None) -> dict[str, str]:
    if given is None:
        return {}
    if isinstance(given, Path):
        if not given.is_file():
            raise InvalidInput(f"configuration: no file at {given}")
        try:
            value = json.loads(given.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidInput(f"configuration: {given} is not JSON ({error})") from None
    else:
        value = given
    if not isinstance(value, dict):
        raise InvalidInput("configuration: must be a JSON object of settings")
    text = canonical_json(value)
    return {"configuration": text, "configuration_sha256": sha256_hex(text)}


def _environment(
    packages: Sequence[str], python_version: str | None, lockfile: Path | None
) -> Environment:
    pinned: dict[str, str] = {}
    for position, item in enumerate(packages, start=1):
        name, version = _package(position, item)
        if name in pinned:
            raise InvalidInput(f"packages: item {position} '{item}' names {name} again")
        pinned[name] = version
    lock = ""
    if lockfile is not None:
        if not lockfile.is_file():
            raise InvalidInput(f"lockfile: no file at {lockfile}")
        lock = sha256_file(lockfile)
    python = (python_version or platform.python_version()).strip()
    return Environment(python=python, packages=pinned, lockfile_sha256=lock)


def _package(position: int, item: str) -> tuple[str, str]:
    """(normalised name, version) of NAME==VERSION, or of NAME as installed here."""
    text = item.strip()
    if "==" in text:
        try:
            ((name, version),) = parse_packages([text]).items()
        except InvalidInput:
            raise InvalidInput(f"packages: item {position} '{item}' is not NAME==VERSION") from None
        return name, version
    if not _NAME.match(text):
        raise InvalidInput(
            f"packages: item {position} '{item}' is neither a package name nor NAME==VERSION"
        )
    try:
        return normalise_package(text), importlib.metadata.version(text)
    except importlib.metadata.PackageNotFoundError:
        raise InvalidInput(
            f"packages: '{text}' is not installed here; give it as NAME==VERSION"
        ) from None


def _links(keys: Sequence[str], type: str, kind: str) -> builtins.list[NewLink]:
    found = [key.strip() for key in keys if key.strip()]
    if len(set(found)) != len(found):
        raise InvalidInput(f"{type}: a {kind} is named twice")
    return [NewLink(type, "", key) for key in found]


def _check_target(connection: Connection, item: NewLink) -> None:
    kind = "dataset" if item.type == "trained_on" else "requirement"
    try:
        row = load_record(connection, item.target)
    except NotFound:
        raise InvalidInput(f"{item.type}: no {kind} {item.target}") from None
    if row["kind"] != kind:
        raise InvalidInput(f"{item.type}: {item.target} is a {row['kind']}, not a {kind}")
