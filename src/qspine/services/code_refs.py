"""Resolve code references (model/model_system.py) to the bytes they pin.

A repository that is a local folder is read from disk: at the commit through `git show` when
a commit is given and the folder is a git work tree, else the file in the folder as it is. A
repository QSpine cannot reach (a remote URL) cannot be resolved, which callers report; no
code reference is ever fetched over the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from qspine.model.errors import InvalidInput
from qspine.model.model_system import CodeRef

MAX_CODE_BYTES = 64 << 20
"""The largest code file a reference may pin: a larger one is refused, not read into memory."""
# A revision git reads as a revision: no leading '-' (an option such as --output=FILE), no
# ':' (it would change the path read), no whitespace or control characters.
_COMMIT = re.compile(r"[^\s:\x00-\x1f\x7f-][^\s:\x00-\x1f\x7f]*")


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
    if commit and not _COMMIT.fullmatch(commit):
        raise InvalidInput(f"code reference: {commit!r} is not a commit, tag or branch name")
    if commit and (folder / ".git").exists():
        return _git_show(folder, commit, relative.as_posix())
    file = folder / relative
    if not file.is_file():
        raise InvalidInput(f"code reference: '{path}' is not a file in '{repo}'")
    _refuse_size(path, file.stat().st_size)
    return file.read_bytes()


def pin(repo: str, path: str, commit: str = "") -> CodeRef:
    """A new code reference pinned at the bytes found now; the repository is recorded as an
    absolute folder, so a run started anywhere reads the same one."""
    data = read_code(repo, path, commit)
    folder = str(Path(repo).expanduser().absolute())
    return CodeRef(folder, path, hashlib.sha256(data).hexdigest(), commit)


def resolve(ref: CodeRef, workdir: Path) -> Resolved:
    """The reference's bytes now, written under `workdir` for a command to read."""
    data = read_code(ref.repo, ref.path, ref.commit)
    # one folder per reference: two references to the same path never share a file
    target = workdir / "code" / hashlib.sha256(str(ref).encode()).hexdigest()[:12]
    target.mkdir(parents=True, exist_ok=True)
    file = target / Path(ref.path).name
    file.write_bytes(data)
    return Resolved(ref, hashlib.sha256(data).hexdigest(), file)


def _git_show(folder: Path, commit: str, path: str) -> bytes:
    """The file at the commit, its size checked first (`git cat-file -s`)."""
    size = _git(folder, commit, path, "cat-file", "-s")
    _refuse_size(path, int(size))
    return _git(folder, commit, path, "show")


def _git(folder: Path, commit: str, path: str, *command: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise InvalidInput("code reference: a commit is given but git is not installed")
    # the caller's GIT_* variables (GIT_DIR in a hook, say) would point git elsewhere
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        [git, "-C", str(folder), *command, f"{commit}:{path}"],
        capture_output=True,
        check=False,
        env=environment,
    )
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise InvalidInput(
            f"code reference: '{path}' at {commit} in '{folder}': "
            + (message[-1] if message else f"git {command[0]} failed")
        )
    return done.stdout


def _refuse_size(path: str, size: int) -> None:
    if size > MAX_CODE_BYTES:
        raise InvalidInput(
            f"code reference: '{path}' has {size} bytes; a code file may have at most "
            f"{MAX_CODE_BYTES} bytes"
        )
