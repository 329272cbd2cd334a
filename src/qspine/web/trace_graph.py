"""The trace page's picture: a traced graph laid out in columns by distance (no JS).

The record the trace starts from sits in the leftmost column; each step away (downstream or
upstream) is one column further right. Within a column, records sit near the records they link
to in the column before (the mean of their positions), so links cross as little as they can.
Arrows point as links are stored (source depends on target); suspect links are drawn dashed and
red, and say so in text as well as colour. A crowded picture (more than MAX_LABELLED links)
names the link types once per step instead of on every link. Same visual language as the record
page's neighbourhood (`graph.py`, `_graph.html`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qspine.model.profile import Profile
from qspine.model.records import key_order
from qspine.model.trace import TraceEdge, TraceNode, TraceResult
from qspine.web.graph import NODE_HEIGHT, NODE_WIDTH, PAD, ROW, TOP, Edge, Node

MAX_NODES = 200
MAX_LABELLED = 24  # beyond this many links, per-link labels would pile up on each other
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
    steps: list[tuple[str, str]] = field(default_factory=list)  # ("1 step", "derives from")

    @property
    def capped(self) -> bool:
        return self.drawn < self.total

    @property
    def fits(self) -> bool:
        return self.width <= FIT_WIDTH


def trace_picture(result: TraceResult, profile: Profile, limit: int = MAX_NODES) -> TracePicture:
    """Lay out `result` in columns by depth; at most `limit` records are drawn."""
    shown = result.nodes[:limit]
    levels = _ordered_levels(shown, result.edges)
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
    drawn_edges = [e for e in result.edges if e.source in place and e.target in place]
    labelled = len(drawn_edges) <= MAX_LABELLED
    edges = [
        _edge(edge, place[edge.source], place[edge.target], profile, labelled)
        for edge in drawn_edges
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
        steps=[] if labelled else _steps(drawn_edges, shown, profile),
    )


def _ordered_levels(nodes: list[TraceNode], edges: list[TraceEdge]) -> dict[int, list[TraceNode]]:
    """Records by depth; each column ordered by the mean position of its neighbours in the
    column before (ties and the first column by key, REQ-2 before REQ-10)."""
    levels: dict[int, list[TraceNode]] = {}
    for node in nodes:
        levels.setdefault(node.depth, []).append(node)
    depth_of = {node.key: node.depth for node in nodes}
    neighbours: dict[str, list[str]] = {}
    for edge in edges:
        for one, other in ((edge.source, edge.target), (edge.target, edge.source)):
            if one in depth_of and depth_of.get(other) == depth_of[one] - 1:
                neighbours.setdefault(one, []).append(other)
    position: dict[str, float] = {}
    for depth in sorted(levels):

        def rank(node: TraceNode) -> tuple[float, str, int]:
            near = [position[key] for key in neighbours.get(node.key, []) if key in position]
            return (sum(near) / len(near) if near else 0.0, *key_order(node.key))

        levels[depth].sort(key=rank)
        position.update({node.key: index for index, node in enumerate(levels[depth])})
    return levels


def _steps(
    edges: list[TraceEdge], nodes: list[TraceNode], profile: Profile
) -> list[tuple[str, str]]:
    """For an unlabelled picture: the link types that lead to each column."""
    depth_of = {node.key: node.depth for node in nodes}
    types: dict[int, list[str]] = {}
    for edge in edges:
        depth = max(depth_of[edge.source], depth_of[edge.target])
        name = _link_title(edge.type, profile)
        if name not in types.setdefault(depth, []):
            types[depth].append(name)
    return [(_column_label(depth), ", ".join(types[depth])) for depth in sorted(types)]


def _edge(
    edge: TraceEdge, source: Node, target: Node, profile: Profile, labelled: bool = True
) -> Edge:
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
    title = _link_title(edge.type, profile)
    label = title if labelled else ""
    label_y = (source_mid + target_mid) // 2 - 5
    hover = f"{edge.source} {title} {edge.target}" + (" (suspect)" if edge.suspect else "")
    return Edge(edge.type, label, path, label_x, label_y, anchor, edge.suspect, hover)


def _link_title(link_type: str, profile: Profile) -> str:
    spec = profile.links.get(link_type)
    return spec.title if spec is not None and spec.title else link_type.replace("_", " ")


def _column_label(depth: int) -> str:
    if depth == 0:
        return "Start"
    return f"{depth} step" + ("" if depth == 1 else "s")


def _kind_title(kind: str, profile: Profile) -> str:
    spec = profile.kinds.get(kind)
    title = spec.title if spec is not None else kind.replace("_", " ")
    return title.split(" (")[0]
