"""Attach files: store them by SHA-256 and record who added them (audited)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.users import require
from qspine.store.blobs import BlobStore
from qspine.store.engine import write_transaction
from qspine.store.schema import blob


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int
    filename: str
    media_type: str


class BlobService:
    """Add files to the content-addressed store; fields of type blob refer to them."""

    def __init__(self, context: SpineContext) -> None:
        self._context = context
        self._store = BlobStore(context.blob_dir)

    def add(self, actor: str, path: Path) -> BlobInfo:
        digest, size = self._store.put_file(path)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            # Storing a file changes no record; attaching it (a blob field) needs write.
            require(connection, self._context, actor, "read")
            known = connection.execute(sa.select(blob.c.sha256).where(blob.c.sha256 == digest))
            if known.first() is None:
                connection.execute(
                    blob.insert().values(
                        sha256=digest,
                        size=size,
                        filename=path.name,
                        media_type=media_type,
                        created_at=now,
                        created_by=actor,
                    )
                )
                append(
                    connection,
                    now,
                    [
                        NewEvent(
                            actor=actor,
                            action="blob.add",
                            subject=f"blob:{digest}",
                            after=digest,
                            payload={"filename": path.name, "size": size},
                        )
                    ],
                )
        return BlobInfo(digest, size, path.name, media_type)

    def read(self, digest: str) -> bytes:
        return self._store.read(digest)
