"""The trace page's picture: a traced graph laid out in columns by distance (no JS).

The record the trace starts from sits in the leftmost column; each step away (downstream or
upstream) is one column further right. Arrows point as links are stored (source depends on
target); suspect links are drawn dashed and red, and say so in text as well as colour. Same
visual language as the record page's neighbourhood (`graph.py`, `_graph.html`).
"""

from __future__ import annotations

from dataclasses import dataclass

from qspine.model.profile import Profile
from qspine.model.trace import TraceEdge, TraceNode, TraceResult
from qspine.web.graph import NODE_HEIGHT, NODE_WIDTH, PAD, ROW, TOP, Edge, Node

MAX_NODES = 200
FIT_WIDTH = 1500  # up to this wide the picture shrinks to the page; wider ones scroll
GAP = 110  # between columns: room for the link labels
COLUMN = NODE_WIDTH + GAP
LOOP = 46  # how far a link between two records of the same column bulges out


@dataclass(frozen=True)
class TracePicture:
    width: int
    height: int
    node_width: int
    node_height: int
    columns: list[tuple[int, str]]  # (x of the label, "Start" / "1 step" / …)
    nodes: list[Node]
    edges: list[Edge]
    drawn: int
    total: int
    description: str

    @property
    def capped(self) -> bool:
        return self.drawn < self.total

    @property
    def fits(self) -> bool:
        return self.width <= FIT_WIDTH


def trace_picture(result: TraceResult, profile: Profile, limit: int = MAX_NODES) -> TracePicture:
    """Lay out `result` in columns by depth; at most `limit` records are drawn."""
    shown = result.nodes[:limit]
    levels: dict[int, list[TraceNode]] = {}
    for node in shown:
        levels.setdefault(node.depth, []).append(node)
    depths = sorted(levels)
    column_of = {depth: index for index, depth in enumerate(depths)}
    rows = max((len(nodes) for nodes in levels.values()), default=1)
    height = rows * ROW + 2 * PAD + TOP
    width = max(len(depths), 1) * COLUMN - GAP + 2 * PAD + LOOP
    nodes: list[Node] = []
    place: dict[str, Node] = {}
    for depth in depths:
        column = levels[depth]
        top = TOP + PAD + (rows - len(column)) * ROW // 2 + (ROW - NODE_HEIGHT) // 2
        for index, traced in enumerate(column):
            drawn = Node(
                traced.key,
                _kind_title(traced.kind, profile),
                PAD + column_of[depth] * COLUMN,
                top + index * ROW,
                center=traced.key == result.root,
            )
            nodes.append(drawn)
            place[traced.key] = drawn
    edges = [
        _edge(edge, place[edge.source], place[edge.target], profile)
        for edge in result.edges
        if edge.source in place and edge.target in place
    ]
    columns = [(PAD + column_of[depth] * COLUMN, _column_label(depth)) for depth in depths]
    suspect = sum(1 for edge in result.edges if edge.suspect)
    way = "downstream" if result.direction == "down" else "upstream"
    description = (
        f"{way.capitalize()} trace of {result.root}: {len(result.nodes)} record(s) in "
        f"{len(depths)} column(s) by distance, {len(result.edges)} link(s), {suspect} suspect."
    )
    return TracePicture(
        width=width,
        height=height,
        node_width=NODE_WIDTH,
        node_height=NODE_HEIGHT,
        columns=columns,
        nodes=nodes,
        edges=edges,
        drawn=len(shown),
        total=len(result.nodes),
        description=description,
    )


def _edge(edge: TraceEdge, source: Node, target: Node, profile: Profile) -> Edge:
    """A curve from `source` to `target`, leaving and entering by the facing sides."""
    source_mid = source.y + NODE_HEIGHT // 2
    target_mid = target.y + NODE_HEIGHT // 2
    if source.x == target.x:  # same column: bulge out to the right
        start_x = end_x = source.x + NODE_WIDTH
        path = (
            f"M {start_x} {source_mid} C {start_x + LOOP} {source_mid}, "
            f"{end_x + LOOP} {target_mid}, {end_x + 2} {target_mid}"
        )
        label_x, anchor = start_x + LOOP // 2 + 4, "start"
    else:
        forward = source.x < target.x
        start_x = source.x + NODE_WIDTH if forward else source.x
        end_x = target.x - 2 if forward else target.x + NODE_WIDTH + 2
        bend = (end_x - start_x) // 2
        path = (
            f"M {start_x} {source_mid} C {start_x + bend} {source_mid}, "
            f"{end_x - bend} {target_mid}, {end_x} {target_mid}"
        )
        label_x, anchor = (start_x + end_x) // 2, "middle"
    spec = profile.links.get(edge.type)
    label = spec.title if spec is not None and spec.title else edge.type.replace("_", " ")
    label_y = (source_mid + target_mid) // 2 - 5
    return Edge(edge.type, label, path, label_x, label_y, anchor, edge.suspect)


def _column_label(depth: int) -> str:
    if depth == 0:
        return "Start"
    return f"{depth} step" + ("" if depth == 1 else "s")


def _kind_title(kind: str, profile: Profile) -> str:
    spec = profile.kinds.get(kind)
    title = spec.title if spec is not None else kind.replace("_", " ")
    return title.split(" (")[0]
