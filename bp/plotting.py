"""Plotting helpers for the book's figures (needs matplotlib; ``import bp`` does not load it).

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness; line styles and markers vary as well, so no
figure relies on colour alone.

Figures are drawn for every screen the book is read on:

* **sharp on 2x screens**: a figure is rendered at ``SCREEN_SCALE`` device
  pixels per CSS pixel and shown at half its pixel width (:func:`figure_png`,
  and :func:`show_figures_for_screens` for the figures a notebook shows);
* **readable on a phone**: :func:`use_book_style` makes no text smaller than
  ``MIN_FONT_PT`` and figures at most ``MAX_WIDTH_IN`` wide, so that a figure
  shrunk to a phone's column (about 340 CSS px) still shows its smallest text
  at 9 CSS px or more. Each PNG records its resolution and its smallest font
  size (text chunks ``bp-dpi`` and ``bp-font-pt``), which the browser test
  reads to check exactly that.
"""

import base64
import io

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image, PngImagePlugin

#: Okabe and Ito's colour-blind-safe palette, in the order the book uses it.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLOURS = list(PALETTE.values())
LINESTYLES = ["-", "--", "-.", ":"]

#: Device pixels per CSS pixel that figures are rendered for (2x screens).
SCREEN_SCALE = 2
#: CSS pixels per inch at which a figure is shown when the column is wide
#: enough: a 5-inch figure is 500 CSS px wide on a desktop.
CSS_DPI = 100
#: The smallest font size, in points, that any text in a book figure may use.
MIN_FONT_PT = 10.0
#: The widest a figure may be, in inches. A phone column of about 340 CSS px
#: shows a figure this wide with its MIN_FONT_PT text at
#: 10 / 72 * 340 / 5.2 = 9.1 CSS px, just above the 9 px floor.
MAX_WIDTH_IN = 5.2
#: Name of the PNG text chunk that records the pixels per inch a figure was rendered at.
PNG_DPI_KEY = "bp-dpi"
#: Name of the PNG text chunk that records the smallest font size (points) in the figure.
PNG_FONT_KEY = "bp-font-pt"


def use_book_style() -> None:
    """Set matplotlib defaults for the book: palette, sizes, light grid, no top/right spines.

    Every font size is at least ``MIN_FONT_PT`` and the default figure is
    ``MAX_WIDTH_IN`` wide; draw side-by-side panels one above the other
    instead of making a figure wider.
    """
    plt.rcParams.update({
        "axes.prop_cycle": plt.cycler(color=COLOURS[:7]),
        "figure.figsize": (MAX_WIDTH_IN, 3.4),
        "figure.dpi": CSS_DPI,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": MIN_FONT_PT,
        "axes.titlesize": MIN_FONT_PT + 1,
        "axes.labelsize": MIN_FONT_PT,
        "xtick.labelsize": MIN_FONT_PT,
        "ytick.labelsize": MIN_FONT_PT,
        "legend.fontsize": MIN_FONT_PT,
        "legend.title_fontsize": MIN_FONT_PT,
        "figure.titlesize": MIN_FONT_PT + 1,
        "legend.frameon": False,
    })
    show_figures_for_screens()


def smallest_font_pt(fig: Figure, *, draw: bool = True) -> float:
    """The smallest font size, in points, of any visible non-empty text in ``fig``.

    Draws the figure first (unless ``draw=False``: it has just been drawn or
    saved), so that tick labels exist. Returns ``inf`` for a figure with no text.
    """
    if draw:
        fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and _is_shown(t)]
    return min(sizes, default=float("inf"))


def _is_shown(text: Text) -> bool:
    """False for tick labels of ticks outside the axes' view (matplotlib keeps them, hidden by clipping)."""
    axes = text.axes
    if axes is None or not text.get_clip_on():
        return True
    box = text.get_window_extent()
    return box.overlaps(axes.bbox) or box.width == 0


def figure_png(fig: Figure, *, text: dict | None = None, dpi: float = CSS_DPI * SCREEN_SCALE,
               bbox_inches: str | None = "tight") -> bytes:
    """Render ``fig`` to a compact PNG for 2x screens, recording its dpi and smallest font.

    Parameters
    ----------
    fig : Figure
        The figure to render (it is not closed).
    text : dict, optional
        More PNG text chunks ``{key: value}`` to store.
    dpi : float, default ``CSS_DPI * SCREEN_SCALE``
        Pixels per inch; show the image at ``dpi / SCREEN_SCALE`` CSS px per inch.
    bbox_inches : "tight" or None
        As in ``Figure.savefig``: "tight" crops the empty margin.

    Returns
    -------
    bytes
        PNG data, reduced to a 256-colour palette (plots need no more), with
        text chunks ``bp-dpi`` and ``bp-font-pt`` and those of ``text``.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    raw = io.BytesIO()
    # pad_inches="layout": a tight crop keeps the layout engine's own margin
    # (constrained layout leaves 0.04 in) instead of adding 0.1 in around it,
    # so a figure laid out at MAX_WIDTH_IN stays within it.
    fig.savefig(raw, format="png", dpi=dpi, bbox_inches=bbox_inches, pad_inches="layout",
                pil_kwargs={"compress_level": 0})   # decoded at once: no time spent compressing
    smallest = smallest_font_pt(fig, draw=False)   # saving drew it: the tick labels are set
    image = Image.open(raw).convert("RGB").quantize(256, dither=Image.Dither.NONE)
    info = PngImagePlugin.PngInfo()
    info.add_text(PNG_DPI_KEY, format(dpi, "g"))
    info.add_text(PNG_FONT_KEY, format(smallest, "g"))
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6, pnginfo=info)  # 9 is 6x slower for 5% less
    return out.getvalue()


def css_width(png: bytes) -> int:
    """The width, in CSS pixels, at which to show a PNG made by :func:`figure_png`."""
    return round(Image.open(io.BytesIO(png)).width / SCREEN_SCALE)


def _figure_for_screens(fig: Figure):
    """IPython's image/png formatter for figures: the PNG and the width to show it at."""
    png = figure_png(fig)
    return base64.b64encode(png).decode("ascii"), {"width": css_width(png)}


def show_figures_for_screens() -> None:
    """Make the figures a notebook shows sharp on 2x screens (a no-op outside IPython).

    Registers :func:`figure_png` as IPython's PNG formatter for matplotlib
    figures, with the output's ``width`` metadata set to half the pixel
    width, which JupyterLab and the book's HTML both honour. Call it after
    ``import matplotlib.pyplot``, as :func:`use_book_style` does.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    # Load the backend now: the inline backend registers its own formatter when
    # it is first loaded, which pyplot otherwise does lazily, at the first figure.
    plt.switch_backend(plt.get_backend())
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, _figure_for_screens)
    for mime in ("image/svg+xml", "image/jpeg", "application/pdf"):  # one image per figure
        formatters[mime].pop(Figure, None)


def plot_loss_curves(ax, curves: dict, *, x_label: str = "epoch", log_y: bool = True):
    """Draw several loss curves, one line style each.

    Parameters
    ----------
    ax : matplotlib Axes
    curves : dict
        ``{label: sequence of losses}`` or ``{label: (x values, losses)}``.
    x_label : str
    log_y : bool
        Use a logarithmic loss axis (losses often span decades).
    """
    for i, (label, curve) in enumerate(curves.items()):
        x, y = curve if isinstance(curve, tuple) else (np.arange(1, len(curve) + 1), curve)
        ax.plot(x, y, label=label, color=COLOURS[i % len(COLOURS)], linestyle=LINESTYLES[i % len(LINESTYLES)])
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(x_label)
    ax.set_ylabel("loss")
    ax.legend()
    return ax


def plot_contours(ax, f, xlim, ylim, *, levels: int = 20, resolution: int = 150, log_levels: bool = False):
    """Contour lines of a function of two parameters, ``f(p1, p2)`` evaluated on a grid.

    ``f`` is called with two arrays of the same shape (it should be vectorised,
    e.g. a cost written with numpy) and returns an array of that shape.
    """
    p1, p2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    values = f(p1, p2)
    if log_levels:
        levels = np.geomspace(values.min() + 1e-12, values.max(), levels)
    contour = ax.contour(p1, p2, values, levels=levels, cmap="viridis", linewidths=0.8)
    return contour


def draw_matrix(ax, matrix, *, title: str = "", row_label: str = "example", decimals: int = 2):
    """Draw a small matrix as a grid of cells with its numbers written in, rows as numpy prints them.

    Cells are shaded by value on a diverging scale centred at 0 (orange
    positive, purple negative, white 0) and every number is written in the
    cell, so nothing is carried by colour alone.

    Parameters
    ----------
    ax : matplotlib Axes
    matrix : array_like, shape (R, C)
        A 1-D array is drawn as one row.
    title : str
        Drawn above the grid, with the matrix's shape appended.
    row_label : str
        What a row is (rows are examples for activations and error signals);
        ``""`` for no row labels.
    decimals : int
        Digits after the point; trailing zeros are dropped (``1.50`` shows as ``1.5``).
    """
    values = np.atleast_2d(np.asarray(matrix, dtype=float))
    rows, columns = values.shape
    scale = max(float(np.abs(values).max()), 1e-12)
    ax.imshow(values, cmap="PuOr_r", vmin=-scale * 1.6, vmax=scale * 1.6, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
        ax.text(j, i, "0" if text in ("-0", "") else text, ha="center", va="center", fontsize=MIN_FONT_PT + 1)
    ax.set_xticks(range(columns), [str(j + 1) for j in range(columns)] if columns > 1 else [""])
    ax.set_yticks(range(rows), [f"{row_label} {i + 1}" for i in range(rows)] if row_label else [""] * rows)
    ax.tick_params(length=0)
    ax.set_xticks(np.arange(-0.5, columns), minor=True)
    ax.set_yticks(np.arange(-0.5, rows), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(f"{title}  {rows}x{columns}" if title else f"{rows}x{columns}", fontsize=MIN_FONT_PT + 1)
    return ax


def draw_graph(ax, graph, *, highlight=None, show_grad: bool = True, edge_labels=None,
               fmt: str = "{:.3g}", fontsize: float = MIN_FONT_PT, direction: str = "right",
               box_size: tuple | None = None):
    """Draw a ``bp.scalar`` computational graph as boxes and arrows (matplotlib only).

    The layout is layered by depth from the output: a node's depth is the
    length of the *longest* path from it to the output, so the output sits in
    the last layer, every arrow points one way (towards the output), and every
    node comes before all the nodes that use it. With ``direction="right"``
    the layers are columns, inputs on the left and the output on the right;
    with ``direction="down"`` they are rows, inputs at the top and the output
    at the bottom, which fits a long chain into a narrow figure (a phone's
    column). Inside a layer, nodes are ordered by the mean position of the
    nodes they feed, which keeps most arrows from crossing. An arrow that
    skips a layer is drawn as a curve, and an operand used twice by one
    operation (``a * a``) gets two arrows.

    Edge labels are placed when the figure is drawn, once the axes have their
    final size in pixels: each beside its own arrow, offset perpendicular to
    it near its midpoint, on a spot whose extent clears every box, every
    arrowhead, every label placed before it and the edges of the axes; of the
    spots that do, one that crosses the fewest arrow lines and lies nearest
    the arrow's midpoint wins. Where no spot beside the arrow is clear, the
    label sits on its own arrow, its white background breaking the line; where
    not even that is clear, the figure is too small for its boxes (make it
    larger, or ``box_size`` smaller).

    Parameters
    ----------
    ax : matplotlib Axes
        Where to draw; its axis is switched off and its limits are set.
    graph : bp.scalar.Graph
        What ``Value.graph()`` returns: ``nodes`` (id, label, op, data, grad)
        in topological order, the output last, and ``edges`` (parent_id,
        child_id).
    highlight : int, tuple, GraphEdge or list of these, optional
        What to emphasise (for a step-by-step explorer): an ``int`` is a node
        id, a ``(parent_id, child_id)`` pair or a ``GraphEdge`` is an edge
        (every copy of it, if the edge is doubled); give several in a list.
        Highlighted items are drawn in vermillion with thicker lines.
    show_grad : bool, default True
        Print each node's ``grad`` under its ``data``.
    edge_labels : dict, optional
        ``{(parent_id, child_id): text}`` written beside those edges (every
        copy of a doubled edge gets one), e.g. the local derivative
        d(child)/d(parent).
    fmt : str, default "{:.3g}"
        Format of the numbers in the boxes.
    fontsize : float, default ``MIN_FONT_PT``
        Size of the text in the boxes and of the edge labels, in points.
    direction : {"right", "down"}, default "right"
        Where the arrows point: the layers are columns or rows.
    box_size : (float, float), optional
        Width and height of a box, in units of the spacing between layers and
        between the nodes of a layer (both 1 in data coordinates); default
        (0.8, 0.72) for ``"right"`` and (0.62, 0.62) for ``"down"``.

    Returns
    -------
    dict
        ``"nodes"``: node id -> its box (a ``FancyBboxPatch``);
        ``"edges"``: the arrows (``FancyArrowPatch``), one per entry of
        ``graph.edges``, in the same order; ``"labels"``: index into
        ``graph.edges`` -> its label (a ``Text``), for the labelled edges;
        ``"positions"``: node id -> (x, y) centre of its box, in data
        coordinates.

    Raises
    ------
    ValueError
        If ``graph`` has no nodes, ``direction`` is neither "right" nor
        "down", or ``highlight`` names a node id or an edge that is not in the
        graph.
    """
    from matplotlib.colors import to_rgba
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path

    if direction not in ("right", "down"):
        raise ValueError(f"direction must be 'right' or 'down', got {direction!r}")
    nodes, edges = list(graph.nodes), list(graph.edges)
    if not nodes:
        raise ValueError("draw_graph needs a graph with at least one node, got none")
    ids = [n.id for n in nodes]
    pairs = [(e.parent_id, e.child_id) for e in edges]

    # ---- what to highlight: node ids and (parent_id, child_id) pairs ----
    items = [] if highlight is None else highlight
    if isinstance(items, (int, tuple)) or hasattr(items, "parent_id"):
        items = [items]
    hi_nodes, hi_edges = set(), set()
    for item in items:
        if hasattr(item, "parent_id"):
            item = (item.parent_id, item.child_id)
        if isinstance(item, tuple):
            if tuple(item) not in pairs:
                raise ValueError(f"highlight names edge {item!r}, which is not in the graph")
            hi_edges.add(tuple(item))
        elif item in ids:
            hi_nodes.add(item)
        else:
            raise ValueError(f"highlight names node id {item!r}; the graph has ids {ids[0]}..{ids[-1]}")

    # ---- layout: depth = longest path to the output (the last node) ----
    # Worked out in (layer, across) coordinates: layer 0 holds the inputs, the
    # last layer the output; `place` turns them into (x, y) for the direction.
    children = {i: [] for i in ids}
    parents = {i: [] for i in ids}
    for p, c in pairs:
        children[p].append(c)
        parents[c].append(p)
    depth = {i: 0 for i in ids}
    for node in reversed(nodes):                 # every child is done before its parents
        for p in parents[node.id]:
            depth[p] = max(depth[p], depth[node.id] + 1)
    n_layers = max(depth.values()) + 1
    across = {}
    for d in range(n_layers):                    # from the output backwards
        layer = [i for i in ids if depth[i] == d]
        def mean_use(i):
            used_by = [across[c] for c in children[i] if c in across]
            return sum(used_by) / len(used_by) if used_by else 0.0
        def first_use(i):                        # ties: the order in which the consumer takes its operands
            return min((k for k, (p, _) in enumerate(pairs) if p == i), default=len(pairs))
        layer.sort(key=lambda i: (-mean_use(i), first_use(i)))
        for k, i in enumerate(layer):
            across[i] = (len(layer) - 1) / 2 - k  # first of the layer: top ("right") or left ("down")

    def place(layer_pos, across_pos):            # (layer, across) -> (x, y) in data coordinates
        return (layer_pos, across_pos) if direction == "right" else (-across_pos, -layer_pos)

    position = {i: place(float(n_layers - 1 - depth[i]), across[i]) for i in ids}
    if box_size is None:
        box_size = (0.8, 0.72) if direction == "right" else (0.62, 0.62)
    width, box_height = box_size
    # a box's extent along the layers and across them
    along, wide = (width, box_height) if direction == "right" else (box_height, width)

    hi_colour, colour = PALETTE["vermillion"], PALETTE["black"]
    leaf_face, hi_face = to_rgba(PALETTE["sky"], 0.25), to_rgba(PALETTE["orange"], 0.3)

    # ---- boxes with label, op, data and grad ----
    boxes = {}
    for node in nodes:
        x0, y0 = position[node.id]
        if node.op:
            header = f"{node.label} ({node.op})" if node.label else f"({node.op})"
        else:
            header = node.label or "const"
        lines = [header, "data " + fmt.format(node.data)]
        if show_grad:
            lines.append("grad " + fmt.format(node.grad))
        lit = node.id in hi_nodes
        box = FancyBboxPatch((x0 - width / 2, y0 - box_height / 2), width, box_height,
                             boxstyle="round,pad=0,rounding_size=0.06",
                             facecolor=hi_face if lit else (leaf_face if not node.op else "white"),
                             edgecolor=hi_colour if lit else colour,
                             linewidth=2.5 if lit else 1.0, zorder=2)
        ax.add_patch(box)
        ax.text(x0, y0, "\n".join(lines), ha="center", va="center", fontsize=fontsize,
                linespacing=1.3, zorder=3)
        boxes[node.id] = box

    # ---- arrows: from the side of a parent that faces the output to the opposite side of its child ----
    def ports(side):                             # spread several arrows over one side of a box
        slots = {}
        for k, (p, c) in enumerate(pairs):
            slots.setdefault(c if side == "in" else p, []).append(k)
        offset = {}
        for i, ks in slots.items():
            other = (lambda k: across[pairs[k][0]]) if side == "in" else (lambda k: across[pairs[k][1]])
            ks = sorted(ks, key=lambda k: (-other(k), k))
            for rank, k in enumerate(ks):
                offset[k] = 0.0 if len(ks) == 1 else wide * 0.3 * (1 - 2 * rank / (len(ks) - 1))
        return offset

    in_offset, out_offset = ports("in"), ports("out")
    centre = sum(across.values()) / len(across)
    arrows, curves, labels, apexes = [], [], {}, []
    for k, (p, c) in enumerate(pairs):
        lp, lc = n_layers - 1 - depth[p], n_layers - 1 - depth[c]
        start = (lp + along / 2, across[p] + out_offset[k])
        end = (lc - along / 2, across[c] + in_offset[k])
        middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        skipped = depth[p] - depth[c] - 1        # layers the arrow has to pass
        bend = 0.0 if skipped == 0 else (0.45 + 0.1 * skipped) * (1 if middle[1] >= centre else -1)
        curve = [place(*start), place(middle[0], middle[1] + 2 * bend), place(*end)]
        apexes.append(middle[1] + bend + 0.15 * np.sign(bend))   # the curve's furthest point, and room
        lit = (p, c) in hi_edges
        arrow = FancyArrowPatch(path=Path(curve, [Path.MOVETO, Path.CURVE3, Path.CURVE3]),
                                arrowstyle="-|>", mutation_scale=10 if not lit else 14,
                                color=hi_colour if lit else colour, linewidth=2.5 if lit else 0.9,
                                zorder=1)
        ax.add_patch(arrow)
        arrows.append(arrow)
        curves.append(np.array(curve))
        if edge_labels and (p, c) in edge_labels:   # put at the midpoint for now; placed at draw time
            labels[k] = ax.text(*place(*middle), edge_labels[(p, c)], ha="center", va="center",
                                fontsize=fontsize, color=hi_colour if lit else colour, zorder=4,
                                bbox=dict(boxstyle="round,pad=0.1", facecolor="white",
                                          edgecolor="none", alpha=0.85))
    if labels:
        ax.add_artist(_EdgeLabelPlacer(labels, curves, list(boxes.values()), arrows,
                                       prefer=(0.0, 1.0) if direction == "right" else (1.0, 0.0)))

    layer_lim = (-along / 2 - 0.1, n_layers - 1 + along / 2 + 0.1)
    reach = [across[i] + s * wide / 2 for i in ids for s in (-1, 1)] + apexes  # boxes and curved arrows
    across_lim = (min(reach) - 0.1, max(reach) + 0.1)
    if direction == "right":
        ax.set_xlim(*layer_lim)
        ax.set_ylim(*across_lim)
    else:
        ax.set_xlim(-across_lim[1], -across_lim[0])
        ax.set_ylim(-layer_lim[1], -layer_lim[0])
    ax.set_axis_off()
    return {"nodes": boxes, "edges": arrows, "labels": labels, "positions": position}


class _EdgeLabelPlacer(Artist):
    """Part of :func:`draw_graph`: places the edge labels each time the axes are drawn.

    Where a label may go depends on the size of the axes in pixels, which
    constrained layout, a title set after ``draw_graph`` or the dpi of
    ``savefig`` can all change; so the placement runs at draw time, after the
    layout and just before the labels themselves are drawn (this artist's
    zorder is below theirs). It draws nothing itself.
    """

    #: Where along its arrow a label is tried (0 = tail, 1 = head), best first.
    SPOTS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74)
    #: Clearance, in points, between a label and a box, an arrowhead or another label.
    GAP_PT = 3.0

    def __init__(self, labels: dict, curves: list, boxes: list, arrows: list, *, prefer: tuple):
        super().__init__()
        self.labels, self.curves, self.boxes, self.arrows = labels, curves, boxes, arrows
        self.prefer = np.array(prefer)           # the side of an arrow a label prefers, all else equal
        self.set_zorder(3.5)
        self.set_in_layout(False)

    def draw(self, renderer):
        if self.get_visible() and self.axes is not None:
            self.place(renderer)
        self.stale = False

    def place(self, renderer):
        """Move every label to its best spot for the axes as they are now."""
        to_px = self.axes.transData
        gap = renderer.points_to_pixels(self.GAP_PT)
        curves = [to_px.transform(curve) for curve in self.curves]   # quadratic Bezier control points
        blocked = [box.get_window_extent(renderer).padded(gap).extents for box in self.boxes]
        for arrow, curve in zip(self.arrows, curves):              # each arrowhead ("-|>": a triangle
            size = renderer.points_to_pixels(arrow.get_mutation_scale())  # 0.4 long, 0.4 wide)
            back = curve[2] - _bezier(curve, np.array([[0.99]]))[0]
            back = back / max(np.hypot(*back), 1e-9) * 0.4 * size
            side = np.array([-back[1], back[0]]) / 2
            corners = np.array([curve[2], curve[2] - back + side, curve[2] - back - side])
            blocked.append(np.concatenate([corners.min(axis=0) - gap, corners.max(axis=0) + gap]))
        blocked = np.array(blocked)                                 # (obstacles, 4): x0, y0, x1, y1
        lines = np.stack([_bezier(curve, np.linspace(0.0, 1.0, 41)[:, None]) for curve in curves])
        frame = self.axes.bbox.extents
        # candidate spots: at each point along the arrow, beside it on either side, then a
        # little further out, or as a last resort on it (its white background then breaks
        # the arrow's line); all of one label's candidates are scored at once
        sides = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 0.0])
        further = np.array([0, 0, 1, 1, 2, 2, 0])
        spots = np.array(self.SPOTS)[:, None]
        for k, text in self.labels.items():
            extent = text.get_window_extent(renderer)
            half = np.array([extent.width, extent.height]) / 2
            shift = extent.extents[:2] + half - to_px.transform(text.get_position())
            points = _bezier(curves[k], spots)                                    # (spots, 2)
            tangents = _bezier(curves[k], np.minimum(spots + 0.01, 1.0)) - points
            normals = tangents[:, ::-1] * [-1.0, 1.0] / np.maximum(np.hypot(*tangents.T), 1e-9)[:, None]
            n = sides[None, :, None] * normals[:, None, :]                       # (spots, sides, 2)
            distance = np.abs(n) @ half + gap * (1 + 1.5 * further)
            centres = (points[:, None, :] + n * distance[..., None]).reshape(-1, 2)
            spans = np.hstack([centres - half, centres + half])                  # (candidates, 4)
            hits = ((spans[:, None, 0] <= blocked[None, :, 2]) & (blocked[None, :, 0] <= spans[:, None, 2])
                    & (spans[:, None, 1] <= blocked[None, :, 3])
                    & (blocked[None, :, 1] <= spans[:, None, 3])).sum(axis=1)
            hits += ~((frame[0] <= spans[:, 0]) & (spans[:, 2] <= frame[2])
                      & (frame[1] <= spans[:, 1]) & (spans[:, 3] <= frame[3]))
            near = spans + gap / 2 * np.array([-1, -1, 1, 1])
            x, y = lines[None, :, :, 0], lines[None, :, :, 1]                   # (1, arrows, points)
            crossed = ((x >= near[:, None, None, 0]) & (x <= near[:, None, None, 2])
                       & (y >= near[:, None, None, 1]) & (y <= near[:, None, None, 3])).any(axis=2)
            crossings = crossed.sum(axis=1) - 0.5 * crossed[:, k]               # its own arrow matters less
            detour = (np.abs(spots - 0.5) + 0.3 * further + 0.05 * (n @ self.prefer < -1e-9)).ravel()
            best = np.lexsort((detour, crossings, hits))[0]   # fewest hits, then crossings, then detour
            new = tuple(to_px.inverted().transform(centres[best] - shift))
            if not np.allclose(new, text.get_position()):
                text.set_position(new)
            placed = spans[best] + gap * np.array([-1, -1, 1, 1])              # the next labels keep clear
            blocked = np.vstack([blocked, placed])


def _bezier(curve, t):
    """Points (m, 2) at parameters ``t`` (m, 1) of the quadratic Bezier curve with control points ``curve`` (3, 2)."""
    return (1 - t) ** 2 * curve[0] + 2 * (1 - t) * t * curve[1] + t ** 2 * curve[2]
