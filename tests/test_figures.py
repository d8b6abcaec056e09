"""The figures stored in the notebooks are sharp on 2x screens and readable on a phone.

Every figure a chapter shows (an ``image/png`` output, or a frame of an
explorer's static view) must have been made by ``bp.plotting``'s renderer
(``use_book_style``, ``bp.widgets.explorer``), which records in the PNG the
resolution it was drawn at (``bp-dpi``) and its smallest font size
(``bp-font-pt``). From those, and the width at which the page shows it, this
test computes the size of the smallest text on a phone, where the book's
column is about ``PHONE_COLUMN_PX`` CSS pixels wide, and requires at least
``MIN_TEXT_PX``. The browser test (tests/test_html.py) measures the same in
the built pages; this one needs no browser and names the notebook cell.
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402
from test_book_build import CONVENTION_NOTEBOOKS, ROOT, read  # noqa: E402

from bp.plotting import PNG_DPI_KEY, PNG_FONT_KEY, SCREEN_SCALE, figure_png, use_book_style  # noqa: E402

PHONE_COLUMN_PX = 340   # the book's text column on a 390-px-wide phone, in CSS px
MIN_TEXT_PX = 9.0       # the smallest figure text a reader can read there
DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def stored_figures(nb):
    """(cell index, kind, PNG bytes, CSS width the output asks for) of every stored figure."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                width = output.get("metadata", {}).get("image/png", {}).get("width")
                yield index, "figure", base64.b64decode(data["image/png"]), width
            for match in DATA_URI.finditer(data.get("text/html", "")):
                yield index, "explorer frame", base64.b64decode(match.group(1)), None


def figure_problems(png: bytes, css_width: float | None) -> list[str]:
    """What is wrong with one figure for 2x screens and phones (empty if nothing)."""
    image = Image.open(io.BytesIO(png))
    if PNG_DPI_KEY not in image.text or PNG_FONT_KEY not in image.text:
        return [f"{image.width} px wide PNG without {PNG_DPI_KEY}/{PNG_FONT_KEY}: "
                "not drawn by bp.plotting (call use_book_style() in the set-up cell)"]
    problems = []
    shown = image.width / SCREEN_SCALE
    if css_width is not None and abs(css_width - shown) > 1:
        problems.append(f"shown {css_width} CSS px wide, not {shown:.0f} (half its pixels): blurry on 2x screens")
    dpi, font_pt = float(image.text[PNG_DPI_KEY]), float(image.text[PNG_FONT_KEY])
    on_phone = min(PHONE_COLUMN_PX, shown)
    text_px = font_pt / 72 * dpi * on_phone / image.width
    if text_px < MIN_TEXT_PX:
        problems.append(f"smallest text {font_pt:g} pt in a {image.width / dpi:.1f}-inch figure shows at "
                        f"{text_px:.1f} CSS px on a phone (at least {MIN_TEXT_PX:g}): narrower figure "
                        "(stack panels) or larger text")
    return problems


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_stored_figure_is_sharp_and_readable_on_a_phone(path):
    found, problems = 0, []
    for index, kind, png, width in stored_figures(read(path)):
        found += 1
        problems += [f"cell {index}, {kind}: {p}" for p in figure_problems(png, width)]
    assert not problems, "\n".join(problems)
    assert found, f"{path.name}: no figure found at all; are the outputs saved?"


def figure_output(fig) -> nbformat.NotebookNode:
    """A notebook with one image/png output made the way the book's kernels make them."""
    from bp.plotting import _figure_for_screens
    data, metadata = _figure_for_screens(fig)
    plt.close(fig)
    output = nbformat.v4.new_output("display_data", data={"image/png": data}, metadata={"image/png": metadata})
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[output])])


def test_a_book_style_figure_passes_and_a_wide_small_print_one_fails():
    use_book_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="a line")
    ax.legend()
    [(_, _, png, width)] = stored_figures(figure_output(fig))
    assert figure_problems(png, width) == []

    # Negative controls: a 10-inch figure with 8-pt ticks; the same PNG shown
    # at its full pixel width; and a plain matplotlib PNG.
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.tick_params(labelsize=8)
    [(_, _, png, width)] = stored_figures(figure_output(fig))
    [problem] = figure_problems(png, width)
    assert "8 pt" in problem and "on a phone" in problem
    assert "blurry" in figure_problems(png, width * 2)[0]
    fig, ax = plt.subplots()
    plain = io.BytesIO()
    fig.savefig(plain, format="png")
    plt.close(fig)
    assert "without bp-dpi" in figure_problems(plain.getvalue(), None)[0]


def test_figure_png_records_the_smallest_visible_text():
    use_book_style()
    fig, ax = plt.subplots()
    ax.set_title("title", fontsize=14)
    ax.text(0.5, 0.5, "small note", fontsize=7.5)
    ax.text(0.5, 0.2, "", fontsize=4)                        # empty text draws nothing
    hidden = ax.text(0.5, 0.8, "hidden", fontsize=3)
    hidden.set_visible(False)
    png = figure_png(fig)
    plt.close(fig)
    image = Image.open(io.BytesIO(png))
    assert image.text[PNG_FONT_KEY] == "7.5"
    assert float(image.text[PNG_DPI_KEY]) == 200
