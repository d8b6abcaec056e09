"""Tests of bp.plotting.draw_graph: it draws a bp.scalar graph as boxes and arrows."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from bp.plotting import draw_graph  # noqa: E402
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
