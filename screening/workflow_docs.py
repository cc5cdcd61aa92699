"""The screening workflow's documentation, written from its one table.

``docs/screening-workflow.md`` carries the transition table as Markdown and
embeds ``docs/images/screening-workflow.svg``; both are derived here from
``screening.services.workflow.TRANSITIONS``, so they show what the services
enforce. ``python manage.py workflow_docs`` writes them; a test fails when the
committed files differ from what this module derives.

The diagram is laid out in layers, left to right, the way a screening moves:
open statuses, the decision awaiting its signature, the signed outcomes (drawn
in one box, since they share their ways back), enrolment. Arrows that go back
run below the statuses, in lanes; an action that keeps the status is a loop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import translation

from config.generated_docs import ROOT, GeneratedFile
from screening.models import ScreeningStatus
from screening.services.workflow import (
    SIGNED,
    TRANSITIONS,
    UNSIGNED_OPEN,
    Action,
    Role,
    Transition,
)

S = ScreeningStatus
PAGE = ROOT / "docs" / "screening-workflow.md"
IMAGE = ROOT / "docs" / "images" / "screening-workflow.svg"
SECTION = "transitions"
COMMAND = "python manage.py workflow_docs"

# Where each status stands: (layer, row). A status added to ScreeningStatus
# needs a place here; the diagram refuses to guess one.
PLACES: dict[str, tuple[int, int]] = {
    S.IN_PROGRESS: (0, 0),
    S.NEEDS_REVIEW: (0, 2),
    S.AWAITING_SIGNATURE: (1, 1),
    S.ELIGIBLE: (2, 0),
    S.SCREEN_FAILURE: (2, 1),
    S.WITHDRAWN: (2, 2),
    S.ENROLLED: (3, 0),
}
# Statuses drawn in one box; arrows that leave all of them alike leave the box.
GROUP: tuple[str, ...] = tuple(SIGNED)
GROUP_CAPTION = "Signed: a signature stands"

NODE_W, NODE_H = 170, 44
GAP_X, PITCH_Y = 150, 110
MARGIN, TOP = 30, 80
GROUP_PAD, GROUP_CAPTION_H = 14, 20
LANE_GAP = 48
LINE_H = 14

STYLE = """
  .background { fill: #ffffff; }
  text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #111827; }
  .status { font-size: 14px; font-weight: 600; }
  .open rect { fill: #e0f2fe; stroke: #0369a1; }
  .signed rect { fill: #dcfce7; stroke: #15803d; }
  .final rect { fill: #ede9fe; stroke: #6d28d9; }
  .node rect { stroke-width: 1.5; }
  .group { fill: #f9fafb; stroke: #9ca3af; stroke-dasharray: 4 3; }
  .caption { font-size: 12px; fill: #374151; }
  .edge { fill: none; stroke: #374151; stroke-width: 1.5; }
  .voids { stroke: #b45309; stroke-dasharray: 6 4; }
  .label { font-size: 12px; }
  .patch { fill: #ffffff; fill-opacity: 0.92; }
  .note { font-size: 11px; font-style: italic; fill: #92400e; }
  .legend { font-size: 12px; }
"""


def _label(value: object) -> str:
    return str(value)


def _status(status: str) -> str:
    return _label(S(status).label)


def _verb(action: str) -> str:
    """ "Propose a decision" → "propose a decision", as it reads on an arrow."""
    text = _label(Action(action).label)
    return text[:1].lower() + text[1:]


def _who(roles: Iterable[str]) -> str:
    names = [_label(role.label) for role in Role if role in roles]
    return " or ".join(names)


def _ordered(rows: Iterable[Transition]) -> list[Transition]:
    """By action, then by the status it starts from, both in their declared order."""
    actions = list(Action)
    statuses = list(S)
    return sorted(
        rows,
        key=lambda r: (actions.index(r.action), statuses.index(r.source), statuses.index(r.target)),
    )


# --- The Markdown table ---------------------------------------------------------


def transition_table(rows: Sequence[Transition] = TRANSITIONS) -> str:
    """The table as Markdown: action, from, to, who, audit action, voids the signature."""
    with translation.override("en"):
        lines = [
            "| Action | From | To | Who (at the candidate's site) | Audit action "
            "| Voids the signature first? |",
            "|---|---|---|---|---|---|",
        ]
        for row in _ordered(rows):
            target = "(stays)" if row.target == row.source else _status(row.target)
            audit = f"`{row.audit_action}`" if row.audit_action else "none: each value's own event"
            lines.append(
                f"| {_label(Action(row.action).label)} (`{row.action}`) "
                f"| {_status(row.source)} | {target} | {_who(row.roles)} | {audit} "
                f"| {'yes' if row.voids_signature else 'no'} |"
            )
    return "\n".join(lines)


# --- The diagram ------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle on the drawing: a status, or the box around the signed ones."""

    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


def _node(status: str) -> Box:
    if status not in PLACES:
        raise ValueError(
            f"The workflow diagram has no place for the status {str(status)!r}: "
            f"add it to PLACES in {__name__}."
        )
    layer, row = PLACES[status]
    return Box(MARGIN + layer * (NODE_W + GAP_X), TOP + row * PITCH_Y, NODE_W, NODE_H)


def _group_box() -> Box:
    boxes = [_node(status) for status in GROUP]
    left = min(b.x for b in boxes) - GROUP_PAD
    top = min(b.y for b in boxes) - GROUP_PAD - GROUP_CAPTION_H
    right = max(b.right for b in boxes) + GROUP_PAD
    bottom = max(b.bottom for b in boxes) + GROUP_PAD
    return Box(left, top, right - left, bottom - top)


def _text(x: int, y: int, content: str, css: str, anchor: str = "middle") -> str:
    return f'<text x="{x}" y="{y}" class="{css}" text-anchor="{anchor}">{escape(content)}</text>'


def _label_text(x: int, y: int, content: str, css: str = "label") -> str:
    """A label on a line: the words over a white patch, so the line does not run
    through them. The patch's width is estimated (about 6.4 px a character at 12 px)."""
    width = round(len(content) * 6.4) + 10
    patch = (
        f'<rect class="patch" x="{x - width // 2}" y="{y - 12}" width="{width}" height="16" '
        f'rx="3"/>'
    )
    return patch + _text(x, y, content, css)


def _title(row_text: str) -> str:
    return f"<title>{escape(row_text)}</title>"


def _edge_class(voids: bool) -> str:
    return "edge voids" if voids else "edge"


def _marker(voids: bool) -> str:
    return "url(#arrow-voids)" if voids else "url(#arrow)"


def _described(row: Transition, sources: Sequence[str] | None = None) -> str:
    """One arrow in words, for its tooltip and for screen readers."""
    froms = " or ".join(_status(s) for s in (sources or [row.source]))
    target = "the status stays" if row.target == row.source else f"to {_status(row.target)}"
    parts = [f"{_label(Action(row.action).label)}: from {froms}, {target}; by {_who(row.roles)}"]
    if row.voids_signature:
        parts.append("voids the signature first")
    if row.audit_action:
        parts.append(f"audited as {row.audit_action}")
    return "; ".join(parts) + "."


def _node_class(status: str) -> str:
    if status in UNSIGNED_OPEN:
        return "node open"
    if status in GROUP:
        return "node signed"
    return "node final"


def _draw_nodes() -> list[str]:
    out = []
    group = _group_box()
    out.append(
        f'<rect class="group" x="{group.x}" y="{group.y}" width="{group.w}" '
        f'height="{group.h}" rx="10"/>'
    )
    out.append(_text(group.x + 10, group.y + 15, GROUP_CAPTION, "caption", anchor="start"))
    for status in S:
        box = _node(status)
        out.append(
            f'<g class="{_node_class(status)}" id="status-{status.value}">'
            f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="8"/>'
            f"{_text(box.cx, box.cy + 5, _status(status), 'status')}</g>"
        )
    return out


def _draw_forward(row: Transition) -> str:
    source, target = _node(row.source), _node(row.target)
    x1, y1, x2, y2 = source.right, source.cy, target.x, target.cy
    mx, my = (x1 + x2) // 2, (y1 + y2) // 2
    lines = [_verb(row.action), *(["voids the signature first"] if row.voids_signature else [])]
    texts = "".join(
        _label_text(mx, my + 4 + i * LINE_H, line, "label" if i == 0 else "label note")
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="transition">{_title(_described(row))}'
        f'<path class="{_edge_class(row.voids_signature)}" d="M{x1},{y1} L{x2},{y2}" '
        f'marker-end="{_marker(row.voids_signature)}"/>{texts}</g>'
    )


def _draw_loops(status: str, rows: Sequence[Transition]) -> str:
    """Actions that keep the status: one loop over the status, one line per action."""
    box = _node(status)
    left, right, top = box.cx - 18, box.cx + 18, box.y
    voids = any(r.voids_signature for r in rows)
    path = f"M{left},{top} C{box.cx - 34},{top - 36} {box.cx + 34},{top - 36} {right},{top}"
    labels = [_verb(r.action) for r in rows]
    texts = "".join(
        _label_text(box.cx, top - 34 - (len(labels) - 1 - i) * LINE_H, label)
        for i, label in enumerate(labels)
    )
    titles = " ".join(_described(r) for r in rows)
    return (
        f'<g class="transition">{_title(titles)}'
        f'<path class="{_edge_class(voids)}" d="{path}" marker-end="{_marker(voids)}"/>'
        f"{texts}</g>"
    )


def _back_groups(rows: Iterable[Transition]) -> list[tuple[Transition, list[str]]]:
    """Arrows going back, one per action and target, with every status they leave."""
    grouped: dict[tuple[str, str, bool], list[Transition]] = defaultdict(list)
    for row in rows:
        grouped[(row.action, row.target, row.voids_signature)].append(row)
    out: list[tuple[Transition, list[str]]] = []
    for members in grouped.values():
        sources: list[str] = [m.source for m in members]
        out.append((members[0], sources))
    # The nearest target takes the inner lane, so lanes never cross each other.
    out.sort(key=lambda item: -_node(item[0].target).x)
    return out


def _source_box(sources: Sequence[str]) -> Box:
    if len(sources) > 1 and set(sources) == set(GROUP):
        return _group_box()
    return _node(sources[0])


def _draw_back(
    groups: Sequence[tuple[Transition, list[str]]], lanes_top: int
) -> tuple[list[str], int]:
    """Back arrows: down from the status (or the box) they leave, along a lane, up into
    the target. Returns the drawing and the bottom of the last lane."""
    out = []
    lane_y = lanes_top
    for index, (row, sources) in enumerate(groups):
        lane_y = lanes_top + index * LANE_GAP
        target = _node(row.target)
        exits: list[tuple[int, int]] = []
        if len(sources) > 1 and set(sources) != set(GROUP):
            exits = [(_node(s).cx, _node(s).bottom) for s in sources]
        else:
            box = _source_box(sources)
            # Inner lanes leave further left, so a lane's descent never crosses another.
            exits = [(box.x + box.w * (index + 1) // (len(groups) + 1), box.bottom)]
        voids = row.voids_signature
        paths = [f"M{x},{y} L{x},{lane_y} L{target.cx},{lane_y}" for x, y in exits]
        paths[-1] += f" L{target.cx},{target.bottom}"
        far = max(x for x, _ in exits)
        mid = (far + target.cx) // 2
        texts = _label_text(mid, lane_y - 6, _verb(row.action))
        if voids:
            texts += _label_text(mid, lane_y + 15, "voids the signature first", "label note")
        drawn = "".join(
            f'<path class="{_edge_class(voids)}" d="{d}"'
            + (f' marker-end="{_marker(voids)}"' if i == len(paths) - 1 else "")
            + "/>"
            for i, d in enumerate(paths)
        )
        out.append(f'<g class="transition">{_title(_described(row, sources))}{drawn}{texts}</g>')
    return out, lane_y


def _draw_legend(top: int) -> tuple[list[str], int]:
    x = MARGIN
    items = [
        ("edge", "changes the status (the label is the action)"),
        ("edge voids", "voids the signature first, in its own audit event"),
    ]
    out = []
    for i, (css, words) in enumerate(items):
        y = top + i * 20
        out.append(
            f'<path class="{css}" d="M{x},{y} L{x + 40},{y}" '
            f'marker-end="{_marker("voids" in css)}"/>'
        )
        out.append(_text(x + 52, y + 4, words, "legend", anchor="start"))
    y = top + len(items) * 20
    out.append(
        _text(
            x,
            y + 4,
            "A loop over a status: the action keeps the status "
            "(a rescreening starts a new attempt; the failed one stays a screen failure).",
            "legend",
            anchor="start",
        )
    )
    return out, y + 4


def _description(rows: Sequence[Transition]) -> str:
    by_source: dict[str, list[Transition]] = defaultdict(list)
    for row in _ordered(rows):
        by_source[row.source].append(row)
    parts = ["A screening's statuses and the actions that move it between them."]
    for status in S:
        moves = []
        for row in by_source.get(status, []):
            where = "the status stays" if row.target == row.source else f"to {_status(row.target)}"
            voids = ", voiding the signature first" if row.voids_signature else ""
            moves.append(f"{_verb(row.action)} ({_who(row.roles)}): {where}{voids}")
        told = "; ".join(moves) if moves else "final: nothing more can be done"
        parts.append(f"{_status(status)}: {told}.")
    return " ".join(parts)


def workflow_svg(rows: Sequence[Transition] = TRANSITIONS) -> str:
    """The states and transitions as a standalone, accessible SVG document."""
    with translation.override("en"):
        forward = [r for r in rows if _node(r.target).x > _node(r.source).x]
        loops: dict[str, list[Transition]] = defaultdict(list)
        for row in _ordered(rows):
            if row.target == row.source:
                loops[row.source].append(row)
        back = [r for r in rows if r not in forward and r.target != r.source]
        body = _draw_nodes()
        body += [_draw_forward(r) for r in _ordered(forward)]
        body += [_draw_loops(status, loops[status]) for status in S if status in loops]
        bottom = max(_node(s).bottom for s in S)
        if any(r.source in GROUP for r in back):
            bottom = max(bottom, _group_box().bottom)
        drawn, last_lane = _draw_back(_back_groups(_ordered(back)), bottom + LANE_GAP)
        body += drawn
        legend, legend_bottom = _draw_legend(last_lane + LANE_GAP)
        body += legend
        width = MARGIN * 2 + max(layer for layer, _ in PLACES.values()) * (NODE_W + GAP_X) + NODE_W
        height = legend_bottom + MARGIN
        title = "The screening workflow: statuses and transitions"
        description = _description(rows)
    marker = (
        '<marker id="{id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="{fill}"/></marker>'
    )
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="title desc">',
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{escape(description)}</desc>',
        f"<style>{STYLE}</style>",
        "<defs>",
        marker.format(id="arrow", fill="#374151"),
        marker.format(id="arrow-voids", fill="#b45309"),
        "</defs>",
        f'<rect class="background" x="0" y="0" width="{width}" height="{height}"/>',
        *body,
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def generated_files() -> list[GeneratedFile]:
    """The table's section of the page, and the diagram."""
    return [
        GeneratedFile(PAGE, sections=((SECTION, transition_table()),)),
        GeneratedFile(IMAGE, content=workflow_svg()),
    ]
