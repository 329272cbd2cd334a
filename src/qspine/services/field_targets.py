"""Field references a version may hold: every ref field names an existing record of an allowed
kind, and every blob field names a stored blob."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.errors import InvalidInput
from qspine.model.fields import blob_digests, references
from qspine.model.profile import KindSpec
from qspine.store.schema import blob, record


def check_targets(
    connection: Connection, items: list[tuple[str, KindSpec, dict[str, Any]]]
) -> None:
    """Every ref field points at an existing record of an allowed kind; every blob is stored."""
    refs = [
        (subject, field, key, kinds)
        for subject, spec, fields in items
        for field, key, kinds in references(spec, fields)
    ]
    if refs:
        wanted = sorted({key for _, _, key, _ in refs})
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = connection.execute(
                sa.select(record.c.key, record.c.kind).where(record.c.key.in_(chunk))
            )
            found.update({key: kind for key, kind in rows})
        for subject, field, key, kinds in refs:
            if key not in found:
                raise InvalidInput(
                    f"{subject}: field '{field}' refers to {key}, which does not exist"
                )
            if found[key] not in kinds:
                raise InvalidInput(
                    f"{subject}: field '{field}' refers to {key}, a {found[key]}; "
                    f"expected {' or '.join(kinds)}"
                )
    digests = [
        (subject, field, digest)
        for subject, spec, fields in items
        for field, digest in blob_digests(spec, fields)
    ]
    if digests:
        stored = set(
            connection.execute(
                sa.select(blob.c.sha256).where(
                    blob.c.sha256.in_(sorted({d for _, _, d in digests}))
                )
            )
            .scalars()
            .all()
        )
        for subject, field, digest in digests:
            if digest not in stored:
                raise InvalidInput(
                    f"{subject}: field '{field}' names blob {digest[:12]}…, "
                    "which is not in the blob store (add the file first)"
                )
