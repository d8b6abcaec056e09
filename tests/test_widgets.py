"""Tests of bp.widgets.explorer: frames, budget, alt text, the HTML view, the live view."""

import io
import json
import subprocess
import sys
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import bp.widgets as widgets  # noqa: E402
from bp.widgets import explorer  # noqa: E402


class Recorder:
    """A draw function that draws a tiny figure and remembers what it was called with."""

    def __init__(self):
        self.calls = []

    def __call__(self, **values):
        self.calls.append(values)
        fig, ax = plt.subplots(figsize=(2, 1.5))
        ax.set_title(json.dumps(values, default=str))
        return fig


def describe(**values):
    return "frame with " + ", ".join(f"{k} {v}" for k, v in values.items())


def small_explorer(**kwargs):
    controls = kwargs.pop("controls", {"slope": [0.5, 1.0, 1.5], "kind": ["mse", "mae"]})
    return explorer(kwargs.pop("draw", Recorder()), controls, alt=describe, **kwargs)


class Elements(HTMLParser):
    """Collect every start tag with its attributes, and the text of <script> blocks."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def find(self, tag):
        return [attrs for t, attrs in self.tags if t == tag]


def png_key(png: bytes) -> str:
    return Image.open(io.BytesIO(png)).text[widgets.PNG_KEY]


def test_one_frame_per_grid_point_first_control_slowest():
    draw = Recorder()
    ex = small_explorer(draw=draw)
    assert len(ex.frames) == 3 * 2
    expected = [{"slope": s, "kind": k} for s in (0.5, 1.0, 1.5) for k in ("mse", "mae")]
    assert draw.calls == expected
    assert [f["values"] for f in ex.frames] == expected
    # slope index 2, kind index 1 -> 2 * 2 + 1 = 5, the last frame
    assert ex.frame_index([2, 1]) == 5
    assert ex.frames[5]["values"] == {"slope": 1.5, "kind": "mae"}


def test_each_png_carries_the_values_it_was_drawn_with():
    ex = small_explorer()
    for frame in ex.frames:
        assert json.loads(png_key(frame["png"])) == {k: widgets._format(v) for k, v in frame["values"].items()}
        assert png_key(frame["png"]) == frame["key"]


def test_frames_are_small_pngs_and_figures_are_closed():
    plt.close("all")
    ex = small_explorer()
    assert plt.get_fignums() == []
    for frame in ex.frames:
        assert frame["png"].startswith(b"\x89PNG")
        assert len(frame["png"]) < 20_000


def test_frame_budget_error_names_the_sizes():
    controls = {"a": list(range(7)), "b": list(range(9))}
    with pytest.raises(ValueError, match=r"7 \(a\) x 9 \(b\) = 63 frames, more than max_frames=60"):
        explorer(Recorder(), controls, alt=describe)


def test_budget_is_checked_before_anything_is_drawn():
    draw = Recorder()
    with pytest.raises(ValueError):
        explorer(draw, {"a": [1, 2, 3]}, alt=describe, max_frames=2)
    assert draw.calls == []


def test_frame_budget_allows_exactly_max_frames():
    ex = explorer(Recorder(), {"a": [1, 2, 3], "b": [1, 2]}, alt=describe, max_frames=6)
    assert len(ex.frames) == 6


@pytest.mark.parametrize("controls, message", [
    ({}, "at least one control"),
    ({"a": []}, "'a' has no values"),
    ({"a": [1, "x"]}, "only numbers or only strings"),
    ({"a": [True, False]}, "only numbers or only strings"),
    ({"a": [1, 1.0]}, "repeats a value"),
])
def test_bad_controls_are_rejected_by_name(controls, message):
    with pytest.raises(ValueError, match=message):
        explorer(Recorder(), controls, alt=describe)


def test_unknown_label_and_initial_are_rejected():
    with pytest.raises(ValueError, match="labels name unknown controls"):
        small_explorer(labels={"slop": "Slope"})
    with pytest.raises(ValueError, match="initial value 2 of 'slope' is not one of"):
        small_explorer(initial={"slope": 2})


def test_draw_must_return_a_figure():
    with pytest.raises(TypeError, match="draw must return a matplotlib Figure, got int"):
        explorer(lambda a: 3, {"a": [1]}, alt=describe)


def test_alt_text_is_required_for_every_frame():
    with pytest.raises(TypeError, match="alt must return non-empty text"):
        explorer(Recorder(), {"a": [1, 2]}, alt=lambda a: "" if a == 2 else "ok")


def test_every_frame_has_the_alt_text_of_its_values():
    ex = small_explorer()
    for frame in ex.frames:
        assert frame["alt"] == describe(**frame["values"])


def test_html_view_has_labelled_controls_and_a_described_image():
    ex = small_explorer(labels={"slope": "Slope a"}, initial={"slope": 1.0, "kind": "mae"})
    page = Elements(ex.to_html())
    ids = [attrs["id"] for _, attrs in page.tags if "id" in attrs]
    assert len(ids) == len(set(ids))
    labels = {attrs["for"] for attrs in page.find("label")}
    slider, = page.find("input")
    select, = page.find("select")
    assert {slider["id"], select["id"]} <= labels
    assert slider["type"] == "range"
    assert (slider["min"], slider["max"], slider["step"], slider["value"]) == ("0", "2", "1", "1")
    assert slider["aria-valuetext"] == "1"
    assert json.loads(slider["data-bp-values"]) == ["0.5", "1", "1.5"]
    output, = page.find("output")
    assert output["for"] == slider["id"] and output["aria-live"] == "polite"
    assert [o["value"] for o in page.find("option")] == ["0", "1"]
    assert "selected" in page.find("option")[1]
    img, = page.find("img")
    start = ex.frames[ex.frame_index([1, 1])]
    assert img["alt"] == describe(slope=1.0, kind="mae")
    assert img["data-frame-key"] == start["key"] and img["data-frame-index"] == "3"
    assert "Slope a" in ex.to_html() and "Static preview" in ex.to_html()


def test_html_view_embeds_every_frame_and_asks_no_server():
    ex = small_explorer()
    text = ex.to_html()
    page = Elements(text)
    table = json.loads(page.scripts[0])
    assert [f["key"] for f in table] == [f["key"] for f in ex.frames]
    assert [f["alt"] for f in table] == [f["alt"] for f in ex.frames]
    assert all(f["src"].startswith("data:image/png;base64,") for f in table)
    assert "http://" not in text and "https://" not in text and "src=\"/" not in text


def test_two_explorers_have_different_element_ids():
    a, b = small_explorer(), small_explorer()
    assert a.element_id != b.element_id
    ids_a = {attrs["id"] for _, attrs in Elements(a.to_html()).tags if "id" in attrs}
    ids_b = {attrs["id"] for _, attrs in Elements(b.to_html()).tags if "id" in attrs}
    assert ids_a.isdisjoint(ids_b)


def test_html_cannot_be_closed_early_by_a_frame_table():
    ex = explorer(Recorder(), {"a": [1]}, alt=lambda a: "ends </script> here")
    text = ex.to_html()
    assert text.count("</script>") == 2  # the JSON table and the inline script
    assert json.loads(Elements(text).scripts[0])[0]["alt"] == "ends </script> here"


def test_plain_python_gets_only_the_html_view():
    bundle = small_explorer()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}


def test_a_kernel_gets_the_live_widget_view_too(monkeypatch):
    monkeypatch.setattr(widgets, "_kernel_is_running", lambda: True)
    ex = small_explorer()
    bundle = ex._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == ex.live_widget().model_id
    assert bundle["text/html"] == ex.to_html()


def test_without_ipywidgets_a_kernel_gets_the_html_view(monkeypatch):
    monkeypatch.setattr(widgets, "_kernel_is_running", lambda: True)
    monkeypatch.setattr(widgets, "ipywidgets", None)
    assert set(small_explorer()._repr_mimebundle_()) == {"text/plain", "text/html"}


def test_live_widget_redraws_by_calling_draw():
    draw = Recorder()
    ex = small_explorer(draw=draw, labels={"slope": "Slope a"})
    box = ex.live_widget()
    (slope, kind), picture = box.children[0].children, box.children[1]
    assert (slope.description, kind.description) == ("Slope a", "kind")
    assert [label for label, _ in slope.options] == ["0.5", "1", "1.5"] and slope.index == 0
    assert [label for label, _ in kind.options] == ["mse", "mae"] and kind.index == 0
    draw.calls.clear()
    slope.value = 1.5
    assert draw.calls == [{"slope": 1.5, "kind": "mse"}]
    assert 'alt="frame with slope 1.5, kind mse"' in picture.value
    kind.value = "mae"
    assert draw.calls[-1] == {"slope": 1.5, "kind": "mae"}


def test_import_bp_loads_neither_matplotlib_nor_ipywidgets():
    code = "import sys, bp; print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
