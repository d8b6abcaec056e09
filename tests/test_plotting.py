"""Tests of bp.plotting.draw_graph: it draws a bp.scalar graph as boxes and arrows."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from bp.plotting import MIN_FONT_PT, draw_graph  # noqa: E402
from bp.scalar import Value  # noqa: E402


def small_graph():
    """f = a * a + a * b: 5 nodes, and 6 edges because a * a gives two identical edges."""
    a, b = Value(2.0, label="a"), Value(-1.0, label="b")
    f = a * a + a * b
    f.label = "f"
    f.backward()
    return f.graph()


@pytest.fixture
def ax():
    fig, ax = plt.subplots(figsize=(6, 3))
    yield ax
    plt.close(fig)


def arrows_in(ax):
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


def test_draws_one_box_per_node_and_one_arrow_per_edge_including_doubled_edges(ax):
    graph = small_graph()
    assert len(graph.nodes) == 5 and len(graph.edges) == 6
    drawn = draw_graph(ax, graph)
    ax.figure.canvas.draw()                                    # renders without error
    assert len(arrows_in(ax)) == len(graph.edges) == len(drawn["edges"])
    assert len([p for p in ax.patches if isinstance(p, FancyBboxPatch)]) == len(graph.nodes)


def test_every_arrow_points_from_a_column_left_of_its_consumer(ax):
    graph = small_graph()
    position = draw_graph(ax, graph)["positions"]
    for e in graph.edges:
        assert position[e.parent_id][0] < position[e.child_id][0], e
    output = graph.nodes[-1].id
    assert position[output][0] == max(x for x, _ in position.values())   # output in the last column


def test_highlighted_edge_and_node_differ_in_colour_from_the_rest(ax):
    graph = small_graph()
    edge = graph.edges[0]
    node = graph.nodes[0].id
    drawn = draw_graph(ax, graph, highlight=[(edge.parent_id, edge.child_id), node])
    lit = [k for k, e in enumerate(graph.edges) if (e.parent_id, e.child_id) == (edge.parent_id, edge.child_id)]
    colours = [to_rgba(a.get_edgecolor()) for a in drawn["edges"]]
    assert all(colours[k] == colours[lit[0]] for k in lit)
    assert all(colours[k] != colours[lit[0]] for k in range(len(colours)) if k not in lit)
    boxes = drawn["nodes"]
    others = [to_rgba(box.get_edgecolor()) for i, box in boxes.items() if i != node]
    assert to_rgba(boxes[node].get_edgecolor()) not in others


def test_without_highlight_all_arrows_share_one_colour(ax):
    # negative control for the test above: the colour difference comes from `highlight`
    drawn = draw_graph(ax, small_graph())
    assert len({to_rgba(a.get_edgecolor()) for a in drawn["edges"]}) == 1


def test_boxes_show_data_and_grad_only_when_asked(ax):
    graph = small_graph()
    draw_graph(ax, graph)
    text = " ".join(t.get_text() for t in ax.texts)
    assert "data 2" in text and "grad 1" in text               # f's grad is 1, a's data is 2
    ax.clear()
    draw_graph(ax, graph, show_grad=False)
    assert "grad" not in " ".join(t.get_text() for t in ax.texts)


def test_unknown_highlight_raises_naming_it(ax):
    graph = small_graph()
    with pytest.raises(ValueError, match="node id 99"):
        draw_graph(ax, graph, highlight=99)
    with pytest.raises(ValueError, match=r"edge \(4, 0\)"):
        draw_graph(ax, graph, highlight=(4, 0))


# ---- edge labels: placed beside their arrows, never on a box, an arrowhead or another label ----

def neuron_graph():
    """Chapter 3's one-neuron model, L = (sigmoid(w x + b) - y)^2: 9 nodes, 8 edges, with
    each edge labelled by its local derivative, as the chapter draws it."""
    w, x, b, y = (Value(v, label=name) for v, name in zip((0.5, 2.0, -0.5, 1.0), "wxby"))
    L = ((w * x + b).sigmoid() - y) ** 2
    steps = L.backward_steps()                                 # also runs the backward pass
    index = {id(node): i for i, node in enumerate(L.topological_order())}
    labels = {(index[id(s.parent)], index[id(s.node)]): f"{s.local:.3g}" for s in steps}
    return L.graph(), labels


def twice_graph():
    """f = x * x + x: x has three outgoing edges, two of them identical (x * x) and one that
    skips a column; each is labelled with the contribution it carries."""
    x = Value(3.0, label="x")
    f = x * x + x
    steps = f.backward_steps()
    index = {id(node): i for i, node in enumerate(f.topological_order())}
    labels = {(index[id(s.parent)], index[id(s.node)]): f"+{s.contribution:g}" for s in steps}
    return f.graph(), labels


def arrowhead_extents(ax, arrows):
    """Display-space extent of the head of each arrow: the last sub-path of its drawn path."""
    heads = []
    for arrow in arrows:
        path = arrow.get_transform().transform_path(arrow.get_path())
        start = max(k for k, code in enumerate(path.codes) if code == path.MOVETO)
        corners = [v for v, code in zip(path.vertices[start:], path.codes[start:])
                   if code != path.CLOSEPOLY]                 # CLOSEPOLY's vertex is ignored
        heads.append(Bbox.null())
        heads[-1].update_from_data_xy(corners)
    return heads


CLEARANCE_PT = 2  # a label closer than this to a box or an arrowhead looks as if it sat on it


def label_collisions(ax, drawn, texts):
    """What each edge label's window extent, grown by CLEARANCE_PT on every side, overlaps
    after a full render: a list of strings, empty if every label stands clear."""
    ax.figure.canvas.draw()
    clearance = CLEARANCE_PT * ax.figure.dpi / 72
    labels = [(t.get_text(), t.get_window_extent().padded(clearance)) for t in texts]
    obstacles = [(f"box {i}", box.get_window_extent()) for i, box in drawn["nodes"].items()]
    obstacles += [(f"arrowhead {k}", head) for k, head in enumerate(arrowhead_extents(ax, drawn["edges"]))]
    found = []
    for j, (text, extent) in enumerate(labels):
        found += [f"label {text!r} overlaps {name}" for name, other in obstacles if extent.overlaps(other)]
        found += [f"label {text!r} overlaps label {other_text!r}"
                  for other_text, other in labels[j + 1:] if extent.overlaps(other)]
        if not ax.bbox.contains(*extent.min) or not ax.bbox.contains(*extent.max):
            found.append(f"label {text!r} leaves the axes")
    return found


def edge_label_texts(ax, edge_labels):
    """The Text artists in ``ax`` that show an edge label (box texts have several lines)."""
    values = set(edge_labels.values())
    return [t for t in ax.findobj(Text) if t.get_text() in values]


GRAPHS = {"neuron": neuron_graph, "twice": twice_graph}


@pytest.mark.parametrize("name, direction, figsize, options", [
    # chapter 3's figures: forward graph, backward graph, explorer frame, "x used three times"
    ("neuron", "down", (3.6, 4.9), {"show_grad": False, "box_size": (0.54, 0.5)}),
    ("neuron", "down", (3.6, 6.4), {"box_size": (0.54, 0.58)}),
    ("neuron", "down", (3.8, 6.9), {"box_size": (0.54, 0.58), "highlight": "first edge"}),
    ("twice", "right", (5.0, 2.5), {"box_size": (0.6, 0.72)}),
    # too little room beside the arrow z -> y_hat: that label goes on its arrow, still clear
    ("neuron", "down", (3.8, 6.2), {}),
    ("twice", "down", (3.0, 4.0), {}),
])
def test_edge_labels_sit_off_boxes_arrowheads_and_each_other(name, direction, figsize, options):
    graph, edge_labels = GRAPHS[name]()
    if options.get("highlight") == "first edge":               # a thicker arrow, a bigger head
        options = {**options, "highlight": next(iter(edge_labels))}
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    try:
        drawn = draw_graph(ax, graph, edge_labels=edge_labels, direction=direction, **options)
        ax.set_title("a title set after drawing\nchanges the axes' size")
        texts = edge_label_texts(ax, edge_labels)
        labelled = [e for e in graph.edges if (e.parent_id, e.child_id) in edge_labels]
        assert len(texts) == len(labelled) == len(drawn["labels"]) > 0   # one label per labelled arrow
        assert label_collisions(ax, drawn, texts) == []
        # and again at the resolution the book renders at
        fig.savefig(io.BytesIO(), format="png", dpi=200)
        assert label_collisions(ax, drawn, texts) == []
    finally:
        plt.close(fig)


def test_collision_check_reports_a_label_on_a_box(ax):
    # negative control: a label put on a box by hand is reported
    graph, edge_labels = neuron_graph()
    drawn = draw_graph(ax, graph, edge_labels=edge_labels)
    x, y = drawn["positions"][graph.nodes[0].id]
    stray = ax.text(x, y + 0.3, "stray")
    assert "label 'stray' overlaps box 0" in label_collisions(ax, drawn, [stray])


def test_edge_labels_and_box_text_use_at_least_the_book_minimum_size(ax):
    graph, edge_labels = neuron_graph()
    draw_graph(ax, graph, edge_labels=edge_labels)
    assert min(t.get_fontsize() for t in ax.findobj(Text) if t.get_text()) >= MIN_FONT_PT


def test_down_layout_puts_the_output_in_the_bottom_row_and_every_arrow_points_down(ax):
    graph = small_graph()
    position = draw_graph(ax, graph, direction="down")["positions"]
    for e in graph.edges:
        assert position[e.parent_id][1] > position[e.child_id][1], e
    output = graph.nodes[-1].id
    assert position[output][1] == min(y for _, y in position.values())


def test_unknown_direction_raises_naming_it(ax):
    with pytest.raises(ValueError, match="'up'"):
        draw_graph(ax, small_graph(), direction="up")


def test_draw_matrix_writes_every_number_and_its_shape(ax):
    from bp.plotting import MIN_FONT_PT, draw_matrix
    draw_matrix(ax, [[1.0, -0.5, 2.25], [0.0, 1.5, -1.0]], title="dL/dW")
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "-0.5", "2.25", "0", "1.5", "-1"]
    assert ax.get_title() == "dL/dW  2x3"
    assert min(t.get_fontsize() for t in ax.texts) >= MIN_FONT_PT
    assert [t.get_text() for t in ax.get_yticklabels()] == ["example 1", "example 2"]
