"""Resolve code references (model/model_system.py) to the bytes they pin.

A repository that is a local folder is read from disk: at the commit through `git show` when
a commit is given and the folder is a git work tree, else the file in the folder as it is. A
repository QSpine cannot reach (a remote URL) cannot be resolved, which callers report; no
code reference is ever fetched over the network.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from qspine.model.errors import InvalidInput
from qspine.model.model_system import CodeRef


@dataclass(frozen=True)
class Resolved:
    """What a code reference points to now: the bytes' digest, and the file to hand a
    command (a copy under `workdir` when read from git)."""

    ref: CodeRef
    sha256: str
    path: Path

    @property
    def matches(self) -> bool:
        return self.sha256 == self.ref.sha256

    def difference(self, label: str) -> str | None:
        """The mismatch in words, or None when the bytes are the pinned ones."""
        if self.matches:
            return None
        return (
            f"{label} {self.ref.path}: sha256 {self.ref.sha256[:12]} pinned, "
            f"{self.sha256[:12]} found in {self.ref.repo}"
            + (f" at {self.ref.commit}" if self.ref.commit else "")
        )


def read_code(repo: str, path: str, commit: str = "") -> bytes:
    """The bytes of `path` in `repo` (at `commit` when given), or InvalidInput saying why not."""
    folder = Path(repo).expanduser()
    if not folder.is_dir():
        raise InvalidInput(f"code reference: repository '{repo}' is not a local folder")
    relative = Path(path)
    if relative.is_absolute() or ".." in relative.parts:
        raise InvalidInput(f"code reference: path '{path}' must be relative to the repository")
    if commit and (folder / ".git").exists():
        return _git_show(folder, commit, relative.as_posix())
    file = folder / relative
    if not file.is_file():
        raise InvalidInput(f"code reference: '{path}' is not a file in '{repo}'")
    return file.read_bytes()


def pin(repo: str, path: str, commit: str = "") -> CodeRef:
    """A new code reference pinned at the bytes found now."""
    data = read_code(repo, path, commit)
    return CodeRef(repo, path, hashlib.sha256(data).hexdigest(), commit)


def resolve(ref: CodeRef, workdir: Path) -> Resolved:
    """The reference's bytes now, written under `workdir` for a command to read."""
    data = read_code(ref.repo, ref.path, ref.commit)
    target = workdir / "code" / hashlib.sha256(ref.path.encode()).hexdigest()[:12]
    target.mkdir(parents=True, exist_ok=True)
    file = target / Path(ref.path).name
    file.write_bytes(data)
    return Resolved(ref, hashlib.sha256(data).hexdigest(), file)


def _git_show(folder: Path, commit: str, path: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise InvalidInput("code reference: a commit is given but git is not installed")
    done = subprocess.run(
        [git, "-C", str(folder), "show", f"{commit}:{path}"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise InvalidInput(
            f"code reference: '{path}' at {commit} in '{folder}': "
            + (message[-1] if message else "git show failed")
        )
    return done.stdout
