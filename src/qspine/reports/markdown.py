"""Markdown helpers the generated references and reports share."""

from __future__ import annotations


def cell(text: object) -> str:
    """Text as one Markdown table cell: whitespace folded, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")
