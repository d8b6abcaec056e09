"""Explorers: interactive figures that work in a live notebook and in the static book.

An explorer turns a drawing function ``draw(**values) -> Figure`` and a small grid
of values per control into one object with two views:

* with a running kernel and ipywidgets, a live view: sliders and drop-downs that
  call ``draw`` again on every change;
* everywhere else (the built HTML book, a notebook opened without a kernel), a
  static view: the same controls as plain HTML inputs over frames rendered ahead
  of time, switched by a few lines of inline JavaScript, with no outside request.

Both views travel in one MIME bundle; the book's configuration tells the HTML
builder to prefer ``text/html`` over the widget view. Each frame is a small PNG
that carries the control values it was drawn with (a PNG text chunk named
``bp-frame``), so a browser test can check that the frame shown matches the
controls.

This module needs matplotlib (and, for the live view, ipywidgets); ``import bp``
does not import it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import numbers
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from bp.plotting import CSS_DPI, SCREEN_SCALE, css_width, figure_png

try:
    import ipywidgets
except ImportError:  # without ipywidgets only the static view is offered
    ipywidgets = None

PNG_KEY = "bp-frame"  # PNG text chunk holding the frame's control values (JSON)
# What the static view says where it is seen without a kernel: in a notebook
# (JupyterLab before the cell has run). The built book rewrites it for the web
# (_ext/ in the book's repository).
NOTE = ("Static preview: these frames were rendered ahead of time. "
        "Run this cell (with the cells above it) to make the controls live.")
_explorer_count = itertools.count(1)  # makes element ids unique on a page


def explorer(draw: Callable[..., Figure], controls: Mapping[str, Sequence], *,
             alt: Callable[..., str], labels: Mapping[str, str] | None = None,
             initial: Mapping | None = None, max_frames: int = 60,
             dpi: int = CSS_DPI) -> "Explorer":
    """Make an interactive figure that also works in the static HTML book.

    Parameters
    ----------
    draw : callable
        ``draw(**values)`` returns a matplotlib ``Figure`` for one value per
        control; the explorer closes it. Use the book's style
        (:func:`bp.plotting.use_book_style`): at most
        ``bp.plotting.MAX_WIDTH_IN`` inches wide, panels stacked vertically,
        so that the frame stays readable on a phone.
    controls : dict of str to sequence
        Control name -> the values it offers, in order. Numbers give a slider
        over exactly those values, strings a drop-down.
    alt : callable
        ``alt(**values)`` returns the alt text of that frame: what it shows.
    labels : dict of str to str, optional
        Control name -> label shown next to it (default: the name).
    initial : dict, optional
        Control name -> starting value (default: each control's first value).
    max_frames : int
        Frame budget: the product of the controls' sizes may not exceed it.
    dpi : int, default ``bp.plotting.CSS_DPI``
        CSS pixels per inch at which frames are shown on a wide screen; they
        are rendered at ``bp.plotting.SCREEN_SCALE`` times that, for 2x screens.

    Returns
    -------
    Explorer
        An object whose notebook display is the live view when a kernel with
        ipywidgets is there, and the static HTML view otherwise.

    Raises
    ------
    ValueError
        If a control is empty, mixes numbers and strings, repeats a value, if
        the frames exceed ``max_frames``, or if ``labels``/``initial`` name an
        unknown control or value.
    TypeError
        If ``draw`` does not return a Figure or ``alt`` does not return a str.
    """
    grid = _check_controls(controls, max_frames)
    labels = _check_labels(labels or {}, grid)
    start = _check_initial(initial or {}, grid)
    return Explorer(draw, grid, alt=alt, labels=labels, initial=start, dpi=dpi)


def _check_controls(controls: Mapping[str, Sequence], max_frames: int) -> dict[str, list]:
    """Return the controls as name -> list of values, or raise naming the fault."""
    if not controls:
        raise ValueError("explorer needs at least one control, got none")
    grid = {}
    for name, values in controls.items():
        values = list(values)
        numeric = [_is_number(v) for v in values]
        if not values:
            raise ValueError(f"control {name!r} has no values")
        if not (all(numeric) or all(isinstance(v, str) for v in values)):
            raise ValueError(f"control {name!r} must hold only numbers or only strings, got {values!r}")
        if len({_format(v) for v in values}) < len(values):
            raise ValueError(f"control {name!r} repeats a value: {values!r}")
        grid[name] = values
    sizes = [len(v) for v in grid.values()]
    if math.prod(sizes) > max_frames:
        shape = " x ".join(f"{n} ({name})" for name, n in zip(grid, sizes))
        raise ValueError(f"explorer would render {shape} = {math.prod(sizes)} frames, "
                         f"more than max_frames={max_frames}; use fewer values")
    return grid


def _check_labels(labels: Mapping[str, str], grid: dict[str, list]) -> dict[str, str]:
    """Return a label for every control, defaulting to its name."""
    unknown = set(labels) - set(grid)
    if unknown:
        raise ValueError(f"labels name unknown controls {sorted(unknown)}; controls are {list(grid)}")
    return {name: str(labels.get(name, name)) for name in grid}


def _check_initial(initial: Mapping, grid: dict[str, list]) -> dict[str, int]:
    """Return the starting index of every control."""
    unknown = set(initial) - set(grid)
    if unknown:
        raise ValueError(f"initial names unknown controls {sorted(unknown)}; controls are {list(grid)}")
    start = {}
    for name, values in grid.items():
        value = initial.get(name, values[0])
        keys = [_format(v) for v in values]
        if _format(value) not in keys:
            raise ValueError(f"initial value {value!r} of {name!r} is not one of {values!r}")
        start[name] = keys.index(_format(value))
    return start


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _format(value) -> str:
    """How a control value is shown and keyed: '0.5', '3', 'relu'."""
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return format(float(value), "g")


def render_frame(fig: Figure, key: str, dpi: int) -> bytes:
    """Render ``fig`` to a small PNG for 2x screens carrying ``key``, and close the figure.

    Parameters
    ----------
    fig : Figure
        The figure to render.
    key : str
        Text stored in the PNG's ``bp-frame`` chunk (the control values, JSON).
    dpi : int
        CSS pixels per inch at which the frame is shown; it is rendered at
        ``SCREEN_SCALE`` times that.

    Returns
    -------
    bytes
        PNG data (see :func:`bp.plotting.figure_png`), with the whole figure:
        every frame of an explorer has the same size.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"draw must return a matplotlib Figure, got {type(fig).__name__}")
    try:
        return figure_png(fig, text={PNG_KEY: key}, dpi=dpi * SCREEN_SCALE, bbox_inches=None)
    finally:
        plt.close(fig)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _img_tag(png: bytes, alt: str) -> str:
    return f'<img src="{_data_uri(png)}" alt="{html.escape(alt)}" width="{css_width(png)}">'


class Explorer:
    """Frames of ``draw`` over a grid of control values, shown live or statically.

    Made by :func:`explorer`, which checks the arguments. Frames are stored in
    ``itertools.product`` order over the controls, so the first control varies
    slowest: frame index = sum over controls of index * (product of the later sizes).

    Attributes
    ----------
    frames : list of dict
        One per grid point: ``values`` (name -> value), ``key`` (JSON of the
        shown values), ``alt`` (str) and ``png`` (bytes).
    """

    def __init__(self, draw, grid, *, alt, labels, initial, dpi):
        self.draw, self.grid, self.alt_text = draw, grid, alt
        self.labels, self.initial, self.dpi = labels, initial, dpi
        self.frames = [self._make_frame(dict(zip(grid, point)))
                       for point in itertools.product(*grid.values())]
        digest = hashlib.sha256("".join(f["key"] + f["alt"] for f in self.frames).encode())
        self.element_id = f"bp-explorer-{next(_explorer_count)}-{digest.hexdigest()[:8]}"
        self._widget = None

    def _make_frame(self, values: dict) -> dict:
        key = frame_key(values)
        description = self.alt_text(**values)
        if not isinstance(description, str) or not description.strip():
            raise TypeError(f"alt must return non-empty text, got {description!r} for {key}")
        png = render_frame(self.draw(**values), key, self.dpi)
        return {"values": values, "key": key, "alt": description, "png": png}

    def frame_index(self, indices: Sequence[int]) -> int:
        """Index into ``frames`` of one index per control (first control slowest)."""
        index = 0
        for i, values in zip(indices, self.grid.values()):
            index = index * len(values) + i
        return index

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}: {len(v)} values" for name, v in self.grid.items())
        return f"<Explorer {sizes}; {len(self.frames)} frames>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Both views: ``text/html`` always, the widget view when a kernel is there."""
        bundle = {"text/plain": repr(self), "text/html": self.to_html()}
        if ipywidgets is not None and _kernel_is_running():
            live = self.live_widget()._repr_mimebundle_()
            live.pop("text/plain", None)
            bundle.update(live)
        return bundle

    def to_html(self) -> str:
        """The static view: labelled native inputs, frames as data URIs, inline script."""
        uid = self.element_id
        index = self.frame_index(list(self.initial.values()))
        start = self.frames[index]
        controls = "\n".join(self._control_html(i, name) for i, name in enumerate(self.grid))
        table = json.dumps([{"key": f["key"], "alt": f["alt"], "src": _data_uri(f["png"])}
                            for f in self.frames]).replace("<", "\\u003c")  # never ends the <script>
        return _HTML.format(
            uid=uid, note=html.escape(NOTE), controls=controls, src=_data_uri(start["png"]),
            alt=html.escape(start["alt"]), key=html.escape(start["key"]), width=css_width(start["png"]),
            index=index, table=table, script=_SCRIPT.replace("UID", uid))

    def _control_html(self, i: int, name: str) -> str:
        """One labelled control: a range slider with a readout, or a select."""
        cid = f"{self.element_id}-c{i}"
        shown = [_format(v) for v in self.grid[name]]
        start = self.initial[name]
        data = f'data-bp-name="{html.escape(name)}" data-bp-values="{html.escape(json.dumps(shown))}"'
        label = f'<label for="{cid}">{html.escape(self.labels[name])}</label>'
        if isinstance(self.grid[name][0], str):
            options = "".join(f'<option value="{j}"{" selected" if j == start else ""}>'
                              f"{html.escape(s)}</option>" for j, s in enumerate(shown))
            return f'<div class="bp-control">{label}<select id="{cid}" {data}>{options}</select></div>'
        value = html.escape(shown[start])
        return (f'<div class="bp-control">{label}<input type="range" id="{cid}" {data} min="0" '
                f'max="{len(shown) - 1}" step="1" value="{start}" aria-valuetext="{value}">'
                f'<output id="{cid}-value" for="{cid}" aria-live="polite">{value}</output></div>')

    def live_widget(self):
        """The live view: ipywidgets controls that call ``draw`` on every change."""
        if self._widget is None:
            controls = {name: self._make_widget(name) for name in self.grid}
            start = self.frames[self.frame_index(list(self.initial.values()))]
            picture = ipywidgets.HTML(_img_tag(start["png"], start["alt"]))

            def redraw(change):
                values = {name: w.value for name, w in controls.items()}
                png = render_frame(self.draw(**values), frame_key(values), self.dpi)
                picture.value = _img_tag(png, self.alt_text(**values))

            for control in controls.values():
                control.observe(redraw, names="value")
            self._widget = ipywidgets.VBox([ipywidgets.HBox(list(controls.values())), picture])
        return self._widget

    def _make_widget(self, name: str):
        values = self.grid[name]
        options = [(_format(v), v) for v in values]
        common = dict(options=options, value=values[self.initial[name]],
                      description=self.labels[name], style={"description_width": "initial"})
        if isinstance(values[0], str):
            return ipywidgets.Dropdown(**common)
        return ipywidgets.SelectionSlider(continuous_update=False, **common)


def frame_key(values: Mapping) -> str:
    """The key of a frame: JSON of control name -> shown value, e.g. '{"a": "0.5"}'."""
    return json.dumps({name: _format(v) for name, v in values.items()})


def _kernel_is_running() -> bool:
    """True inside a Jupyter kernel (not plain Python, not a terminal IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


# The static view. Frame i of the table is shown for control indices whose
# mixed-radix number (first control most significant) is i, as in frame_index.
_HTML = """<div class="bp-explorer" id="{uid}">
<style>#{uid} .bp-controls {{display:flex;flex-wrap:wrap;gap:.4em 1.5em;align-items:center}}
#{uid} .bp-control {{display:flex;gap:.5em;align-items:center}}
#{uid} output {{min-width:3em;font-variant-numeric:tabular-nums}}
#{uid} img {{max-width:100%;height:auto}} #{uid} .bp-note {{font-size:.85em;opacity:.8}}</style>
<p class="bp-note" role="note">{note}</p>
<div class="bp-controls">
{controls}
</div>
<img id="{uid}-img" src="{src}" alt="{alt}" width="{width}" data-frame-key="{key}" data-frame-index="{index}">
<script type="application/json" id="{uid}-frames">{table}</script>
<script>{script}</script>
</div>"""

_SCRIPT = """(function () {
  var root = document.getElementById("UID"), img = document.getElementById("UID-img");
  var frames = JSON.parse(document.getElementById("UID-frames").textContent);
  var inputs = root.querySelectorAll("[data-bp-values]");
  function show() {
    var index = 0;
    inputs.forEach(function (input) {
      var shown = JSON.parse(input.dataset.bpValues), i = Number(input.value);
      index = index * shown.length + i;
      if (input.type === "range") {
        input.setAttribute("aria-valuetext", shown[i]);
        document.getElementById(input.id + "-value").textContent = shown[i];
      }
    });
    var frame = frames[index];
    img.src = frame.src; img.alt = frame.alt;
    img.dataset.frameKey = frame.key; img.dataset.frameIndex = index;
  }
  inputs.forEach(function (input) { input.addEventListener("input", show); });
  show();
})();"""
