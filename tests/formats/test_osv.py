"""OSV records read from files (formats/osv.py): the syntax is told by the suffix, whatever
its case."""

from __future__ import annotations

from pathlib import Path

import pytest

from qspine.formats.osv import parse_osv, read_osv_tree
from qspine.model.errors import InvalidInput

RECORD = b'{"id": "PYSEC-0000-1", "modified": "2024-01-01T00:00:00Z", "affected": []}'


def test_an_upper_case_json_suffix_is_read_as_json(tmp_path: Path) -> None:
    (tmp_path / "PYSEC-0000-1.JSON").write_bytes(RECORD)
    (found,) = read_osv_tree(tmp_path)
    assert found.record.id == "PYSEC-0000-1"
    with pytest.raises(InvalidInput, match=r"^BAD\.JSON: not valid JSON"):
        parse_osv(b'{"id": "X",}', "BAD.JSON")
