"""Browser test of the built HTML book, in headless Chromium driven by Playwright.

What it checks, on every page in _toc.yml:

* the page loads with HTTP 200, every local file it asks for exists (the
  favicon too), it asks nothing of any outside server (all outside requests
  are blocked, except MathJax, which is served from node_modules), and no
  JavaScript error is logged at all;
* the theme works, on a desktop (1280 px) and on a phone (390 px): the ☰
  button opens and closes the table of contents, and there is one search box;
  its icons are drawn from the theme's icon fonts;
* every internal link (page and #anchor) resolves to a file and an element id;
* every image has loaded (naturalWidth > 0) and has non-empty alt text;
* every figure (notebook outputs and explorer frames) is sharp on 2x screens
  (at least twice as many pixels as the CSS pixels it is shown in) and
  readable on a phone (no text under MIN_TEXT_PX CSS px at 390 px), from what
  bp.plotting records in each PNG (its resolution and smallest font size);
* maths is typeset: each math element holds MathJax output, no raw $$ is left;
  MathJax is loaded only on the pages that have maths; display equations too
  wide for a phone scroll sideways, and show that they do;
* every explorer (bp.widgets.explorer) follows its controls, served over HTTP
  and opened from disk: sliders are moved with the keyboard, drop-downs
  through every option, and after each move the frame shown must be the one
  drawn for the values shown (the PNG itself records the values it was drawn
  with), its alt text the one for those values, and its image must change;
  its frames are image files, fetched only when shown, and its note is the
  web's ("launch this page on Binder or Colab");
* what a reader downloads on a first visit (at 1280 px, once MathJax is done)
  is at most MAX_FIRST_VIEW_BYTES; a table of every page's weight is printed
  at the end of the run. No page's HTML is larger than MAX_PAGE_BYTES, and the
  site ships no source maps.

Each page is opened once at 1280 px and once at 390 px (a "survey": see
DesktopSurvey and PhoneSurvey), not once per check: the first test that needs
a page takes its survey (so --durations shows the cost there), and each check
is still a test of its own, per page, asserting on what the survey took. The
checks that click or type (the ☰ toggle, the folded boxes, the explorers served
over HTTP) run inside the survey; their test raises what they raised.

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
import collections
import contextlib
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
from browser_support import missing_browser  # the `browser` fixture is in tests/conftest.py
from PIL import Image
from test_book_build import toc_entries

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # then the browser fixture skips (or fails) every browser test
    PlaywrightTimeout = TimeoutError

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("BP_BOOK_HTML", ROOT / "_build" / "html")).resolve()
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
MAX_PAGE_BYTES = 1_000_000        # one page's HTML file (explorer frames are files of their own)
MAX_FIRST_VIEW_BYTES = 3_000_000  # everything a first visit to one page downloads
PNG_KEY = "bp-frame"  # the PNG text chunk in which bp.widgets records a frame's values
# The PNG text chunks in which bp.plotting records a figure's resolution (pixels
# per inch) and the size of its smallest text (points).
PNG_DPI_KEY, PNG_FONT_KEY = "bp-dpi", "bp-font-pt"
MIN_TEXT_PX = 9.0     # the smallest figure text a reader can read on a phone, in CSS px
SHARPNESS = 2 * 0.99  # image pixels per CSS pixel on a 2x screen, with 1% slack
DESKTOP, PHONE = 1280, 390  # viewport widths, CSS px
# An outside URL of MathJax 3 (the CDN address Sphinx puts in the page) -> path in the npm package.
MATHJAX_URL = re.compile(r"^https?://[^/]+/npm/mathjax@3[^/]*/es5/([^?#]+)")


def toc_pages() -> list[str]:
    """The HTML files of the pages in _toc.yml, root first."""
    return [re.sub(r"\.(ipynb|md)$", "", name) + ".html" for name in toc_entries()]


PAGES = toc_pages()


def sources_newest_mtime() -> float:
    patterns = ["_config.yml", "_toc.yml", "*.md", "*.ipynb", "*.bib", "chapters/*", "appendix/*", "examples/*",
                "bp/*.py", "_ext/*.py", "_static/*"]
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


@pytest.fixture(scope="session")
def mathjax() -> Path:
    """MathJax 3 from npm (package.json); runs `npm ci` when it is not installed yet."""
    if not (MATHJAX / "tex-mml-chtml.js").exists():
        if shutil.which("npm") is None:
            missing_browser("npm not found, so no local MathJax (run `npm ci` with Node.js)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    return MATHJAX


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


class Visit:
    """One page opened in a fresh browser context (an empty cache: a first visit), with
    everything that went wrong recorded, and every request that completed."""

    def __init__(self, browser, url: str, mathjax: Path, width: int = DESKTOP):
        self.context = browser.new_context(viewport={"width": width, "height": 900 if width > PHONE else 844})
        self.page = self.context.new_page()
        self.console_errors, self.page_errors, self.blocked, self.bad_responses = [], [], [], []
        self.finished = []
        self.mathjax = mathjax
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("response", self._on_response)
        self.page.on("requestfinished", self._on_request_finished)
        self.page.route("**/*", self._route)
        self.response = self.page.goto(url, wait_until="load")
        self.page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")

    def _on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_page_error(self, error):
        self.page_errors.append(str(error))

    def _on_response(self, response):
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.url}")

    def _on_request_finished(self, request):
        self.finished.append(request)

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

    def settle(self):
        """Wait until the page has stopped asking for files (MathJax fetches fonts after typesetting)."""
        self.page.wait_for_load_state("networkidle", timeout=60_000)

    def downloaded(self) -> dict[str, int]:
        """Bytes of every response body received, by kind (document, script, font, ...)."""
        self.settle()
        kinds = collections.Counter()
        for request in self.finished:
            kinds[request.resource_type] += request.sizes()["responseBodySize"]
        return dict(kinds)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server, mathjax):
    """visit(name) -> a Visit of its own, closed at the end of the test (for checks that need a fresh page)."""
    opened = []

    def open_page(name: str, *, from_disk: bool = False, width: int = DESKTOP) -> Visit:
        url = (HTML / name).as_uri() if from_disk else server + name
        opened.append(Visit(browser, url, mathjax, width))
        return opened[-1]
    yield open_page
    for page in opened:
        page.close()


# --- Each page opened once per width: the surveys -----------------------------------
#
# Opening a page takes seconds (MathJax typesets it, fonts load), and most checks only
# read it.  So each page is opened once at desktop width and once at phone width, in a
# fresh context (a first visit), and what every check needs is taken from that one
# visit, in an order that gives each check the page as it would see it on a visit of
# its own.  The tests below then assert on what was taken, one test per check and page.
# The few checks that click or type (the explorers, the ☰ toggle, the folded boxes) run
# inside the survey, as they act: `check_outcome` keeps what they raise, and their test
# raises it again.  (If the survey itself breaks, every test of that page shows why.)
# (The JavaScript snippets named here are defined beside the tests that read them.)


def check_outcome(check, *args) -> Exception | None:
    """Run a check now, on a page that is open now; return what it raised, or None if it passed."""
    try:
        check(*args)
    except Exception as failure:  # an AssertionError, or Playwright timing out: its test reports it
        return failure
    return None


def raise_outcome(failure: Exception | None):
    """Fail the current test with what its check raised in the survey (its own traceback and message)."""
    if failure is not None:
        raise failure


def has_maths(name: str) -> bool:
    """Does the built page hold maths (an element of class math...)?"""
    return 'class="math' in (HTML / name).read_text()


class DesktopSurvey:
    """A first visit to one page at desktop width, and what each check reads from it.

    In this order:

    1. what loading asked for and what went wrong, once the page has settled;
    2. what the first view downloaded, by kind (the page's weight);
    3. what only reading shows: links, maths, icons, favicons, explorers, and every
       request completed so far;
    4. every image loaded (lazy ones too), then the images and the figures;
    5. the checks that click or type, which change the page: the explorers (each control
       moved through all its values), the ☰ toggle (which hides the table of contents and
       shows it again), then the folded boxes (left unfolded).
    """

    def __init__(self, visit: Visit, name: str):
        page = visit.page
        # 1. Loading.
        visit.settle()
        self.response = visit.response
        self.blocked, self.bad_responses = list(visit.blocked), list(visit.bad_responses)
        self.page_errors, self.console_errors = list(visit.page_errors), list(visit.console_errors)
        # 2. Weight.
        self.downloaded = visit.downloaded()
        # 3. Readings.
        self.url = page.url
        self.hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        self.maths = page.evaluate(MATHS_STATE)
        self.icons = page.evaluate(ICONS)
        self.favicons = page.evaluate(FAVICONS)
        roots = page.locator(".bp-explorer")
        self.explorers = [roots.nth(i).evaluate(STATE) for i in range(roots.count())]
        self.finished = [(request.url, request.resource_type) for request in visit.finished]
        # 4. Images and figures.
        page.evaluate(LOAD_ALL_IMAGES)
        self.images = page.eval_on_selector_all("img", IMAGES)
        self.figures = page.evaluate(FIGURES)
        # 5. Clicks and keys.
        self.explorers_failure = check_outcome(check_explorers, visit, name) if has_explorer(name) else None
        self.toggle_failure = check_outcome(check_toggle, visit, name, DESKTOP)
        self.folding_failure = check_outcome(check_folded_boxes, page, name)


class PhoneSurvey:
    """A first visit to one page at phone width, and what each check reads from it.

    In this order: every image loaded, then the figures; the ☰ toggle (which opens the
    table of contents and closes it, twice); then, on a page with maths, the display
    equations, and the inline formulas with every folded box unfolded.
    """

    def __init__(self, visit: Visit, name: str):
        page = visit.page
        page.evaluate(LOAD_ALL_IMAGES)
        self.figures = page.evaluate(FIGURES)
        self.toggle_failure = check_outcome(check_toggle, visit, name, PHONE)
        self.equations, self.inline_overflow = [], []
        if has_maths(name):
            self.equations = page.evaluate(EQUATIONS)
            page.wait_for_timeout(400)  # unfolding is a 0.3 s transition
            self.inline_overflow = page.evaluate(INLINE_OVERFLOW)


@pytest.fixture(scope="session")
def survey(browser, server, mathjax):
    """survey(name, width=DESKTOP) -> that page's DesktopSurvey or PhoneSurvey, taken once per session."""
    taken = {}

    def take(name: str, width: int = DESKTOP):
        if (name, width) not in taken:
            visit = Visit(browser, server + name, mathjax, width)
            try:
                taken[name, width] = (DesktopSurvey if width == DESKTOP else PhoneSurvey)(visit, name)
            finally:
                visit.close()
        return taken[name, width]
    return take


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_and_asks_no_outside_server(survey, name):
    page = survey(name)
    assert page.response is not None and page.response.status == 200, f"{name}: {page.response}"
    assert page.blocked == [], f"{name}: asked outside servers (it must work offline)"
    assert page.bad_responses == [], f"{name}: failed requests"
    assert page.page_errors == [], f"{name}: uncaught JavaScript errors"
    assert page.console_errors == [], f"{name}: console errors"


# Load every icon the page links to (the favicon) as an image: how wide is each?
FAVICONS = """() => Promise.all([...document.querySelectorAll('link[rel~="icon"]')].map(
    link => new Promise(done => {
        const img = new Image();
        img.onload = () => done({href: link.href, width: img.naturalWidth});
        img.onerror = () => done({href: link.href, width: 0});
        img.src = link.href;
    })))"""


def test_the_site_has_a_favicon(survey, book):
    # Without a <link rel="icon">, browsers ask for /favicon.ico, which is not there.
    missing = [name for name in PAGES if not re.search(r'<link rel="icon" href="[^"]+"', (book / name).read_text())]
    assert missing == [], "pages without a favicon link"
    icons = survey(PAGES[0]).favicons
    assert icons and all(icon["width"] > 0 for icon in icons), f"the favicon does not load: {icons}"


# --- The theme: the table of contents opens and closes; one search box; icons. ---

# Is each link of the table of contents to a chapter where the reader can see it?
CHAPTER_LINKS_SHOWN = """() => [...document.querySelectorAll("nav.bd-docs-nav a.reference.internal")]
    .filter(a => a.href.includes("/chapters/"))
    .map(a => {
        const box = a.getBoundingClientRect(), style = getComputedStyle(a);
        return box.width > 0 && box.height > 0 && style.visibility === "visible"
            && box.right > 0 && box.left < innerWidth;
    })"""
# Visible search fields and buttons (pydata-sphinx-theme 0.17 shows a second one, in a header band).
SEARCH_BOXES_SHOWN = """() => [...document.querySelectorAll(".search-button-field, .search-button, form.bd-search")]
    .filter(e => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility === "visible").length"""


def chapter_links_become(page, shown: bool) -> list[bool]:
    """Wait (up to 3 s: the sidebar slides) until every chapter link is shown, or hidden."""
    want = "true" if shown else "false"
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({CHAPTER_LINKS_SHOWN})().every(s => s === {want})", timeout=3000)
    return page.evaluate(CHAPTER_LINKS_SHOWN)


def click_primary_toggle(page, where: str):
    """Click the one visible ☰ "toggle primary sidebar" button."""
    toggles = page.locator(".primary-toggle")
    shown = [toggles.nth(i) for i in range(toggles.count()) if toggles.nth(i).is_visible()]
    assert len(shown) == 1, f"{where}: {len(shown)} visible sidebar toggles, of {toggles.count()}"
    shown[0].click()


def check_toggle(opened: Visit, name: str, width: int):
    """The ☰ button opens and closes the table of contents; one search box; no JavaScript error.
    (Run in the page's survey at `width`, as it clicks.)"""
    where = f"{name} at {width} px"
    page = opened.page
    links = page.evaluate(CHAPTER_LINKS_SHOWN)
    assert links, f"{where}: no chapter in the table of contents"
    if width == DESKTOP:
        # The table of contents is shown beside the page; the button hides it and shows it again.
        assert all(links), f"{where}: the table of contents is not shown to begin with"
        click_primary_toggle(page, where)
        assert not any(chapter_links_become(page, shown=False)), f"{where}: the toggle did not hide it"
        click_primary_toggle(page, where)
        assert all(chapter_links_become(page, shown=True)), f"{where}: the toggle did not show it again"
    else:
        # Hidden to begin with; the button slides it over the page, and a tap beside it closes it.
        assert not any(links), f"{where}: the table of contents covers the page to begin with"
        for attempt in ("first", "second"):
            click_primary_toggle(page, where)
            assert all(chapter_links_become(page, shown=True)), f"{where}: the toggle did not open it ({attempt} time)"
            page.mouse.click(width - 5, 400)  # on the dimmed page, beside the sidebar
            assert not any(chapter_links_become(page, shown=False)), f"{where}: a tap beside it did not close it"
    # One header, with one search box (not a second band with another one above it).
    assert page.evaluate(SEARCH_BOXES_SHOWN) == 1, f"{where}: not exactly one search box"
    assert opened.page_errors == [] and opened.console_errors == [], f"{where}: JavaScript errors"


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_the_toggle_opens_and_closes_the_table_of_contents(survey, name, width):
    raise_outcome(survey(name, width).toggle_failure)  # check_toggle, run in the survey


# Every icon the page shows, and the state of the icon fonts it draws them with.
ICONS = """async () => {
    await document.fonts.ready;
    const shown = e => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility === "visible";
    return {icons: [...document.querySelectorAll('i[class*="fa-"]')].filter(shown).map(i => ({
                name: i.className.replace(/\\s+/g, " "), glyph: getComputedStyle(i, "::before").content,
                family: getComputedStyle(i).fontFamily.replace(/["']/g, "")})),
            fonts: [...document.fonts].filter(f => f.status === "loaded").map(f => f.family.replace(/["']/g, "")),
            svg_icons: document.querySelectorAll("svg.svg-inline--fa").length};
}"""


def test_icons_are_drawn_by_the_theme_fonts_without_its_script(survey):
    # The theme's 1.5 MB fontawesome.js is not loaded (_ext/theme_fixes.py): its
    # stylesheet draws the same icons with Font Awesome's web fonts.
    page = survey("chapters/01_learning_from_errors.html")
    state = page.icons
    scripts = [url for url, kind in page.finished if kind == "script" and "fontawesome" in url.lower()]
    assert scripts == [], "the page loads Font Awesome's script"
    assert state["svg_icons"] == 0, "icons were turned into SVG: fontawesome.js ran"
    assert len(state["icons"]) >= 5, f"too few icons shown (☰, launch, repository, download, ...): {state}"
    undrawn = [icon for icon in state["icons"]
               if icon["glyph"] in ("none", "normal", '""') or icon["family"] not in state["fonts"]]
    assert undrawn == [], f"icons without a glyph, or whose font did not load (loaded: {state['fonts']})"


IDS = re.compile(r"""\s(?:id|name)=["']([^"']+)["']""")


@functools.cache
def ids_in(path: Path) -> frozenset:
    return frozenset(IDS.findall(path.read_text(errors="replace")))


@pytest.mark.parametrize("name", PAGES)
def test_internal_links_resolve(survey, server, name):
    hrefs = survey(name).hrefs
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


# Load every image now, lazy ones (below the fold, or explorer frames) included.
LOAD_ALL_IMAGES = """async () => {
    for (const img of document.images) { img.loading = "eager"; }
    await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}"""


# Every image of the page: its address, alt text, and whether it has loaded.
IMAGES = """imgs => imgs.map(img => ({
    src: img.getAttribute("src").slice(0, 80), alt: img.getAttribute("alt"),
    width: img.naturalWidth, complete: img.complete}))"""


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loads_and_has_alt_text(survey, name):
    images = survey(name).images  # with every image loaded (LOAD_ALL_IMAGES)
    assert [i for i in images if not (i["complete"] and i["width"] > 0)] == [], f"{name}: images that did not load"
    assert [i for i in images if not (i["alt"] or "").strip()] == [], f"{name}: images without alt text"


# --- Figures: sharp on 2x screens, readable on a phone --------------------------

def local_file(url: str) -> Path:
    """The built file behind an absolute address in a page (served, or opened from disk)."""
    parts = urllib.parse.urlsplit(url)
    path = urllib.parse.unquote(parts.path)
    return Path(path) if parts.scheme == "file" else HTML / path.lstrip("/")


def png_image(src: str) -> Image.Image:
    """The PNG an <img> shows: a file of the built book, or a data URI (as explorer frames once were)."""
    if src.startswith("data:"):
        return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    return Image.open(local_file(src))


# Every figure on the page: the notebooks' outputs and the explorers' images, with, for an
# explorer, every frame it can show in the same <img> (absolute addresses).
FIGURES = """() => [...new Set(document.querySelectorAll(".cell_output img, .bp-explorer img"))].map(img => {
    const table = img.closest(".bp-explorer")?.querySelector("script[type='application/json']");
    return {src: img.src, alt: img.alt.slice(0, 50), shown: img.clientWidth, natural: img.naturalWidth,
            frames: table ? JSON.parse(table.textContent).map(f => new URL(f.src, document.baseURI).href)
                          : [img.src]};
})"""


def figure_name(src: str) -> str:
    return "a data URI" if src.startswith("data:") else src.rsplit("/", 1)[-1]


def small_text(src: str, shown_width: float) -> str | None:
    """What is wrong with the smallest text of a figure shown `shown_width` CSS px wide, if anything."""
    with png_image(src) as image:
        if PNG_DPI_KEY not in image.text or PNG_FONT_KEY not in image.text:
            return f"no {PNG_DPI_KEY}/{PNG_FONT_KEY} in the PNG (not drawn by bp.plotting)"
        dpi, font_pt = float(image.text[PNG_DPI_KEY]), float(image.text[PNG_FONT_KEY])
        text_px = font_pt / 72 * dpi * shown_width / image.width
    return None if text_px >= MIN_TEXT_PX else f"smallest text {text_px:.1f} CSS px"


@pytest.mark.parametrize("name", PAGES)
def test_figures_are_sharp_on_2x_screens(survey, name):
    # At desktop width each figure must have at least two image pixels per CSS pixel.
    blurry = [f"{figure_name(f['src'])} ({f['alt']}...): {f['natural']} px wide, shown at {f['shown']} CSS px"
              for f in survey(name, DESKTOP).figures if f["natural"] < SHARPNESS * f["shown"]]
    assert blurry == [], f"{name}: figures with fewer than 2 pixels per CSS pixel at {DESKTOP} px"


@pytest.mark.parametrize("name", PAGES)
def test_figure_text_is_readable_on_a_phone(survey, name):
    # At phone width, no text in any figure (any frame of an explorer) under MIN_TEXT_PX CSS px.
    small = []
    for figure in survey(name, PHONE).figures:
        problems = [p for p in (small_text(src, figure["shown"]) for src in figure["frames"]) if p]
        if problems:  # one line per figure (an explorer's frames are alike)
            frames = f" ({len(problems)} of its {len(figure['frames'])} frames)" if len(figure["frames"]) > 1 else ""
            small.append(f"{figure_name(figure['src'])} ({figure['alt']}...){frames}, "
                         f"shown {figure['shown']} CSS px wide: {problems[0]}")
    assert small == [], f"{name}: figure text under {MIN_TEXT_PX:g} CSS px at {PHONE} px"


# --- Maths -----------------------------------------------------------------------

MATHS_STATE = """() => {
    const maths = [...document.querySelectorAll(".math")];
    const main = document.querySelector("main") || document.body;
    const prose = main.cloneNode(true);
    prose.querySelectorAll("pre, code, script, style, .highlight").forEach(e => e.remove());
    return {count: maths.length, containers: document.querySelectorAll("mjx-container").length,
            raw: maths.filter(m => !m.querySelector("mjx-container")).map(m => m.textContent.slice(0, 60)),
            dollars: prose.textContent.includes("$$")};
}"""


def test_maths_is_typeset(survey, book):
    with_maths = [name for name in PAGES if 'class="math' in (book / name).read_text()]
    assert with_maths, "no page has maths, but the notation page should"
    for name in with_maths:
        result = survey(name).maths
        assert result["count"] > 0 and result["containers"] > 0, f"{name}: MathJax produced nothing"
        assert result["raw"] == [], f"{name}: maths left untypeset"
        assert not result["dollars"], f"{name}: raw $$ left in the text"


MATHJAX_SCRIPT = re.compile(r"<script[^>]+src=\"([^\"]*mathjax[^\"]*)\"", flags=re.IGNORECASE)


def test_mathjax_is_loaded_only_on_pages_with_maths(book):
    # MathJax is 1.2 MB: a page without maths must not load it (Sphinx would give it
    # to the root page too, whose table of contents holds pages with maths).
    loads = {name: bool(MATHJAX_SCRIPT.search((book / name).read_text())) for name in PAGES}
    has_maths = {name: 'class="math' in (book / name).read_text() for name in PAGES}
    assert any(has_maths.values()) and not all(has_maths.values()), f"pages with maths: {has_maths}"
    assert loads == has_maths, "pages that load MathJax (True) do not match the pages with maths"


# Every display equation box at the phone's width: is its content wider than the box, and
# does the box scroll sideways and show it (a gradient: the scroll shadows)?  The boxes are
# the theme's div.math (clips what overflows) and MathJax's container inside it (scrolls).
EQUATIONS = """() => [...document.querySelectorAll("div.math, div.math mjx-container[display='true']")].map(box => {
    const style = getComputedStyle(box);
    return {tex: box.closest("div.math").textContent.trim().slice(0, 50), tag: box.tagName.toLowerCase(),
            wide: box.scrollWidth > box.clientWidth + 1, overflow: style.overflowX,
            hint: style.backgroundImage.includes("gradient")};
})"""


# Every inline formula at the phone's width, with folded boxes unfolded: how far does it
# stick out of the block it sits in?  An inline formula does not wrap and cannot scroll, so
# what sticks out is cut off (inside a box) or widens the page.
INLINE_OVERFLOW = """() => {
    document.querySelectorAll('main .admonition.toggle-hidden').forEach(b => b.classList.remove('toggle-hidden'));
    return [...document.querySelectorAll("main mjx-container:not([display='true'])")].map(m => {
        const block = m.closest("p, li, dd, dt, td, th, div");
        return {tex: (m.getAttribute("aria-label") || m.textContent).slice(0, 50),
                over: m.getBoundingClientRect().right - block.getBoundingClientRect().right};
    }).filter(m => m.over > 6);
}"""


def test_maths_fits_a_phone_column(survey, book):
    """Wide display equations scroll and show it; no inline formula sticks out of its line."""
    with_maths = [name for name in PAGES if 'class="math' in (book / name).read_text()]
    assert any('<div class="math' in (book / name).read_text() for name in with_maths), "no display equation"
    wide, too_long = 0, []
    for name in with_maths:
        page = survey(name, PHONE)
        for box in page.equations:
            if box["wide"]:
                wide += 1
                assert box["overflow"] in ("auto", "scroll"), f"{name}: {box['tex']!r} is cut off ({box['tag']})"
                assert box["hint"], f"{name}: {box['tex']!r} scrolls but nothing shows it ({box['tag']})"
        too_long += [f"{name}: {m['tex']!r} sticks out {m['over']:.0f} px" for m in page.inline_overflow]
    assert wide, f"no display equation is wider than a {PHONE}-px phone: is this check still needed?"
    assert not too_long, ("inline formulas wider than a phone's line (make them display equations):\n  "
                          + "\n  ".join(too_long))


def test_the_site_ships_its_own_mathjax(book, mathjax):
    """With the npm copy installed, pages load MathJax from _static (offline), never from a CDN."""
    with_maths = [name for name in PAGES if 'class="math' in (book / name).read_text()]
    assert with_maths, "no page has maths, but the notation page should"
    for name in with_maths:
        scripts = MATHJAX_SCRIPT.findall((book / name).read_text())
        assert scripts, f"{name}: no MathJax script"
        for src in scripts:
            assert not src.startswith(("http:", "https:", "//")), f"{name}: MathJax from outside: {src}"
            assert (book / name).parent.joinpath(src.split("?")[0]).resolve().is_file(), f"{name}: {src} missing"


def has_explorer(name: str) -> bool:
    """Does the built page hold an explorer (bp.widgets.explorer)?"""
    return (HTML / name).exists() and 'class="bp-explorer"' in (HTML / name).read_text()


def explorer_pages() -> list[str]:
    return [name for name in PAGES if has_explorer(name)]


STATE = """root => {
    const img = root.querySelector("img");
    return {src: img.src, alt: img.alt, key: img.dataset.frameKey, loading: img.loading,
            note: root.querySelector(".bp-note").textContent,
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


def png_values(src: str) -> dict:
    """The control values recorded in a frame's PNG when it was drawn."""
    with png_image(src) as image:
        return json.loads(image.text[PNG_KEY])


def check_web_note(note: str, where: str):
    """The explorer's note is the web's: no cell to run here, but Binder and Colab."""
    note = " ".join(note.split())
    assert note.startswith("Static preview"), f"{where}: the note does not say it is a static preview: {note!r}"
    for words in ("Binder", "Colab", "rocket button"):
        assert words in note, f"{where}: the note does not mention {words!r}: {note!r}"
    assert "cell" not in note, f"{where}: the note speaks of a cell, as in JupyterLab: {note!r}"


def check_frame_matches_controls(state: dict, where: str):
    """The image shown is the frame drawn for the values the controls show."""
    shown = {c["name"]: c["shown"] for c in state["controls"]}
    assert png_values(state["src"]) == shown, f"{where}: the image was drawn for other values than the controls show"
    assert json.loads(state["key"]) == shown, f"{where}: data-frame-key does not match the controls"
    check_web_note(state["note"], where)
    table_alt = {f["key"]: f["alt"] for f in state["frames"]}
    assert state["alt"].strip() and state["alt"] == table_alt[state["key"]], f"{where}: wrong alt text"
    for c in state["controls"]:
        assert c["label"], f"{where}: control {c['name']} has no label"
        if c["tag"] == "INPUT":
            assert c["valuetext"] == c["shown"] and c["live"] == "polite", f"{where}: readout of {c['name']}"


def walk_controls(page, root, where: str, every_value: bool = True) -> int:
    """Move every control of one explorer through all its values (or only its first two, if not
    ``every_value``); return how many frames were seen."""
    state = root.evaluate(STATE)
    check_frame_matches_controls(state, f"{where} (initial)")
    seen = {state["src"]}
    for control in state["controls"]:
        element = root.locator(f"#{control['id']}")
        for step in range(control["count"] if every_value else min(2, control["count"])):
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


def check_explorers(page: Visit, name: str, every_value: bool = True):
    """Every explorer of the page follows its controls through all their values (or their first two).
    (Run in the page's desktop survey for the page served over HTTP, as it moves the controls.)"""
    roots = page.page.locator(".bp-explorer")
    assert roots.count() > 0, f"{name}: explorer HTML present but no .bp-explorer element rendered"
    for i in range(roots.count()):
        root = roots.nth(i)
        frames = walk_controls(page.page, root, f"{name} explorer {i + 1}", every_value)
        assert frames > 1, f"{name} explorer {i + 1}: moving the controls never changed the image"
    # (console messages and outside requests are checked page by page above)
    assert page.page_errors == [], f"{name}: uncaught JavaScript errors"


@pytest.mark.parametrize("from_disk", [False, True], ids=["served", "from-disk"])
def test_explorers_follow_their_controls(survey, visit, book, from_disk):
    # Served over HTTP, every control of every explorer goes through all its values. Opened from
    # disk (file://), each control moves to its second value: enough to show that the frames load
    # and follow the controls there too, at a fraction of the time (the full walk took a minute).
    pages = explorer_pages()
    assert pages, "no page in _toc.yml has an explorer, but the introduction should have the demo"
    for name in pages:
        if from_disk:
            check_explorers(visit(name, from_disk=True), name, every_value=False)
        else:
            raise_outcome(survey(name).explorers_failure)  # check_explorers, run in the survey


def test_explorer_frames_are_files_fetched_when_shown(survey, book):
    # Frames as data URIs would all be downloaded with the page (megabytes): they must be
    # files, and a first visit fetches at most the one frame each explorer shows.
    for name in explorer_pages():
        page = survey(name)  # once settled
        shown_frames = set()
        for i, state in enumerate(page.explorers):
            where = f"{name} explorer {i + 1}"
            sources = [urllib.parse.urljoin(page.url, f["src"]) for f in state["frames"]]
            inline = [src[:40] for src in sources + [state["src"]] if src.startswith("data:")]
            assert inline == [], f"{where}: {len(inline)} frames are data URIs in the page, not files"
            missing = [src for src in sources if not local_file(src).is_file()]
            assert missing == [], f"{where}: frames whose file is missing"
            assert state["loading"] == "lazy", f"{where}: the image is not loading='lazy'"
            shown_frames.update(sources)
        fetched = [url for url, _ in page.finished if url in shown_frames]
        assert len(fetched) <= len(page.explorers), f"{name}: a first visit fetched {len(fetched)} frames"


# --- Weight: what a first visit downloads -----------------------------------------

KINDS = {"document": "HTML", "stylesheet": "CSS", "script": "JS", "font": "fonts", "image": "images"}


class WeightReport:
    """A pytest plugin that prints every page's weight in the run's terminal summary."""

    def __init__(self):
        self.pages = {}  # page -> bytes downloaded, by kind of resource

    def pytest_terminal_summary(self, terminalreporter):
        if self.pages:
            terminalreporter.write_sep("-", f"first view at {DESKTOP} px: bytes downloaded "
                                            f"(limit {MAX_FIRST_VIEW_BYTES:,})")
            for line in weight_table(self.pages):
                terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def weights(request) -> dict[str, dict[str, int]]:
    report = WeightReport()
    request.config.pluginmanager.register(report, "bp-page-weights")
    return report.pages


def weight_table(table: dict[str, dict[str, int]]) -> list[str]:
    columns = [*KINDS.values(), "other"]
    width = max(len(name) for name in table)
    lines = [f"{'page':<{width}} {'total':>10} " + " ".join(f"{c:>9}" for c in columns)]
    for name, kinds in sorted(table.items(), key=lambda item: -sum(item[1].values())):
        by_column = collections.Counter({KINDS.get(kind, "other"): size for kind, size in kinds.items()})
        lines.append(f"{name:<{width}} {sum(kinds.values()):>10,} " + " ".join(f"{by_column[c]:>9,}" for c in columns))
    return lines


@pytest.mark.parametrize("name", PAGES)
def test_first_view_weighs_at_most_the_limit(survey, weights, name):
    # Everything the browser downloads to show the page, from an empty cache, until
    # MathJax has typeset it and nothing more is asked for (lazy images wait their turn).
    weights[name] = survey(name).downloaded
    total = sum(weights[name].values())
    assert total <= MAX_FIRST_VIEW_BYTES, (
        f"{name} downloads {total:,} bytes on a first view, over {MAX_FIRST_VIEW_BYTES:,}:\n"
        + "\n".join(weight_table({name: weights[name]})))


def test_no_source_maps_are_shipped(book):
    # The theme's .map files (3.4 MB) serve only a developer's browser tools.
    maps = [path.relative_to(book).as_posix() for path in book.rglob("*.map")]
    assert maps == [], "source maps in the site"


@pytest.mark.parametrize("name", PAGES)
def test_page_size_is_bounded(book, name):
    size = (book / name).stat().st_size
    assert size <= MAX_PAGE_BYTES, f"{name} is {size / 1e6:.1f} MB, over {MAX_PAGE_BYTES / 1e6:.0f} MB"


# Every folded box of the page's content: hints, "Going deeper" boxes and solutions
# (admonitions with :class: dropdown, which sphinx-togglebutton folds).
FOLDED_BOXES = """() => [...document.querySelectorAll('main .admonition.dropdown')].map((box, k) => {
    box.dataset.bpFold = String(k);
    const body = [...box.children].filter(c => !c.classList.contains('admonition-title'));
    return {key: String(k), title: (box.querySelector('.admonition-title') || box).textContent.trim().slice(0, 60),
            // sphinx-togglebutton folds with visibility: hidden and height 0, not display: none.
            bodyShown: body.some(c => c.checkVisibility({visibilityProperty: true})
                                      && c.getBoundingClientRect().height > 0)};
})"""


def check_folded_boxes(page, name: str):
    """Hints, "Going deeper" boxes and solutions are folded, and each opens when its title
    is clicked.  (Run in the page's desktop survey, as it clicks; it leaves them open.)"""
    boxes = page.evaluate(FOLDED_BOXES)
    problems = [f"{box['title']!r} is open before any click" for box in boxes if box["bodyShown"]]
    for box in boxes:
        # Near the title's left end: a solution's title ends in a link to its exercise.
        page.locator(f'main [data-bp-fold="{box["key"]}"] .admonition-title').first.click(position={"x": 12, "y": 8})
    page.wait_for_timeout(400)  # the unfolding is a 0.3 s transition
    problems += [f"{box['title']!r} does not open when its title is clicked"
                 for box in page.evaluate(FOLDED_BOXES) if not box["bodyShown"]]
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name", PAGES)
def test_hints_deeper_boxes_and_solutions_are_folded_until_clicked(survey, name):
    raise_outcome(survey(name).folding_failure)  # check_folded_boxes, run in the survey


@pytest.mark.parametrize("name", PAGES)
def test_book_checks_are_not_on_the_page(book, name):
    # Cells that only keep the text true ("# Book check: ...") are tagged remove-cell.
    assert "# Book check" not in (book / name).read_text(), f"{name} shows a book-maintenance check"
