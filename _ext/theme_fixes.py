"""What the theme and Jupyter Book's helper extensions put on every page, mended.

* One copy of each inline script. An extension that adds an inline script
  (``app.add_js_file(None, body=...)``) once the HTML builder exists gets it
  twice in Sphinx 7: the builder records it with no file name (``None``), and
  again with an empty one (``''``) when it collects the registered scripts
  before writing, and the two do not compare equal. sphinx-thebe adds
  ``const THEBE_JS_URL = ...`` that way, so the second copy throws "Identifier
  'THEBE_JS_URL' has already been declared" (sphinx-togglebutton's
  ``var togglebuttonSelector`` is doubled too, silently). Each page keeps the
  first copy of each script.
* No Font Awesome JavaScript. pydata-sphinx-theme loads
  ``_static/scripts/fontawesome.js`` (1.5 MB: every icon of Font Awesome, as
  SVG) on every page, to turn ``<i class="fa-...">`` into inline SVG. Its
  stylesheet already draws the same icons from Font Awesome's web fonts
  (150 kB for the solid icons, 120 kB for the brands, fetched only when a page
  shows one), so the script is dropped from the pages and the site.
* No source maps. The theme's compressed scripts and stylesheets come with
  ``.map`` files (3.4 MB) that only a developer's browser tools read; they
  are not shipped, and the comments that point to them are removed.
"""

import re
from pathlib import Path

FONTAWESOME_JS = "_static/scripts/fontawesome.js"
FONTAWESOME_TAG = re.compile(r'[ \t]*<script\b[^>]*\bsrc="[^"]*' + re.escape(FONTAWESOME_JS) + r'[^"]*"[^>]*></script>\n?')
SOURCE_MAP_COMMENT = re.compile(r"\n?(?://# sourceMappingURL=\S+\.map|/\*# sourceMappingURL=\S+\.map\s*\*/)")


def one_copy_of_each_script(app, pagename, templatename, context, doctree):
    unique = {}
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        unique.setdefault(key, script)
    context["script_files"] = list(unique.values())


def rewrite(path: Path, pattern: re.Pattern) -> None:
    text = path.read_text(encoding="utf-8")
    if pattern.search(text):
        path.write_text(pattern.sub("", text), encoding="utf-8")


def drop_fontawesome_js_and_source_maps(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        rewrite(page, FONTAWESOME_TAG)
    for path in [out / FONTAWESOME_JS, out / (FONTAWESOME_JS + ".LICENSE.txt")]:
        path.unlink(missing_ok=True)
    for source_map in (out / "_static").rglob("*.map"):
        source_map.unlink()
        mapped = source_map.with_suffix("")  # scripts/x.js.map -> scripts/x.js
        if mapped.is_file():
            rewrite(mapped, SOURCE_MAP_COMMENT)


def setup(app):
    # After every extension has added its page's scripts (MathJax's come at 500).
    app.connect("html-page-context", one_copy_of_each_script, priority=900)
    app.connect("build-finished", drop_fontawesome_js_and_source_maps)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
