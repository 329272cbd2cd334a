"""Code references resolved from a folder and from a real git repository."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from qspine.model.errors import InvalidInput
from qspine.services.code_refs import pin, read_code, resolve


def test_a_folder_reference_pins_the_bytes_and_sees_them_change(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "pre.py").write_text("def preprocess(x):\n    return x\n")
    ref = pin(str(repo), "src/pre.py")
    assert ref.sha256 == hashlib.sha256((repo / "src" / "pre.py").read_bytes()).hexdigest()
    assert resolve(ref, tmp_path / "work").matches
    (repo / "src" / "pre.py").write_text("def preprocess(x):\n    return x * 2\n")
    changed = resolve(ref, tmp_path / "work")
    assert not changed.matches
    assert changed.path.read_text().endswith("x * 2\n")
    assert changed.difference("preprocessing") == (
        f"preprocessing src/pre.py: sha256 {ref.sha256[:12]} pinned, "
        f"{changed.sha256[:12]} found in {repo}"
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed here")
def test_a_commit_reads_the_file_as_committed_not_as_edited(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    git("init", "-q")
    git("config", "user.email", "ci@example.org")
    git("config", "user.name", "CI")
    (repo / "pre.py").write_text("VERSION = 1\n")
    git("add", "pre.py")
    git("commit", "-q", "-m", "first")
    commit = git("rev-parse", "HEAD")
    (repo / "pre.py").write_text("VERSION = 2\n")
    assert read_code(str(repo), "pre.py", commit) == b"VERSION = 1\n"
    assert pin(str(repo), "pre.py", commit).sha256 == hashlib.sha256(b"VERSION = 1\n").hexdigest()
    with pytest.raises(InvalidInput, match=r"'pre\.py' at 0000000"):
        read_code(str(repo), "pre.py", "0000000")


def test_unreachable_references_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is not a local folder"):
        read_code("https://example.org/cyto.git", "pre.py")
    with pytest.raises(InvalidInput, match="must be relative"):
        read_code(str(tmp_path), "../etc/passwd")
    with pytest.raises(InvalidInput, match=r"'missing\.py' is not a file"):
        read_code(str(tmp_path), "missing.py")
