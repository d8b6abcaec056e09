"""The notebooks' outputs on the web: figures fetched when they come into view.

While each page is written (``html-page-context``), this extension changes
what myst-nb put in its body:

* Explorers (``bp.widgets.explorer``) carry their frames inside their static
  HTML, as PNG data URIs: in the JSON table of all frames (``<script
  type="application/json" id="...-frames">``, key ``src``) and in the ``<img>``
  shown first. A notebook needs that, but on the web a page with two
  explorers would weigh megabytes, all downloaded before anything shows. Each
  frame goes to a file of its own, ``_images/bp-frame-<hash>.png`` (named by
  its content, so a frame drawn twice is stored once), and the frame's data
  URI is replaced by the file's address relative to the page: the browser
  downloads a frame only when the controls show it.
* The explorer's note: bp writes the wording that is right in JupyterLab
  ("run this cell"); the built book has no cells to run, but a rocket button.
* Every image of the page's content is ``loading="lazy"``: a figure (or an
  explorer) further down a long chapter is fetched when the reader scrolls
  near it, not with the page.
* The state of the live (ipywidgets) views, which myst-nb copies from a
  notebook's metadata into its page (tens of kB), is left out: the book shows
  the static views instead, and loads no ipywidgets JavaScript that could
  read it (_config.yml).
"""

import hashlib
import html
import re
from base64 import b64decode
from pathlib import Path

# One explorer, from its opening tag to the end of its table of frames.
EXPLORER = re.compile(r'<div class="bp-explorer" id="(?P<uid>[\w-]+)">.*?id="(?P=uid)-frames">.*?</script>', re.S)
PNG_URI = re.compile(r"data:image/png;base64,(?P<data>[A-Za-z0-9+/=]+)")
NOTE = re.compile(r'(<p class="bp-note" role="note">).*?(</p>)', re.S)
WEB_NOTE = ("Static preview: these frames were rendered when the book was built. To redraw it live, "
            "launch this page on Binder or Colab with the rocket button at the top of the page.")
EAGER_IMG = re.compile(r"<img (?![^>]*\bloading=)")  # an <img> that does not say how to load
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def frame_file(app, png: bytes) -> str:
    """Write one frame into _images/ (once) and return its path from the site's root."""
    name = f"_images/bp-frame-{hashlib.sha256(png).hexdigest()[:20]}.png"
    path = Path(app.outdir) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    return name


def rewrite_explorer(app, pathto, block: str) -> str:
    """One explorer's HTML with its frames as files and the web's note."""
    block = PNG_URI.sub(lambda m: pathto(frame_file(app, b64decode(m["data"])), 1), block)
    return NOTE.sub(lambda m: m[1] + html.escape(WEB_NOTE) + m[2], block, count=1)


def rewrite_body(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or "body" not in context:
        return
    body = EXPLORER.sub(lambda m: rewrite_explorer(app, context["pathto"], m[0]), context["body"])
    context["body"] = EAGER_IMG.sub('<img loading="lazy" ', body)


def drop_widget_state(app, pagename, templatename, context, doctree):
    context["script_files"] = [script for script in context.get("script_files", [])
                               if script.attributes.get("type") != WIDGET_STATE]


def setup(app):
    app.connect("html-page-context", rewrite_body)
    # After myst-nb has added the page's widget state (at 500).
    app.connect("html-page-context", drop_widget_state, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
