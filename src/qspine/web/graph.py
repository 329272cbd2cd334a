"""The record page's neighbourhood picture: geometry for a server-rendered SVG (no JS).

The record sits in the middle; records linking to it on the left, records it links to on
the right. Suspect links are drawn dashed and red, and say so in text as well as colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from qspine.model.links import LinkView
from qspine.model.profile import Profile

WIDTH = 820
NODE_WIDTH = 150
NODE_HEIGHT = 40
ROW = 52
PAD = 16
TOP = 18  # room for the "links in / links out" column labels
LEFT_X = PAD
CENTER_X = (WIDTH - NODE_WIDTH) // 2
RIGHT_X = WIDTH - PAD - NODE_WIDTH


@dataclass(frozen=True)
class Node:
    key: str
    kind_title: str
    x: int
    y: int
    center: bool = False

    @property
    def href(self) -> str:
        return f"/records/{self.key}"


@dataclass(frozen=True)
class Edge:
    """A drawn link; `label` may be empty in a crowded picture (`hover` still names it)."""

    type: str
    label: str
    path: str
    label_x: int
    label_y: int
    anchor: str
    suspect: bool
    hover: str = ""


@dataclass(frozen=True)
class Neighbourhood:
    width: int
    height: int
    node_width: int
    node_height: int
    nodes: list[Node]
    edges: list[Edge]
    hidden_in: int
    hidden_out: int
    description: str


def neighbourhood(
    key: str,
    kind_title: str,
    links_in: list[LinkView],
    links_out: list[LinkView],
    profile: Profile,
    per_side: int = 12,
) -> Neighbourhood:
    """Lay out `key` with its incoming links (left) and outgoing links (right)."""
    shown_in, shown_out = links_in[:per_side], links_out[:per_side]
    rows = max(len(shown_in), len(shown_out), 1)
    height = rows * ROW + 2 * PAD + TOP
    middle = TOP + (height - TOP - NODE_HEIGHT) // 2
    center = Node(key, _short(kind_title), CENTER_X, middle, center=True)
    nodes, edges = [center], []
    mid_y = center.y + NODE_HEIGHT // 2
    for column, links, incoming in ((LEFT_X, shown_in, True), (RIGHT_X, shown_out, False)):
        top = TOP + (height - TOP - len(links) * ROW) // 2 + (ROW - NODE_HEIGHT) // 2
        for index, link in enumerate(links):
            other = link.source if incoming else link.target
            node = Node(other, _kind_title(other, profile), column, top + index * ROW)
            nodes.append(node)
            node_mid = node.y + NODE_HEIGHT // 2
            if incoming:
                start_x, start_y, end_x, end_y = column + NODE_WIDTH, node_mid, CENTER_X, mid_y
                label_x, anchor = start_x + 6, "start"
            else:
                start_x, start_y, end_x, end_y = CENTER_X + NODE_WIDTH, mid_y, column, node_mid
                label_x, anchor = end_x - 6, "end"
            bend = (end_x - start_x) // 2
            path = (
                f"M {start_x} {start_y} C {start_x + bend} {start_y}, "
                f"{end_x - bend} {end_y}, {end_x - 2} {end_y}"
            )
            spec = profile.links.get(link.type)
            label = spec.title if spec is not None and spec.title else link.type.replace("_", " ")
            edges.append(Edge(link.type, label, path, label_x, node_mid - 6, anchor, link.suspect))
    suspect = sum(1 for link in [*links_in, *links_out] if link.suspect)
    description = (
        f"{key}: {len(links_in)} incoming link(s) on the left, {len(links_out)} outgoing "
        f"link(s) on the right; {suspect} suspect."
    )
    return Neighbourhood(
        width=WIDTH,
        height=height,
        node_width=NODE_WIDTH,
        node_height=NODE_HEIGHT,
        nodes=nodes,
        edges=edges,
        hidden_in=len(links_in) - len(shown_in),
        hidden_out=len(links_out) - len(shown_out),
        description=description,
    )


def _kind_title(key: str, profile: Profile) -> str:
    kind = profile.kind_for_prefix(key.rpartition("-")[0])
    if kind is None:
        return ""
    return _short(profile.kinds[kind].title)


def _short(title: str) -> str:
    """'Test case (verification protocol)' -> 'Test case': the node has little room."""
    return title.split(" (")[0]
