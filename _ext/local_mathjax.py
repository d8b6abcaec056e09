"""Ship MathJax with the built book, so its maths is typeset offline too.

Sphinx points pages at MathJax on a CDN by default. When the pinned npm copy
is installed (``npm ci``, package.json), this extension instead copies the
parts of it the book uses into ``_build/html/_static/mathjax`` and points the
pages there: the site then needs no outside server at all. Without the npm
copy the CDN default stays, and the build says so once.

It also keeps MathJax (1.2 MB) off the pages that have no maths. Sphinx adds
it to a page when the page *or any page in its table of contents* has maths,
so the root page, whose toctree holds the whole book, loads it for nothing;
here a page keeps MathJax only if its own content has maths.
"""

import shutil
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

MATHJAX = Path(__file__).resolve().parent.parent / "node_modules" / "mathjax" / "es5"
ENTRY = "tex-mml-chtml.js"  # the component Sphinx loads by default, from the CDN
PARTS = [ENTRY, "output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y/assistive-mml.js"]

logger = logging.getLogger(__name__)


def use_local_copy(app, config):
    if (MATHJAX / ENTRY).is_file():
        config.mathjax_path = f"mathjax/{ENTRY}"      # relative paths are resolved in _static/
    else:
        logger.info("local_mathjax: no npm copy of MathJax (run `npm ci`); pages load it from the CDN")


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html" or not (MATHJAX / ENTRY).is_file():
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        source = MATHJAX / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        elif source.is_file():
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)


def has_maths(doctree) -> bool:
    """Does this page's own content hold maths (inline or display)?"""
    if doctree is None:  # the pages Sphinx makes itself: index, search
        return False
    return next(doctree.findall(lambda node: isinstance(node, (nodes.math, nodes.math_block))), None) is not None


def is_mathjax(script, config) -> bool:
    """The MathJax script itself, or the inline configuration that Sphinx puts before it."""
    if script.filename:
        return script.filename.endswith(config.mathjax_path)
    return script.attributes.get("body", "").startswith(("window.MathJax", "MathJax.Hub.Config"))


def only_on_pages_with_maths(app, pagename, templatename, context, doctree):
    if app.builder.format == "html" and not has_maths(doctree):
        context["script_files"] = [s for s in context.get("script_files", []) if not is_mathjax(s, app.config)]


def setup(app):
    app.connect("config-inited", use_local_copy)
    # After sphinx.ext.mathjax has added its scripts to the page (at 500).
    app.connect("html-page-context", only_on_pages_with_maths, priority=800)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
