"""Code references resolved from a folder and from a real git repository."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from qspine.model.errors import InvalidInput
from qspine.services import code_refs
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


def _git_repo(repo: Path, content: str) -> str:
    """A one-commit repository holding pre.py with `content`; returns the commit."""
    repo.mkdir()
    for args in (
        ("init", "-q"),
        ("config", "user.email", "ci@example.org"),
        ("config", "user.name", "CI"),
    ):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    (repo / "pre.py").write_text(content)
    subprocess.run(["git", "-C", str(repo), "add", "pre.py"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "one"], check=True)
    done = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed here")
@pytest.mark.parametrize("commit", ["--output={target}", "-p", "HEAD\n", "HEAD:src"])
def test_a_commit_that_git_would_read_as_an_option_is_refused(tmp_path: Path, commit: str) -> None:
    repo = tmp_path / "repo"
    _git_repo(repo, "VERSION = 1\n")
    target = tmp_path / "written-by-git"
    with pytest.raises(InvalidInput, match="not a commit"):
        read_code(str(repo), "pre.py", commit.format(target=target))
    assert not any(p.name.startswith("written-by-git") for p in tmp_path.iterdir())


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed here")
def test_git_variables_of_the_caller_do_not_redirect_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit = _git_repo(tmp_path / "repo", "VERSION = 1\n")
    _git_repo(tmp_path / "other", "VERSION = 'other'\n")
    # as inside a git hook, which runs with GIT_DIR set to the hook's repository
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "other" / ".git"))
    assert read_code(str(tmp_path / "repo"), "pre.py", commit) == b"VERSION = 1\n"


def test_references_to_the_same_path_in_two_repositories_do_not_overwrite(
    tmp_path: Path,
) -> None:
    for name in ("one", "two"):
        (tmp_path / name / "src").mkdir(parents=True)
        (tmp_path / name / "src" / "process.py").write_text(f"WHO = {name!r}\n")
    work = tmp_path / "work"
    pre = resolve(pin(str(tmp_path / "one"), "src/process.py"), work)
    post = resolve(pin(str(tmp_path / "two"), "src/process.py"), work)
    assert pre.path != post.path
    assert pre.path.read_text() == "WHO = 'one'\n"
    assert post.path.read_text() == "WHO = 'two'\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed here")
def test_a_code_file_over_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit = _git_repo(tmp_path / "repo", "X = 1\n" * 4)
    monkeypatch.setattr(code_refs, "MAX_CODE_BYTES", 10)

    def no_reading(*_: object) -> bytes:
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    refused = r"'pre\.py' has 24 bytes; a code file may have at most 10 bytes"
    for given in ("", commit):
        with pytest.raises(InvalidInput, match=refused):
            read_code(str(tmp_path / "repo"), "pre.py", given)


def test_a_relative_repository_is_pinned_as_an_absolute_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run started from another folder must read the same repository."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "pre.py").write_text("X = 1\n")
    (tmp_path / "elsewhere" / "repo").mkdir(parents=True)
    (tmp_path / "elsewhere" / "repo" / "pre.py").write_text("X = 'not this one'\n")
    monkeypatch.chdir(tmp_path)
    ref = pin("repo", "pre.py")
    assert ref.repo == str(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert resolve(ref, tmp_path / "work").matches
