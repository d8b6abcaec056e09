"""Browser test of the built HTML book, in headless Chromium driven by Playwright.

What it checks, on every page in _toc.yml:

* the page loads with HTTP 200, every local file it asks for exists, it asks
  nothing of any outside server (all outside requests are blocked, except
  MathJax, which is served from node_modules), and no JavaScript error is
  logged (ALLOWED_JS_ERRORS lists the harmless theme messages);
* every internal link (page and #anchor) resolves to a file and an element id;
* every image has loaded (naturalWidth > 0) and has non-empty alt text;
* maths is typeset: each math element holds MathJax output, no raw $$ is left;
* every explorer (bp.widgets.explorer) follows its controls, served over HTTP
  and opened from disk: sliders are moved with the keyboard, drop-downs
  through every option, and after each move the frame shown must be the one
  drawn for the values shown (the PNG itself records the values it was drawn
  with), its alt text the one for those values, and its image must change;
* no page is larger than MAX_PAGE_BYTES.

How to run it
-------------
``./book test`` builds the book and runs it (with BP_BOOK_BUILT=1). By hand::

    npm ci                                   # local MathJax, pinned in package.json
    .venv/bin/jupyter-book build . --all -W -n --keep-going
    BP_BOOK_BUILT=1 BP_REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/test_html.py

The book in BP_BOOK_HTML (default _build/html) is reused when BP_BOOK_BUILT is
set or when it is newer than every source; otherwise this test builds it. It
runs ``npm ci`` itself when node_modules/mathjax is missing. Without Chromium
(/usr/bin/chromium, or BP_CHROMIUM) or Playwright the browser checks are
skipped, unless BP_REQUIRE_BROWSER=1, when they fail (CI sets it).
"""

from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("BP_BOOK_HTML", ROOT / "_build" / "html")).resolve()
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
MAX_PAGE_BYTES = 4_000_000
PNG_KEY = "bp-frame"  # the PNG text chunk in which bp.widgets records a frame's values
REQUIRE_BROWSER = os.environ.get("BP_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# JavaScript errors known to be harmless (console messages and uncaught errors).
# Keep this list short and say why each is harmless.
ALLOWED_JS_ERRORS = [
    # pydata-sphinx-theme 0.17, on a first visit with no light/dark choice stored yet.
    re.compile(r"^Got invalid theme mode: \. Resetting to auto\.$"),
    # sphinx-thebe 0.3.1 adds its one-line config <script> (`const THEBE_JS_URL = ...`)
    # once per read pass, and Jupyter Book reads twice, so the second copy throws.
    # Thebe is off in this book (launch_buttons.thebe: false): nothing reads these.
    re.compile(r"^(SyntaxError: )?Identifier 'THEBE_JS_URL' has already been declared$"),
]
# An outside URL of MathJax 3 (the CDN address Sphinx puts in the page) -> path in the npm package.
MATHJAX_URL = re.compile(r"^https?://[^/]+/npm/mathjax@3[^/]*/es5/([^?#]+)")


def toc_pages() -> list[str]:
    """The HTML files of the pages in _toc.yml, root first."""
    def files(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from ([value] if key in ("root", "file") else files(value))
        elif isinstance(node, list):
            for item in node:
                yield from files(item)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [re.sub(r"\.(ipynb|md)$", "", name) + ".html" for name in files(toc)]


PAGES = toc_pages()


def sources_newest_mtime() -> float:
    patterns = ["_config.yml", "_toc.yml", "*.md", "*.ipynb", "*.bib", "chapters/*", "bp/*.py"]
    return max(p.stat().st_mtime for pattern in patterns for p in ROOT.glob(pattern))


@pytest.fixture(scope="session")
def book() -> Path:
    """The built HTML book: reused when fresh (or BP_BOOK_BUILT is set), else built now."""
    index = HTML / "index.html"
    if index.exists() and (os.environ.get("BP_BOOK_BUILT") or index.stat().st_mtime > sources_newest_mtime()):
        return HTML
    if "BP_BOOK_HTML" in os.environ:
        pytest.fail(f"BP_BOOK_HTML={HTML} holds no fresh book; build it first")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    env = dict(os.environ, PATH=f"{jupyter_book.parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("MPLBACKEND", None)
    build = subprocess.run([str(jupyter_book), "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    assert build.returncode == 0, f"book build failed:\n{build.stdout[-5000:]}\n{build.stderr[-5000:]}"
    return HTML


def missing_browser(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (BP_REQUIRE_BROWSER=1 makes the browser test required)")
    pytest.skip(f"{reason}: browser test skipped (set BP_REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture(scope="session")
def mathjax() -> Path:
    """MathJax 3 from npm (package.json); runs `npm ci` when it is not installed yet."""
    if not (MATHJAX / "tex-mml-chtml.js").exists():
        if shutil.which("npm") is None:
            missing_browser("npm not found, so no local MathJax (run `npm ci` with Node.js)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    return MATHJAX


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("Playwright for Python is not installed (pip install playwright)")
    candidates = [os.environ.get("BP_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    chromium = next((c for c in candidates if c and Path(c).exists()), None)
    if chromium is None:
        missing_browser("no Chromium found (apt-get install chromium, or set BP_CHROMIUM)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def server(book):
    """The book served on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


def allowed(message: str) -> bool:
    return any(pattern.search(message) for pattern in ALLOWED_JS_ERRORS)


class Visit:
    """One page opened in a fresh browser context, with everything that went wrong recorded."""

    def __init__(self, browser, url: str, mathjax: Path):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.console_errors, self.page_errors, self.blocked, self.bad_responses = [], [], [], []
        self.mathjax = mathjax
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("response", self._on_response)
        self.page.route("**/*", self._route)
        self.response = self.page.goto(url, wait_until="load")
        self.page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")

    def _on_console(self, message):
        if message.type == "error" and not allowed(message.text):
            self.console_errors.append(message.text)

    def _on_page_error(self, error):
        if not allowed(str(error)):
            self.page_errors.append(str(error))

    def _on_response(self, response):
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.url}")

    def _route(self, route):
        url = route.request.url
        match = MATHJAX_URL.match(url)
        if url.startswith(("http://127.0.0.1", "file:", "data:")):
            route.continue_()
        elif match and (self.mathjax / match.group(1)).is_file():
            route.fulfill(path=str(self.mathjax / match.group(1)))
        else:
            self.blocked.append(url)
            route.abort()

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server, mathjax):
    opened = []

    def open_page(name: str, *, from_disk: bool = False) -> Visit:
        url = (HTML / name).as_uri() if from_disk else server + name
        opened.append(Visit(browser, url, mathjax))
        return opened[-1]
    yield open_page
    for page in opened:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_and_asks_no_outside_server(visit, name):
    page = visit(name)
    assert page.response is not None and page.response.status == 200, f"{name}: {page.response}"
    assert page.blocked == [], f"{name}: asked outside servers (it must work offline)"
    assert page.bad_responses == [], f"{name}: failed requests"
    assert page.page_errors == [], f"{name}: uncaught JavaScript errors"
    assert page.console_errors == [], f"{name}: console errors"


IDS = re.compile(r"""\s(?:id|name)=["']([^"']+)["']""")


@functools.cache
def ids_in(path: Path) -> frozenset:
    return frozenset(IDS.findall(path.read_text(errors="replace")))


@pytest.mark.parametrize("name", PAGES)
def test_internal_links_resolve(visit, server, name):
    page = visit(name)
    hrefs = page.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    broken = []
    for href in hrefs:
        if not href.startswith(server):
            continue
        parts = urllib.parse.urlsplit(href)
        target = HTML / urllib.parse.unquote(parts.path[1:])
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href}: no file {target.relative_to(HTML)}")
        elif parts.fragment and target.suffix == ".html" and urllib.parse.unquote(parts.fragment) not in ids_in(target):
            broken.append(f"{href}: no id {parts.fragment!r} in {target.relative_to(HTML)}")
    assert broken == [], f"{name}: broken links"
    assert hrefs, f"{name}: no links at all; is this the book's page?"


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loads_and_has_alt_text(visit, name):
    page = visit(name)
    page.page.evaluate("""async () => {
        for (const img of document.images) { img.loading = "eager"; }
        await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
    }""")
    images = page.page.eval_on_selector_all("img", """imgs => imgs.map(img => ({
        src: img.getAttribute("src").slice(0, 80), alt: img.getAttribute("alt"),
        width: img.naturalWidth, complete: img.complete}))""")
    assert [i for i in images if not (i["complete"] and i["width"] > 0)] == [], f"{name}: images that did not load"
    assert [i for i in images if not (i["alt"] or "").strip()] == [], f"{name}: images without alt text"


MATHS_STATE = """() => {
    const maths = [...document.querySelectorAll(".math")];
    const main = document.querySelector("main") || document.body;
    const prose = main.cloneNode(true);
    prose.querySelectorAll("pre, code, script, style, .highlight").forEach(e => e.remove());
    return {count: maths.length, containers: document.querySelectorAll("mjx-container").length,
            raw: maths.filter(m => !m.querySelector("mjx-container")).map(m => m.textContent.slice(0, 60)),
            dollars: prose.textContent.includes("$$")};
}"""


def test_maths_is_typeset(visit, book):
    with_maths = [name for name in PAGES if 'class="math' in (book / name).read_text()]
    assert with_maths, "no page has maths, but the notation page should"
    for name in with_maths:
        result = visit(name).page.evaluate(MATHS_STATE)
        assert result["count"] > 0 and result["containers"] > 0, f"{name}: MathJax produced nothing"
        assert result["raw"] == [], f"{name}: maths left untypeset"
        assert not result["dollars"], f"{name}: raw $$ left in the text"


def test_the_site_ships_its_own_mathjax(book, mathjax):
    """With the npm copy installed, pages load MathJax from _static (offline), never from a CDN."""
    with_maths = [name for name in PAGES if 'class="math' in (book / name).read_text()]
    assert with_maths, "no page has maths, but the notation page should"
    for name in with_maths:
        html = (book / name).read_text()
        scripts = re.findall(r"<script[^>]+src=\"([^\"]*mathjax[^\"]*)\"", html, flags=re.IGNORECASE)
        assert scripts, f"{name}: no MathJax script"
        for src in scripts:
            assert not src.startswith(("http:", "https:", "//")), f"{name}: MathJax from outside: {src}"
            assert (book / name).parent.joinpath(src.split("?")[0]).resolve().is_file(), f"{name}: {src} missing"


def explorer_pages() -> list[str]:
    return [name for name in PAGES if (HTML / name).exists() and 'class="bp-explorer"' in (HTML / name).read_text()]


STATE = """root => {
    const img = root.querySelector("img");
    return {src: img.src, alt: img.alt, key: img.dataset.frameKey, note: root.querySelector(".bp-note").textContent,
            frames: JSON.parse(root.querySelector("script[type='application/json']").textContent),
            controls: [...root.querySelectorAll("[data-bp-values]")].map(c => ({
                id: c.id, name: c.dataset.bpName, tag: c.tagName, index: Number(c.value),
                count: JSON.parse(c.dataset.bpValues).length, valuetext: c.getAttribute("aria-valuetext"),
                label: (root.querySelector(`label[for="${c.id}"]`) || {textContent: ""}).textContent.trim(),
                shown: c.tagName === "SELECT" ? c.options[c.selectedIndex].text
                                              : document.getElementById(c.id + "-value").textContent,
                live: c.tagName === "SELECT" ? "n/a"
                                             : document.getElementById(c.id + "-value").getAttribute("aria-live")}))};
}"""


def png_values(data_uri: str) -> dict:
    """The control values recorded in a frame's PNG when it was drawn."""
    png = base64.b64decode(data_uri.split(",", 1)[1])
    return json.loads(Image.open(io.BytesIO(png)).text[PNG_KEY])


def check_frame_matches_controls(state: dict, where: str):
    """The image shown is the frame drawn for the values the controls show."""
    shown = {c["name"]: c["shown"] for c in state["controls"]}
    assert png_values(state["src"]) == shown, f"{where}: the image was drawn for other values than the controls show"
    assert json.loads(state["key"]) == shown, f"{where}: data-frame-key does not match the controls"
    assert "Static preview" in state["note"], f"{where}: no 'run this page live' note"
    table_alt = {f["key"]: f["alt"] for f in state["frames"]}
    assert state["alt"].strip() and state["alt"] == table_alt[state["key"]], f"{where}: wrong alt text"
    for c in state["controls"]:
        assert c["label"], f"{where}: control {c['name']} has no label"
        if c["tag"] == "INPUT":
            assert c["valuetext"] == c["shown"] and c["live"] == "polite", f"{where}: readout of {c['name']}"


def walk_controls(page, root, where: str) -> int:
    """Move every control of one explorer through all its values; return how many frames were seen."""
    state = root.evaluate(STATE)
    check_frame_matches_controls(state, f"{where} (initial)")
    seen = {state["src"]}
    for control in state["controls"]:
        element = root.locator(f"#{control['id']}")
        for step in range(control["count"]):
            before = root.evaluate(STATE)
            if control["tag"] == "SELECT":
                element.select_option(value=str(step))
            else:
                element.focus()  # keyboard only: Home, then ArrowRight one value at a time
                page.keyboard.press("Home" if step == 0 else "ArrowRight")
            state = root.evaluate(STATE)
            moved = f"{where}, {control['name']} -> value #{step}"
            now = next(c for c in state["controls"] if c["id"] == control["id"])
            assert now["index"] == step, f"{moved}: control did not move"
            check_frame_matches_controls(state, moved)
            if before["key"] != state["key"]:
                assert state["src"] != before["src"], f"{moved}: the image did not change"
            seen.add(state["src"])
    return len(seen)


@pytest.mark.parametrize("from_disk", [False, True], ids=["served", "from-disk"])
def test_explorers_follow_their_controls(visit, book, from_disk):
    pages = explorer_pages()
    assert pages, "no page in _toc.yml has an explorer, but the introduction should have the demo"
    for name in pages:
        page = visit(name, from_disk=from_disk)
        roots = page.page.locator(".bp-explorer")
        assert roots.count() > 0, f"{name}: explorer HTML present but no .bp-explorer element rendered"
        for i in range(roots.count()):
            root = roots.nth(i)
            frames = walk_controls(page.page, root, f"{name} explorer {i + 1}")
            assert frames > 1, f"{name} explorer {i + 1}: moving the controls never changed the image"
        # (console messages and outside requests are checked page by page above)
        assert page.page_errors == [], f"{name}: uncaught JavaScript errors"


@pytest.mark.parametrize("name", PAGES)
def test_page_size_is_bounded(book, name):
    size = (book / name).stat().st_size
    assert size <= MAX_PAGE_BYTES, f"{name} is {size / 1e6:.1f} MB, over {MAX_PAGE_BYTES / 1e6:.0f} MB"
