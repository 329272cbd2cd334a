"""The text of a controlled document file, line by line, for the superseded-reference linter:
Markdown and plain text as they are, DOCX paragraphs and table cells (python-docx), PDF pages
(pypdf). Each line knows where it came from, so a finding can be found again in the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qspine.model.errors import InvalidInput

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text", ".rst", ".adoc"})
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}


@dataclass(frozen=True)
class DocumentText:
    path: str
    lines: tuple[str, ...]
    places: tuple[str, ...]
    """Where each line is: 'line N', 'paragraph N', 'table T row R cell C' or 'page P'."""

    def where(self, line: int) -> str:
        return self.places[line - 1]


def read_document(path: Path, name: str | None = None) -> DocumentText:
    """The document's text; InvalidInput naming the file when it is not one we can read.
    `name` is the file's own name when `path` does not carry it (a stored blob)."""
    suffix = Path(name or path.name).suffix.lower()
    label = name or str(path)
    if suffix not in SUFFIXES:
        raise InvalidInput(
            f"{label}: cannot read '{suffix or 'no extension'}' files "
            f"(lint reads {', '.join(sorted(SUFFIXES))})"
        )
    try:
        if suffix == ".docx":
            pairs = _docx(path)
        elif suffix == ".pdf":
            pairs = _pdf(path)
        else:
            text = path.read_text(encoding="utf-8")
            pairs = [(line, f"line {n}") for n, line in enumerate(text.splitlines(), start=1)]
    except FileNotFoundError:
        raise InvalidInput(f"{label}: no such file") from None
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{label}: not UTF-8 text (byte {error.start})") from None
    except Exception as error:  # a damaged DOCX or PDF: say which file, never a traceback
        if isinstance(error, InvalidInput):
            raise
        raise InvalidInput(f"{label}: cannot be read as {suffix[1:].upper()} ({error})") from None
    return DocumentText(label, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))


def _docx(path: Path) -> list[tuple[str, str]]:
    import docx  # python-docx: imported when a DOCX is read

    document = docx.Document(str(path))
    pairs = [(p.text, f"paragraph {n}") for n, p in enumerate(document.paragraphs, start=1)]
    for t, table in enumerate(document.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                pairs += [(line, f"table {t} row {r} cell {c}") for line in cell.text.splitlines()]
    return pairs


def _pdf(path: Path) -> list[tuple[str, str]]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pairs = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        pairs += [(line, f"page {number}") for line in text.splitlines()]
    return pairs
