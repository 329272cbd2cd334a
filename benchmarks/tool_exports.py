"""Write one requirement set as a Doorstop tree and as StrictDoc .sdoc documents.

Pure writers for `bench_tools`: they take plain `Item`s (uid, title, text, parent uids) and
write files, nothing else. Three levels in both tools: user needs <- requirements <- tests.

Doorstop 3.2: a directory per document (`.doorstop.yml` with prefix, separator and parent),
one YAML file per item, and a `.mockvcs` marker at the root so Doorstop finds its root without
a version-control system. Items are written already reviewed and their links already stamped,
with the hashes Doorstop itself computes (`Item.stamp`), so the tree validates clean ("no
unreviewed changes, no suspect links") as a reviewed repository would, and a validation run
does not have to review every item first. The YAML is what Doorstop's own writer emits, so its
default reformatting rewrites each file with the same bytes.

StrictDoc 0.30.4: one `[DOCUMENT]` per level, each item a `[REQUIREMENT]` with UID, TITLE,
STATEMENT and `RELATIONS:` entries of TYPE Parent.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DOORSTOP_SEPARATORS = "-_."


@dataclass(frozen=True)
class Item:
    """One requirement-like item: its uid, title, text, and the uids it traces up to."""

    uid: str
    title: str
    text: str
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One document of the set: its folder (Doorstop) or file stem (StrictDoc) and title."""

    name: str
    title: str
    items: Sequence[Item]


def documents(
    needs: Sequence[Item], requirements: Sequence[Item], tests: Sequence[Item]
) -> list[Document]:
    """The three documents, top down."""
    return [
        Document("needs", "User needs", needs),
        Document("requirements", "Requirements", requirements),
        Document("tests", "Test cases", tests),
    ]


# -- Doorstop ---------------------------------------------------------------------------------


class _Literal(str):
    """Text Doorstop dumps in YAML's literal block style."""


class _DoorstopDumper(yaml.SafeDumper):
    """Doorstop's item writer: `yaml.dump(default_flow_style=False)` with literal text."""


def _represent_literal(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if data else "")


_DoorstopDumper.add_representer(_Literal, _represent_literal)


def write_doorstop(
    tree_dir: Path, needs: Sequence[Item], requirements: Sequence[Item], tests: Sequence[Item]
) -> int:
    """Write a Doorstop tree (needs <- requirements <- tests) under `tree_dir`; files written.

    Each document's prefix is taken from its items' uids (`REQ-12` -> prefix REQ, separator
    -); every parent uid must be an item of the set. A link to an item of the same document
    (a requirement derived from another) is allowed: Doorstop reports it as information only.
    """
    tree_dir.mkdir(parents=True, exist_ok=True)
    (tree_dir / ".mockvcs").touch()
    texts = {item.uid: item.text for item in (*needs, *requirements, *tests)}
    missing = {uid for item in (*requirements, *tests) for uid in item.parents} - texts.keys()
    if missing:
        raise ValueError(f"parents outside the set: {sorted(missing)[:5]}")
    written = 0
    parent: str | None = None
    for document in documents(needs, requirements, tests):
        prefix, separator = _prefix_of(document)
        folder = tree_dir / document.name
        folder.mkdir(exist_ok=True)
        settings: dict[str, Any] = {"digits": 3, "itemformat": "yaml", "prefix": prefix}
        settings["sep"] = separator
        if parent is not None:
            settings["parent"] = parent
        _write(folder / ".doorstop.yml", yaml.safe_dump({"settings": settings}))
        for number, item in enumerate(document.items, start=1):
            _write(folder / f"{item.uid}.yml", doorstop_item(item, number, texts))
        written += 1 + len(document.items)
        parent = prefix
    return written


def doorstop_item(item: Item, level: int, texts: dict[str, str]) -> str:
    """The YAML of one Doorstop item at top-level `level`, reviewed and with stamped links.

    `texts` maps every uid to its text, to stamp the links with their parents' hashes.
    """
    text = _doorstop_text(item.text)
    links = sorted(item.parents, key=_uid_order)
    data = {
        "active": True,
        "derived": False,
        "header": _Literal(item.title + "\n") if item.title else "",
        "level": level,
        "links": [{uid: doorstop_stamp(uid, _doorstop_text(texts[uid]))} for uid in links],
        "normative": True,
        "ref": "",
        "reviewed": doorstop_stamp(item.uid, text, *links),
        "text": _Literal(text + "\n") if text else "",
    }
    return yaml.dump(data, Dumper=_DoorstopDumper, default_flow_style=False, allow_unicode=True)


def doorstop_stamp(*values: str) -> str:
    """Doorstop's `Stamp.digest`: URL-safe base64 of SHA-256 over the values' concatenation.

    An item's own stamp hashes (uid, text, ref); its review stamp adds its sorted link uids.
    Our items have no `ref`, and the empty string adds nothing to the hash.
    """
    digest = hashlib.sha256()
    for value in values:
        digest.update(value.encode())
    return base64.urlsafe_b64encode(digest.digest()).decode("utf-8")


def _doorstop_text(text: str) -> str:
    """Doorstop's `Text.load_text`: no leading or trailing blank lines or line-end spaces."""
    stripped = re.sub("\n+$", "", re.sub("^\n+", "", text))
    return "\n".join(line.rstrip() for line in stripped.split("\n"))


def _uid_order(uid: str) -> tuple[str, int, str]:
    """Doorstop's UID ordering: by prefix, then number (or name)."""
    match = re.match(f"([\\w.-]+)[{DOORSTOP_SEPARATORS}](\\w+)", uid)
    if match is None:
        return (uid, -1, "")
    prefix, rest = match.groups()
    return (prefix, int(rest), "") if rest.isdigit() else (prefix, -1, rest)


def _prefix_of(document: Document) -> tuple[str, str]:
    """(prefix, separator) shared by every uid of a document, e.g. ("REQ", "-")."""
    found = {re.sub(r"\d+$", "", item.uid) for item in document.items}
    if len(found) != 1:
        raise ValueError(f"{document.name}: uids need one prefix, found {sorted(found)[:5]}")
    (head,) = found
    if len(head) < 2 or head[-1] not in DOORSTOP_SEPARATORS:
        raise ValueError(f"{document.name}: uids like PREFIX-123 are needed, not {head}…")
    return head[:-1], head[-1]


# -- StrictDoc --------------------------------------------------------------------------------


def write_sdoc(
    folder: Path, needs: Sequence[Item], requirements: Sequence[Item], tests: Sequence[Item]
) -> int:
    """Write needs.sdoc, requirements.sdoc and tests.sdoc under `folder`; files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = documents(needs, requirements, tests)
    for document in written:
        _write(folder / f"{document.name}.sdoc", sdoc_document(document.title, document.items))
    return len(written)


def sdoc_document(title: str, items: Sequence[Item]) -> str:
    """One StrictDoc document: the `[DOCUMENT]` header, then a blank line before each node."""
    parts = [f"[DOCUMENT]\nTITLE: {_single_line(title)}\n"]
    parts += [f"\n{sdoc_node(item)}" for item in items]
    return "".join(parts)


def sdoc_node(item: Item) -> str:
    """One `[REQUIREMENT]` node; multi-line statements go in a >>> ... <<< block."""
    lines = ["[REQUIREMENT]", f"UID: {item.uid}", f"TITLE: {_single_line(item.title)}"]
    text = item.text.strip()
    if "\n" in text:
        lines += ["STATEMENT: >>>", text, "<<<"]
    elif text:
        lines.append(f"STATEMENT: {text}")
    if item.parents:
        lines.append("RELATIONS:")
        for uid in item.parents:
            lines += ["- TYPE: Parent", f"  VALUE: {uid}"]
    return "\n".join(lines) + "\n"


def _single_line(text: str) -> str:
    """A single-line field value: StrictDoc needs it non-empty and starting with no space."""
    flat = " ".join(text.split())
    return flat or "(untitled)"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
