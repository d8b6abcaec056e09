"""The "Run live in your browser" site (_ext/live_notebooks.py): JupyterLite with Pyodide.

What is proven here, on a machine that reaches no outside server:

* the pins agree: npm's Pyodide is the version jupyterlite-pyodide-kernel
  expects, and requirements-browser.txt holds Pyodide's own versions;
* the built site: every notebook page has the button, its link opens that
  notebook in the live site, the notebooks there have no outputs, and the
  lockfile points every package the kernel and ``import bp`` need at the
  site's own copy, except the compiled scientific packages, which point at
  Pyodide's CDN under the expected version;
* in headless Chromium, with every outside request refused and logged: the
  kernel starts from the site's Pyodide core, an ipywidgets slider's Python
  callback fires when the slider moves, ``import bp`` installs bp's wheel from
  the site, and the only outside requests are for the compiled scientific
  packages, on Pyodide's CDN.

What cannot be proven here: that numpy and matplotlib then load from the CDN
and a chapter runs to its end (README.md, "Run it live", says so).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from pathlib import Path

import pytest
from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION
from packaging.utils import canonicalize_name

from test_html import PAGES, book, server  # noqa: F401  (fixtures: the built book, served)

ROOT = Path(__file__).resolve().parents[1]
CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
# The compiled packages that only Pyodide's CDN has (no npm or PyPI copy for the browser).
COMPILED = {"numpy", "matplotlib", "contourpy", "kiwisolver", "pillow", "scikit-learn", "scipy"}
# What the kernel loads as it starts (jupyterlite-pyodide-kernel's worker), and what
# the explorers need.
KERNEL = ["micropip", "ipython", "jedi", "comm", "ipywidgets"]
NOTEBOOK_PAGES = [p for p in PAGES if (ROOT / p.replace(".html", ".ipynb")).is_file()]


def pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return dict(line.split("==") for line in lines if "==" in line)


def canonical(name: str) -> str:
    """A project name as lockfiles write it (PEP 503: prompt_toolkit -> prompt-toolkit)."""
    return str(canonicalize_name(name))


def code_of(notebook: Path) -> str:
    """All the code cells of a notebook, one after another."""
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_npm_pyodide_is_the_version_the_kernel_expects():
    package = json.loads((ROOT / "package.json").read_text())
    assert package["devDependencies"]["pyodide"] == PYODIDE_VERSION, (
        f"package.json pins pyodide {package['devDependencies']['pyodide']}, "
        f"jupyterlite-pyodide-kernel expects {PYODIDE_VERSION}")
    installed = json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text())["version"]
    assert installed == PYODIDE_VERSION, "node_modules/pyodide is stale: run `npm ci`"


def test_browser_wheels_are_pyodides_own_versions():
    lock = json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    browser = {canonical(k): v for k, v in pins(ROOT / "requirements-browser.txt").items()}
    differ = {name: (version, lock[name]["version"]) for name, version in browser.items()
              if name in lock and lock[name]["version"] != version}
    assert differ == {}, f"requirements-browser.txt vs Pyodide's lockfile (ours, theirs): {differ}"
    # And the explorers' ipywidgets is the one the notebooks are tested with.
    assert browser["ipywidgets"] == pins(ROOT / "requirements.txt")["ipywidgets"]


@pytest.fixture(scope="module")
def lite(book) -> Path:  # noqa: F811
    site = book / "lite"
    assert (site / "notebooks" / "index.html").is_file(), "no live site in the built book (see _ext/live_notebooks.py)"
    return site


@pytest.fixture(scope="module")
def lock(lite) -> dict:
    return json.loads((lite / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]


def closure(lock: dict, roots: list[str]) -> set[str]:
    seen, todo = set(), list(roots)
    while todo:
        name = canonical(todo.pop())
        if name not in seen:
            seen.add(name)
            todo += lock[name]["depends"]
    return seen


def notebook_imports() -> set[str]:
    """The top-level modules the book's notebooks import."""
    found = set()
    for name in NOTEBOOK_PAGES:
        found |= set(re.findall(r"^\s*(?:import|from)\s+(\w+)", code_of(ROOT / name.replace(".html", ".ipynb")), re.M))
    return found


def test_the_site_serves_all_but_the_compiled_scientific_packages(lite, lock):
    by_import = {module: name for name, entry in lock.items() for module in entry["imports"]}
    imported = notebook_imports() - set(sys.stdlib_module_names)
    assert imported - set(by_import) == set(), "imported by a chapter, unknown to Pyodide"
    needed = closure(lock, KERNEL + [by_import[module] for module in imported])
    remote = {name for name in needed if lock[name]["file_name"].startswith("http")}
    assert remote == COMPILED, f"from outside: {sorted(remote)}; expected only {sorted(COMPILED)}"
    assert all(lock[name]["file_name"].startswith(CDN) for name in remote)
    for name in needed - remote:
        wheel = lite / "static" / "pyodide" / lock[name]["file_name"]
        assert wheel.is_file(), f"{name}: {wheel} is not in the site"
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == lock[name]["sha256"], f"{name}: wrong sha256"
    assert set(lock["bp"]["depends"]) == {"numpy", "matplotlib", "ipywidgets"}
    assert lock["bp"]["imports"] == ["bp"]


def test_the_shipped_bp_is_this_checkouts(lite, lock):
    import zipfile

    with zipfile.ZipFile(lite / "static" / "pyodide" / lock["bp"]["file_name"]) as wheel:
        shipped = {n: wheel.read(n) for n in wheel.namelist() if n.startswith("bp/")}
    here = {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in (ROOT / "bp").glob("*.py")}
    assert shipped == here


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_every_notebook_page_has_the_run_live_button(book, lite, name):  # noqa: F811
    html = (book / name).read_text(encoding="utf-8")
    links = re.findall(r'<a class="bp-live-button" href="([^"]+)"', html)
    assert len(links) == 1, f"{name}: {len(links)} Run live buttons"
    # The launch menu (the rocket) offers the same, first, before Binder and Colab.
    menu = re.search(r'<div class="dropdown dropdown-launch-buttons">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)"', menu)[0] == links[0], f"{name}: launch menu"
    assert "Live in your browser" in menu.split("Binder")[0]
    app, query = links[0].split("?path=")
    assert (book / name).parent.joinpath(app).resolve() == (lite / "notebooks" / "index.html").resolve()
    notebook = json.loads((lite / "files" / query).read_text())
    source = json.loads((ROOT / query).read_text())
    # The same cells, with a note for the live reader right under the title.
    live = [c["source"] for c in notebook["cells"]]
    title = next(k for k, cell in enumerate(source["cells"]) if "".join(cell["source"]).startswith("# "))
    assert "".join(live[title + 1]).startswith("> **You are running this notebook live, in your browser.**")
    assert live[:title + 1] + live[title + 2:] == [c["source"] for c in source["cells"]]
    assert all(c.get("outputs", []) == [] for c in notebook["cells"]), "outputs left in the live copy"


def test_no_page_without_a_notebook_has_the_button(book):  # noqa: F811
    for name in set(PAGES) - set(NOTEBOOK_PAGES):
        assert "bp-live-button" not in (book / name).read_text(encoding="utf-8"), name


MAX_LIVE_SITE_BYTES = 60_000_000   # lite/: the app, the Pyodide core, the wheels, the notebooks


def test_the_live_site_stays_small(lite, book):  # noqa: F811
    """Its size, by part (printed with -s), within a bound; none of it is loaded before the button is pressed."""
    parts: dict[str, int] = {}
    for path in lite.rglob("*"):
        if path.is_file():
            part = "/".join(path.relative_to(lite).parts[:2]) if path.parts[-2] == "pyodide" or "static" in path.relative_to(lite).parts[:1] else path.relative_to(lite).parts[0]
            parts[part] = parts.get(part, 0) + path.stat().st_size
    total = sum(parts.values())
    book_total = sum(p.stat().st_size for p in book.rglob("*") if p.is_file())
    print(f"\nlive site {total:,} bytes of the built book's {book_total:,}:")
    for part, size in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"  {part:<24} {size:>12,}")
    assert total <= MAX_LIVE_SITE_BYTES, f"lite/ is {total:,} bytes, over {MAX_LIVE_SITE_BYTES:,}"


# --- In the browser -------------------------------------------------------------------------

def test_from_disk_the_button_says_to_serve_the_book(browser, book):  # noqa: F811
    # A page opened from disk cannot start the live site: its note says what to do instead.
    page = browser.new_page()
    try:
        page.goto((book / "chapters" / "01_learning_from_errors.html").as_uri())
        note = page.locator(".bp-live-note").inner_text()
    finally:
        page.close()
    assert note.startswith("Run live needs the book served over HTTP"), note


KERNEL_READY = ".jp-KernelStatus-success"   # the toolbar's kernel status: idle
STARTUP_S = 180                              # Pyodide's start on a slow, busy 2-core machine


def run_cell_at_top(page, code: str, timeout_s: float = 120) -> str:
    """Insert a code cell above the first one, run it, and return its output's text."""
    page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("a")          # a new cell above, selected
    page.keyboard.press("Enter")      # edit it
    page.keyboard.insert_text(code)   # as pasted text: no brackets closed automatically
    page.keyboard.press("Control+Enter")
    cell = page.locator(".jp-Notebook .jp-Cell").first
    deadline = time.monotonic() + timeout_s
    while "[*]" in cell.locator(".jp-InputPrompt").inner_text() or cell.locator(".jp-InputPrompt").inner_text().strip() == "[ ]:":
        assert time.monotonic() < deadline, f"cell still running after {timeout_s} s:\n{code}"
        time.sleep(0.25)
    return cell.locator(".jp-OutputArea").inner_text()


def test_a_chapter_runs_live_from_the_site_alone(browser, server, lite):  # noqa: F811
    outside, local = [], []
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(request_route):
        url = request_route.request.url
        if url.startswith(server):
            local.append(url[len(server):])
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    chapter = context.new_page()
    try:
        # The reader's way in: the button on the chapter's page opens a new tab.
        chapter.goto(server + "chapters/01_learning_from_errors.html")
        chapter.wait_for_load_state("networkidle")
        assert [url for url in local if url.startswith("lite/")] == [], "the page loaded the live site unasked"
        with context.expect_page() as opened:
            chapter.get_by_role("link", name="Run live in your browser").click()
        page = opened.value
        page.wait_for_selector(KERNEL_READY, timeout=STARTUP_S * 1000)
        assert page.url.startswith(server + "lite/notebooks/")
        assert page.locator(".jp-Notebook h1").first.inner_text().startswith("Learning from mistakes")
        assert "lite/static/pyodide/pyodide.asm.wasm" in local, "the Pyodide core did not come from the site"

        # A widget's Python callback: the slider moves in the page, Python answers in a label.
        shown = run_cell_at_top(page, (
            "import ipywidgets as widgets\n"
            "slider = widgets.IntSlider(value=3, min=0, max=10, description='k')\n"
            "answer = widgets.Label('no callback yet')\n"
            "slider.observe(lambda change: setattr(answer, 'value', f\"Python saw k = {change['new']}\"), 'value')\n"
            "widgets.VBox([slider, answer])"
        ))
        slider = page.locator(".jp-Notebook .jp-Cell").first.locator(".widget-slider .noUi-handle")
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_selector("text=Python saw k = 4", timeout=30_000)

        # import bp: Pyodide installs bp's wheel from the site, then asks the CDN for numpy,
        # which this machine cannot reach.
        shown = run_cell_at_top(page, "import bp")
        assert "numpy" in shown, f"import bp without the CDN should fail on numpy, showed:\n{shown}"
        shown = run_cell_at_top(page, "import importlib.metadata as m, importlib.util as u\n"
                                      "print('bp', m.version('bp'), u.find_spec('bp') is not None)")
        assert "bp 0.1.0 True" in shown, shown
        assert any(re.fullmatch(r"lite/static/pyodide/bp-[^/]+\.whl", url) for url in local)
    finally:
        context.close()

    wanted = {canonical(url[len(CDN):].split("-")[0]) for url in outside if url.startswith(CDN)}
    elsewhere = [url for url in outside if not url.startswith(CDN)]
    assert elsewhere == [], f"requests to outside servers other than Pyodide's CDN: {elsewhere}"
    assert wanted <= COMPILED and "numpy" in wanted, f"asked the CDN for {sorted(wanted)}"


def test_what_the_readme_says_of_the_live_site_is_true(lock):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/" in readme
    assert lock["numpy"]["version"] == pins(ROOT / "requirements.txt")["numpy"], "README: 'numpy is the version pinned here'"
    theirs = ".".join(lock["matplotlib"]["version"].split(".")[:2])
    ours = ".".join(pins(ROOT / "requirements.txt")["matplotlib"].split(".")[:2])
    assert f"its matplotlib is its own\n({theirs})" in readme and theirs != ours
    listed = re.search(r"compiled dependencies \(([^)]*)\)", readme).group(1)
    assert {"numpy", "matplotlib", *re.split(r", | and ", listed), "scikit-learn", "scipy"} == COMPILED
    assert "and for Chapter 8 scikit-learn and scipy" in readme


def chapters_whose_code(pattern: str) -> list[int]:
    return [int(path.name[:2]) for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
            if re.search(pattern, code_of(path))]


def test_the_chapters_named_as_timing_in_the_browser_are_those_that_time():
    timing = chapters_whose_code(r"perf_counter|process_time|\.time\b")
    sklearn = chapters_whose_code(r"\bsklearn\b")
    assert (timing, sklearn) == ([2, 5, 6, 8], [8])
    intro = "".join(json.loads((ROOT / "intro.ipynb").read_text())["cells"][7]["source"])
    assert "time code (in Chapters 2,\n5, 6 and 8) or compare with scikit-learn (Chapter 8)" in intro
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "time code (in Chapters 2, 5, 6 and 8) or compare with scikit-learn\n(Chapter 8)" in readme
