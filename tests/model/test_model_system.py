"""Code references and runtime environments of a model system."""

from __future__ import annotations

import pytest

from qspine.model.errors import InvalidInput
from qspine.model.model_system import (
    CodeRef,
    Environment,
    environment_differences,
    parse_code_ref,
    parse_packages,
)

DIGEST = "ab" * 32


def test_code_ref_round_trips_with_and_without_commit() -> None:
    ref = CodeRef("/srv/cyto", "src/pre.py", DIGEST, "9c1e4f7")
    assert parse_code_ref(str(ref)) == ref
    bare = CodeRef("https://example.org/cyto.git", "pre.py", DIGEST)
    assert str(bare) == f"repo=https://example.org/cyto.git; path=pre.py; sha256={DIGEST}"
    assert parse_code_ref(str(bare)) == bare


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"repo=r; path=p; sha=1{DIGEST}", "'sha=1"),
        (f"repo=r; repo=s; path=p; sha256={DIGEST}", "'repo' is given twice"),
        (f"repo=r; sha256={DIGEST}", "path missing"),
        ("repo=r; path=p; sha256=xyz", "64 hexadecimal"),
    ],
)
def test_bad_code_refs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=f"MV-1 preprocessing_ref: .*{message}"):
        parse_code_ref(text, where="MV-1 preprocessing_ref")


def test_environment_fingerprint_is_order_free_and_differences_are_named() -> None:
    packages = parse_packages(["scikit_learn==1.9.1", "NumPy==2.5.5"])
    assert packages == {"scikit-learn": "1.9.1", "numpy": "2.5.5"}
    one = Environment("3.11.7", packages, "cd" * 32, "linux-x86_64")
    two = Environment("3.11.7", dict(reversed(list(packages.items()))), "cd" * 32, "linux-x86_64")
    assert one.sha256 == two.sha256
    assert one.package_list() == ["numpy==2.5.5", "scikit-learn==1.9.1"]
    newer = Environment("3.12.1", {"numpy": "2.5.5", "scipy": "1.18.1"}, "", "linux-x86_64")
    assert environment_differences(one, newer) == [
        "Python 3.11.7 -> 3.12.1",
        "scikit-learn 1.9.1 -> (absent)",
        "scipy (absent) -> 1.18.1",
        "lock file cdcdcdcdcdcd -> (none)",
    ]
    assert one.sha256 != newer.sha256


def test_a_package_without_a_pin_is_refused() -> None:
    with pytest.raises(InvalidInput, match="packages: item 2 'scipy' is not NAME==VERSION"):
        parse_packages(["numpy==2.5.5", "scipy"])


def test_a_package_named_twice_is_refused_not_silently_collapsed() -> None:
    with pytest.raises(InvalidInput, match=r"packages: item 2 'NumPy==1\.26\.4' names numpy again"):
        parse_packages(["numpy==2.5.5", "NumPy==1.26.4"])
