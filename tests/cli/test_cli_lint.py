"""`qspine lint` on Markdown, DOCX (written with python-docx), PDF (a minimal PDF written
here, read back with pypdf) and a real SOP from ../shared/data."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from helpers import SHARED_DATA, Invoke

REAL_SOP = SHARED_DATA / "qms-pactosigna-sample-iso13485/docs/sops/SOP-015-change-control.md"


def minimal_pdf(path: Path, lines: list[str]) -> None:
    """A one-page PDF with `lines` in Helvetica: objects, a content stream and the xref."""
    text = (
        "BT /F1 11 Tf 72 720 Td 14 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
            for line in lines
        )
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    path.write_bytes(out)


def test_markdown_docx_and_pdf(qspine: Invoke, tmp_path: Path) -> None:
    clean = tmp_path / "SOP-1.md"
    clean.write_text("Design and development file per ISO 13485:2016 7.3.10.\n", "utf-8")
    word = tmp_path / "SOP-2.docx"
    document = docx.Document()
    document.add_paragraph("Purpose")
    document.add_paragraph("Maintain the Device Master Record per 21 CFR 820.181.")
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = "Inspected under QSIT"
    document.save(str(word))
    pdf = tmp_path / "SOP-3.pdf"
    minimal_pdf(pdf, ["Scope", "The DHF is kept under the Quality System Regulation."])

    shown = qspine("lint", str(clean), str(word), str(pdf))
    assert shown.code == 1
    assert f"{clean}: clean" in shown.out and "5 finding(s) in 3 file(s)" in shown.out

    data = json.loads(qspine("lint", "--json", str(clean), str(word), str(pdf)).out)
    found = {
        Path(entry["path"]).name: [(f["where"], f["rule"], f["text"]) for f in entry["findings"]]
        for entry in data
    }
    assert found == {
        "SOP-1.md": [],
        "SOP-2.docx": [
            ("paragraph 2", "SUP-DMR", "Device Master Record"),
            ("paragraph 2", "SUP-820-SECTION", "21 CFR 820.181"),
            ("table 1 row 1 cell 2", "SUP-QSIT", "QSIT"),
        ],
        "SOP-3.pdf": [
            ("page 1", "SUP-DHF", "DHF"),
            ("page 1", "SUP-QSR", "Quality System Regulation"),
        ],
    }
    dmr = data[1]["findings"][0]
    assert dmr["replacement"].startswith("medical device file (ISO 13485:2016 4.2.3")
    assert qspine("lint", str(clean)).code == 0


def test_unreadable_files_are_one_clear_error(qspine: Invoke, tmp_path: Path) -> None:
    sheet = tmp_path / "risk.xlsx"
    sheet.write_bytes(b"PK")
    refused = qspine("lint", str(sheet))
    assert refused.code == 2 and f"{sheet}: cannot read '.xlsx' files" in refused.err
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    refused = qspine("lint", str(broken))
    assert refused.code == 2 and f"{broken}: cannot be read as PDF" in refused.err
    assert "Traceback" not in refused.err


@pytest.mark.skipif(not REAL_SOP.exists(), reason=f"{REAL_SOP} is absent (../shared/data)")
def test_a_real_sop(qspine: Invoke) -> None:
    data = json.loads(qspine("lint", "--json", str(REAL_SOP)).out)
    assert [(f["line"], f["text"]) for f in data[0]["findings"]] == [(137, "21 CFR 820.30(i)")]
    assert data[0]["findings"][0]["replacement"].startswith("ISO 13485:2016 7.3 + 21 CFR 820.10(c)")
