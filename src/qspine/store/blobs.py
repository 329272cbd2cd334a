"""Content-addressed file store: a file lives at its SHA-256, written once, checked on read."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from qspine.model.errors import InvalidInput, NotFound

_CHUNK = 1 << 20


class BlobStore:
    """Files under `root/ab/cdef…`; identical content is stored once."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:]

    def put_file(self, source: Path) -> tuple[str, int]:
        """Copy `source` in; return (sha256, size). Safe to repeat."""
        if not source.is_file():
            raise InvalidInput(f"{source}: no such file")
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out, source.open("rb") as data:
                while chunk := data.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            target = self.path_of(digest.hexdigest())
            target.parent.mkdir(exist_ok=True)
            if target.exists():
                os.unlink(temporary)
            else:
                os.replace(temporary, target)
                target.chmod(0o444)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return digest.hexdigest(), size

    def read(self, digest: str) -> bytes:
        """The content, verified against its address (a tampered file is refused)."""
        path = self.path_of(digest)
        if not path.is_file():
            raise NotFound(f"blob {digest} is not in the blob store at {self.root}")
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != digest:
            raise InvalidInput(f"blob {digest}: stored file no longer matches its SHA-256")
        return content
