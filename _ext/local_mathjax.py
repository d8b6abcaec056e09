"""Ship MathJax with the built book, so its maths is typeset offline too.

Sphinx points pages at MathJax on a CDN by default. When the pinned npm copy
is installed (``npm ci``, package.json), this extension instead copies the
parts of it the book uses into ``_build/html/_static/mathjax`` and points the
pages there: the site then needs no outside server at all. Without the npm
copy the CDN default stays, and the build says so once.
"""

import shutil
from pathlib import Path

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


def setup(app):
    app.connect("config-inited", use_local_copy)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
