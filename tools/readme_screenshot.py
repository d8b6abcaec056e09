"""Make the README's picture of the book, images/book-screenshot.png.

It serves a built book on 127.0.0.1, opens a chapter in headless Chromium at
1280x800, scrolls its first explorer near the top of the window (so that the
table of contents, the explorer and the page's sections are all in view) and
saves a screenshot.  Redo the picture whenever the book's look changes::

    ./book build                                    # the book, in _build/html
    .venv/bin/python tools/readme_screenshot.py     # -> images/book-screenshot.png

Options: ``--html DIR`` (a built book, default _build/html), ``--page``
(default chapters/01_learning_from_errors.html), ``--out`` (default
images/book-screenshot.png).  Chromium is the one the browser test uses
(BP_CHROMIUM, /usr/bin/chromium, or one on PATH), else Playwright's own
(``.venv/bin/playwright install chromium``).  Nothing is fetched from outside:
maths renders only when the book ships MathJax (``npm ci`` before the build).
If you change the page, check the README's alt text still describes the picture.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import os
import shutil
import sys
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 800
ABOVE_EXPLORER = 250  # at most this many pixels of the page are shown above the explorer
# Scroll the explorer's notebook cell (its code, then the explorer) to just
# under the sticky header bar; if the code is long, show only its end.
SCROLL_TO = """(explorer, most) => {
    const header = document.querySelector(".bd-header");
    const below = (header ? header.getBoundingClientRect().height : 0) + 16;
    const cell = explorer.closest(".cell") || explorer;
    const y = el => el.getBoundingClientRect().top + window.scrollY;
    const top = Math.max(y(cell), y(explorer) - most);
    window.scrollTo({top: top - below, behavior: "instant"});
}"""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def chromium() -> str | None:
    """The Chromium the browser test uses, or None for Playwright's own."""
    candidates = [os.environ.get("BP_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    return next((c for c in candidates if c and Path(c).exists()), None)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def serve(directory: Path) -> http.server.ThreadingHTTPServer:
    """An HTTP server of directory on 127.0.0.1, on a free port, in a background thread."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def screenshot(html: Path, page_name: str, out: Path) -> None:
    server = serve(html)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    blocked = []

    def local_only(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT},
                                          device_scale_factor=1, color_scheme="light")
            page = context.new_page()
            page.route("**/*", local_only)
            page.goto(base + page_name, wait_until="load")
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            page.evaluate("() => document.fonts.ready.then(() => true)")
            explorer = page.locator(".bp-explorer").first
            if explorer.count() == 0:
                sys.exit(f"{page_name} has no explorer (.bp-explorer): choose another page with --page")
            explorer.evaluate(SCROLL_TO, ABOVE_EXPLORER)
            page.wait_for_timeout(500)  # the theme highlights the section in view
            png = page.screenshot()
            browser.close()
    finally:
        server.shutdown()
    # A palette PNG: a third of the size, and the page's flat colours survive.
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, optimize=True)
    print(f"wrote {out} ({image.width}x{image.height}, {out.stat().st_size // 1024} KiB) from {page_name}")
    if blocked:
        print(f"note: blocked {len(blocked)} requests to outside servers, e.g. {blocked[0]}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="a built book (default _build/html)")
    parser.add_argument("--page", default="chapters/01_learning_from_errors.html", help="the page to show")
    parser.add_argument("--out", type=Path, default=ROOT / "images" / "book-screenshot.png", help="the PNG to write")
    args = parser.parse_args()
    if not (args.html / args.page).is_file():
        sys.exit(f"{args.html / args.page} not found: build the book first (./book build)")
    if not (args.html / "_static" / "mathjax").is_dir():
        print("note: this book has no local MathJax (run `npm ci` before building): maths will not render",
              file=sys.stderr)
    screenshot(args.html.resolve(), args.page, args.out)


if __name__ == "__main__":
    main()
