"""The notebooks as a reader sees them in JupyterLab, with jupyterlab-myst, in headless Chromium.

Readers open the notebooks in JupyterLab (``./book lab``, Binder), where
jupyterlab-myst (requirements.txt) renders their MyST markup. This test starts
one JupyterLab server, opens every notebook in _toc.yml and
chapters/template.ipynb at ``/lab/tree/<path>`` without running anything (no
kernel is started), waits until jupyterlab-myst has rendered every markdown
cell, and checks, for each notebook:

* no raw markup in the rendered markdown: no role such as ``{numref}`` or
  ``{cite:t}`` shown as text, no ``:label:``, ``:class:``, ```` ```{ ```` or
  ``:::{``, and no directive that jupyterlab-myst does not know (it shows those
  as "Unknown Directive" boxes);
* every cross-reference resolves (jupyterlab-myst marks the ones it cannot
  resolve "Cross Reference Not Found" and shows the bare label), and no link
  points at a file that does not exist; citations cannot resolve there (no
  bibliography), so each shows its bibtex key, which must read as Author Year
  (Rumelhart1986);
* every formula typesets (KaTeX errors, e.g. an undefined macro, are shown
  as raw LaTeX);
* exercises, algorithms and admonitions render as boxes; every hint and
  "Going deeper" box is folded; every solution is
  folded, its text and the check cell after it hidden until clicked, as in the
  HTML book (a solution gated across cells, ``solution-start``, cannot fold
  there and is refused);
* every explorer output (bp.widgets.explorer) shows its saved static preview
  with the note worded for JupyterLab ("Static preview ... Run this cell").

Each failure lists every problem with the notebook's cell index (0-based, as
in the .ipynb file) and the text around it.

The server runs with private Jupyter config, data and runtime directories
under pytest's tmp_path, so it neither reads nor changes the user's settings;
its settings switch off JupyterLab's cell virtualisation (windowingMode
"none": every cell is in the page) and its page config tells notebooks not to
start a kernel.

How to run it
-------------
``./book test`` runs it with the other tests. By hand::

    BP_REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/test_jupyterlab.py

Without Chromium (/usr/bin/chromium, or BP_CHROMIUM) or Playwright the test
is skipped, unless BP_REQUIRE_BROWSER=1, when it fails (CI sets it).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_book_build import CONVENTION_NOTEBOOKS
from test_conventions import fenced_blocks

ROOT = Path(__file__).resolve().parents[1]
SERVER_START_TIMEOUT = 120  # s; JupyterLab takes a few seconds, more on a busy machine
RENDER_TIMEOUT = 120_000  # ms, for one notebook to load and render

# What the explorer's saved static view must say in JupyterLab (bp.widgets.NOTE).
EXPLORER_NOTE = ("Static preview", "Run this cell")

# Markup that must never show as text. A role is {name}`...` (numref, cite:t,
# cite:p, cite, doc, prf:ref, ref, eq, term, ...).
RAW_MARKUP = [
    ("role", re.compile(r"\{[A-Za-z][\w:.+-]*\}`")),
    ("directive option", re.compile(r"(?<![\w:]):(?:label|class|name):")),
    ("directive fence", re.compile(r"```+\{|~~~+\{")),
    ("directive fence", re.compile(r":::+\{")),
    ("target", re.compile(r"(?m)^\s*\([\w:.-]+\)=\s*$")),
]
ADMONITIONS = {"admonition", "note", "tip", "hint", "important", "attention", "caution", "warning",
               "danger", "error", "seealso"}
DIRECTIVE = re.compile(r"^ *(?:`{3,}|~{3,}|:{3,})\{([\w:-]+)\}(.*)$", re.MULTILINE)


def toc_notebooks() -> list[str]:
    """The notebooks in _toc.yml, then the chapter template, as paths from the repository's root."""
    return [path.relative_to(ROOT).as_posix() for path in CONVENTION_NOTEBOOKS]


NOTEBOOKS = toc_notebooks()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    # (`browser`, from tests/conftest.py, first: without Chromium the test skips before starting a server)
    """One JupyterLab server on the repository, with private settings; yields (base URL, token)."""
    for module, pin in [("jupyterlab", "requirements-dev.txt"), ("jupyterlab_myst", "requirements.txt")]:
        if importlib.util.find_spec(module) is None:
            pytest.fail(f"{module} is not installed in {sys.prefix}: pip install -r {pin}")
    home = tmp_path_factory.mktemp("jupyter")
    config, data, runtime = home / "config", home / "data", home / "runtime"
    settings = config / "lab" / "user-settings" / "@jupyterlab"
    user_settings = {
        # Every cell in the page, not only those near the viewport (JupyterLab 4 virtualises).
        "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        # No news or update pop-ups (and no requests for them).
        "apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                 "checkForUpdates": False},
    }
    for name, value in user_settings.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    (config / "labconfig").mkdir(parents=True)
    # Open notebooks without starting a kernel (and without asking which one).
    (config / "labconfig" / "page_config.json").write_text(json.dumps({"notebookStartsKernel": "false"}))
    data.mkdir()
    runtime.mkdir()

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER_", "JUPYTERLAB_")) and k != "IPYTHONDIR"}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_DATA_DIR=str(data), JUPYTER_RUNTIME_DIR=str(runtime),
               JUPYTERLAB_SETTINGS_DIR=str(config / "lab" / "user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(config / "lab" / "workspaces"), IPYTHONDIR=str(home / "ipython"))
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter), "lab"] if jupyter.exists() else [sys.executable, "-m", "jupyterlab"]
    token, port = secrets.token_hex(16), free_port()
    command += ["--no-browser", f"--ServerApp.token={token}", "--port", str(port), "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={ROOT}", "--allow-root"]
    log = (home / "lab.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}:\n{(home / 'lab.log').read_text()[-5000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n"
                            f"{(home / 'lab.log').read_text()[-5000:]}")
            time.sleep(0.3)
        yield base, token
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def page(browser, lab):
    """One page in the session's Chromium (tests/conftest.py), for every notebook."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


# --- Reading the notebook files ----------------------------------------------------------------

def cell_source(cell) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def literal_code(markdown: str) -> str:
    """Inline code spans and fenced code blocks that are not directives: text meant to show as is."""
    pieces, fence, inside = [], None, []
    for line in markdown.splitlines():
        if fence is None:
            match = re.match(r"^ *(`{3,}|~{3,})(.*)$", line)
            if match:
                fence, literal, inside = match.group(1), not match.group(2).strip().startswith("{"), []
                continue
            pieces += [m.group(2) for m in re.finditer(r"(`+)(.+?)\1", line)]
        elif line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            if literal:
                pieces.append("\n".join(inside))
            fence = None
        else:
            inside.append(line)
            pieces += [m.group(2) for m in re.finditer(r"(`+)(.+?)\1", line)]
    return "\n".join(pieces)


def directives(markdown: str) -> list[tuple[str, str]]:
    """(name, argument) of each directive in a markdown cell, in order."""
    return [(m.group(1), m.group(2).strip()) for m in DIRECTIVE.finditer(markdown)]


def gated_solutions(cells) -> list[tuple[int, str]]:
    """(index, label) of each solution-start: a solution spread over several cells, which
    jupyterlab-myst cannot fold (it renders each cell on its own)."""
    return [(index, argument) for index, cell in enumerate(cells) if cell["cell_type"] == "markdown"
            for name, argument in directives(cell_source(cell)) if name == "solution-start"]


def solution_code_cells(cells) -> list[tuple[int, str]]:
    """(index, label) of the code cells right after a markdown cell that ends with a {solution}:
    the solution's code, which the HTML book folds (tag hide-cell) and JupyterLab must fold too."""
    found, label = [], None
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            names = directives(cell_source(cell))
            label = names[-1][1] if names and names[-1][0] == "solution" else None
        elif label is not None:
            found.append((index, label))
    return found


def explorer_cells(cells) -> list[int]:
    """Code cells whose saved output holds an explorer's static view."""
    hits = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            html = output.get("data", {}).get("text/html", "")
            if 'class="bp-explorer"' in (html if isinstance(html, str) else "".join(html)):
                hits.append(index)
                break
    return hits


def around(text: str, start: int, end: int, width: int = 45) -> str:
    snippet = text[max(0, start - width):end + width]
    return " ".join(snippet.split())


# --- Reading the page ---------------------------------------------------------------------------

RENDERED = """(wanted) => {
    const panels = [...document.querySelectorAll('.jp-NotebookPanel')];
    if (panels.length !== 1) return false;
    const cells = panels[0].querySelectorAll('.jp-Notebook .jp-Cell');
    return wanted.every(i => cells[i] && cells[i].querySelector('.myst'));
}"""

SNAPSHOT = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell .myst')]
    .map(m => m.textContent.length + ':' + m.querySelectorAll('[title]').length).join(',')"""

# Everything the checks need, for every cell, in one pass.
EXTRACT = r"""() => {
    const visible = e => !!e && e.checkVisibility() && e.getClientRects().length > 0;
    const text = e => (e ? e.textContent : '').replace(/\s+/g, ' ').trim();
    const panel = document.querySelector('.jp-NotebookPanel');
    const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
    return cells.map((cell, index) => {
        if (!cell.classList.contains('jp-MarkdownCell')) {
            const input = cell.querySelector('.jp-Cell-inputArea');
            const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')];
            return {index, markdown: false, inputVisible: visible(input),
                    outputsVisible: outputs.some(visible), outputs: outputs.length,
                    explorers: cell.querySelectorAll('.bp-explorer').length,
                    notes: [...cell.querySelectorAll('.bp-note')].map(n => ({text: text(n), visible: visible(n)}))};
        }
        const myst = cell.querySelector('.myst');
        if (!myst) return {index, markdown: true, rendered: false};
        const clone = myst.cloneNode(true);
        clone.querySelectorAll('.katex').forEach(k => k.replaceWith(' $…$ '));
        // A space after each block, so that paragraphs do not run together in textContent.
        clone.querySelectorAll('p, li, div, pre, summary, td, th, h1, h2, h3, h4, h5, h6')
             .forEach(b => b.append(' '));
        const codes = [...clone.querySelectorAll('code')].map(c => c.textContent);
        clone.querySelectorAll('code').forEach(c => c.replaceWith(' `…` '));
        const notFound = title => [...myst.querySelectorAll(`[title="${title}"]`)].map(text);
        const mathErrors = [...myst.querySelectorAll('span.text-yellow-600[title], pre[title]')]
            .filter(e => !/Not Found$/.test(e.title))
            .map(e => ({error: e.title, latex: text(e).replace(text(e.querySelector('.text-red-500')), '').trim()}));
        const boxTitle = box => text(box.querySelector('.myst-exercise-title, .myst-proof-title, .myst-admonition-header-text'));
        const exerciseBoxes = [...myst.querySelectorAll('.myst-exercise')].map((box, k) => {
            const body = box.querySelector('.myst-exercise-body');
            box.dataset.bpBox = `${index}-${k}`;  // for click_solutions
            return {tag: box.tagName.toLowerCase(), id: box.id, title: boxTitle(box), open: !!box.open,
                    key: box.dataset.bpBox,
                    bodyText: text(body), bodyVisible: visible(body)};
        });
        return {index, markdown: true, rendered: true, text: clone.textContent, codes,
                unresolved: notFound('Cross Reference Not Found'), citations: notFound('Citation Not Found'),
                mathErrors, exerciseBoxes,
                admonitions: [...myst.querySelectorAll('.myst-admonition')].map(box => {
                    const body = box.querySelector('.myst-admonition-body');
                    return {title: boxTitle(box), tag: box.tagName.toLowerCase(), open: !!box.open,
                            bodyVisible: visible(body)};
                }),
                proofs: [...myst.querySelectorAll('.myst-proof')].map(boxTitle),
                links: [...myst.querySelectorAll('a[href]')].map(a => ({href: a.href, text: text(a)}))};
    });
}"""


@functools.cache
def notebook_json(name: str) -> dict:
    return json.loads((ROOT / name).read_text())


class Rendered:
    """One notebook opened in JupyterLab: the cells' rendered state, and what clicking solutions did."""

    def __init__(self, name: str, cells: list[dict], clicks: list[dict], seconds: float):
        self.name, self.cells, self.clicks, self.seconds = name, cells, clicks, seconds


@pytest.fixture(scope="session")
def rendered(page, lab):
    """rendered(name) -> Rendered; each notebook is opened once per session."""
    base, token = lab
    cache: dict[str, Rendered] = {}

    def open_notebook(name: str) -> Rendered:
        if name in cache:
            return cache[name]
        cells = notebook_json(name)["cells"]
        wanted = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and cell_source(c).strip()]
        start = time.monotonic()
        # ?reset: a fresh workspace, so no notebook opened earlier comes back.
        page.goto(f"{base}/lab/tree/{urllib.parse.quote(name)}?reset&token={token}", wait_until="load")
        try:
            page.wait_for_function(RENDERED, arg=wanted, timeout=RENDER_TIMEOUT)
        except Exception as error:  # playwright's TimeoutError
            shown = page.evaluate("() => [document.querySelectorAll('.jp-NotebookPanel').length, "
                                  "document.querySelectorAll('.jp-NotebookPanel .jp-MarkdownCell .myst').length]")
            pytest.fail(f"{name}: JupyterLab did not render the notebook's {len(wanted)} markdown cells with "
                        f"jupyterlab-myst within {RENDER_TIMEOUT / 1000:.0f} s (notebook panels open: {shown[0]}, "
                        f"cells rendered by jupyterlab-myst: {shown[1]}; is the extension enabled? "
                        f"`jupyter labextension list`): {error}")
        # jupyterlab-myst renders each cell, then resolves references across the notebook:
        # wait until the rendered text stops changing.
        previous, stable_since = None, time.monotonic()
        while time.monotonic() - stable_since < 0.75 and time.monotonic() - start < RENDER_TIMEOUT / 1000:
            now = page.evaluate(SNAPSHOT)
            if now != previous:
                previous, stable_since = now, time.monotonic()
            time.sleep(0.25)
        state = page.evaluate(EXTRACT)
        assert len(state) == len(cells), (
            f"{name}: JupyterLab shows {len(state)} cells of {len(cells)}; is the notebook virtualised?")
        clicks = click_solutions(page, state)
        cache[name] = Rendered(name, state, clicks, time.monotonic() - start)
        return cache[name]
    return open_notebook


def click_solutions(page, state) -> list[dict]:
    """Click the header of every folded solution; report whether its body then shows."""
    results = []
    for cell in state:
        for box in cell.get("exerciseBoxes", []):
            if box["tag"] != "details" or "Solution" not in box["title"]:
                continue
            details = page.locator(f'.jp-NotebookPanel details[data-bp-box="{box["key"]}"]')
            details.locator("summary").first.click()
            shown = details.evaluate("d => d.open && d.querySelector('.myst-exercise-body').checkVisibility()")
            details.locator("summary").first.click()  # fold it again
            results.append({"index": cell["index"], "title": box["title"], "shown_after_click": shown})
    return results


# --- The checks ---------------------------------------------------------------------------------

def fail_with(name: str, what: str, problems: list[str]):
    if problems:
        pytest.fail(f"{name}: {what} ({len(problems)}):\n  " + "\n  ".join(problems), pytrace=False)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_raw_markup(rendered, name):
    """No MyST role, directive fence or option shows as text; no directive is unknown to jupyterlab-myst."""
    view = rendered(name)
    cells = notebook_json(name)["cells"]
    problems = []
    for cell in view.cells:
        if not cell["markdown"]:
            continue
        index = cell["index"]
        literal = literal_code(cell_source(cells[index]))
        # Code elements count too, unless the source writes them as code on purpose.
        texts = [cell["text"]] + [code for code in cell["codes"] if code.strip() not in literal]
        for text in texts:
            for kind, pattern in RAW_MARKUP:
                for match in pattern.finditer(text):
                    problems.append(f"cell {index}: raw {kind} {match.group(0).strip()!r}: "
                                    f"...{around(text, match.start(), match.end())}...")
        for box in cell["exerciseBoxes"]:
            if "Unknown Directive" in box["title"]:
                problems.append(f"cell {index}: directive unknown to jupyterlab-myst: {box['title']!r}, "
                                f"shown as a box around its raw body: {box['bodyText'][:100]!r}")
    fail_with(name, "raw MyST markup in JupyterLab", problems)


# A bibtex key that reads as a citation when shown bare: Author (capitalised) then year.
CITATION_KEY = re.compile(r"[A-Z][A-Za-z]+[0-9]{4}[a-z]?")


def test_citation_keys_must_read_as_author_year():
    assert CITATION_KEY.fullmatch("Rumelhart1986") and CITATION_KEY.fullmatch("LeCun1998")
    assert not CITATION_KEY.fullmatch("rumelhart1986learning")   # the old form: rejected


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_references_and_citations_resolve(rendered, name, lab):
    """Cross-references and citations resolve, and links to files point at files that exist."""
    view = rendered(name)
    base, _ = lab
    problems = []
    for cell in view.cells:
        if not cell.get("rendered"):
            continue
        index = cell["index"]
        for label in cell["unresolved"]:
            problems.append(f"cell {index}: cross-reference not found, shown as the bare label {label!r}"
                            f" (in: ...{context_of(cell['text'], label)}...)")
        for key in cell["citations"]:
            # jupyterlab-myst has no bibliography: it shows a citation's key.
            # The book's keys are written to read as a citation there.
            if not CITATION_KEY.fullmatch(key):
                problems.append(f"cell {index}: citation shown as the bare key {key!r}, which does not "
                                "read as Author Year: name bibtex keys like Rumelhart1986")
        for link in cell["links"]:
            href = link["href"]
            if href.startswith(f"{base}/files/"):
                path = urllib.parse.unquote(urllib.parse.urlsplit(href).path[len("/files/"):])
                if not (ROOT / path).exists():
                    problems.append(f"cell {index}: link {link['text']!r} points at /files/{path}, "
                                    f"which does not exist")
    fail_with(name, "unresolved references, citations or links in JupyterLab", problems)


def context_of(text: str, needle: str) -> str:
    at = text.find(needle)
    return around(text, at, at + len(needle)) if at >= 0 else needle


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_maths_typesets(rendered, name):
    """Every formula typesets (jupyterlab-myst uses KaTeX; the macros must be defined for it)."""
    view = rendered(name)
    problems, errors = [], {}
    for cell in view.cells:
        for error in cell.get("mathErrors", []):
            message = error["error"].split(" at position")[0]
            errors[message] = errors.get(message, 0) + 1
            problems.append(f"cell {cell['index']}: {error['error']!r} in ${error['latex'][:80]}$")
    summary = ", ".join(f"{message} ({count}x)" for message, count in errors.items())
    fail_with(name, f"formulas that do not typeset in JupyterLab [{summary}]", problems)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_exercises_algorithms_and_admonitions_render_as_boxes(rendered, name):
    """Each {exercise}, {prf:...} and admonition directive becomes its box in JupyterLab."""
    view = rendered(name)
    cells = notebook_json(name)["cells"]
    problems = []
    for cell in view.cells:
        if not cell.get("rendered"):
            continue
        index = cell["index"]
        found = directives(cell_source(cells[index]))
        expected_exercises = [arg for n, arg in found if n in ("exercise", "exercise-start")]
        expected_proofs = [arg for n, arg in found if n.startswith("prf:")]
        expected_admonitions = [arg or n for n, arg in found if n in ADMONITIONS]
        exercises = [b for b in cell["exerciseBoxes"] if b["title"].startswith("Exercise")]
        if len(exercises) != len(expected_exercises):
            problems.append(f"cell {index}: {len(expected_exercises)} exercise(s) {expected_exercises} in the "
                            f"source, {len(exercises)} exercise box(es) shown")
        if len(cell["proofs"]) != len(expected_proofs):
            problems.append(f"cell {index}: {len(expected_proofs)} prf directive(s) {expected_proofs}, "
                            f"{len(cell['proofs'])} box(es) shown: {cell['proofs']}")
        if len(cell["admonitions"]) != len(expected_admonitions):
            problems.append(f"cell {index}: {len(expected_admonitions)} admonition(s) {expected_admonitions}, "
                            f"{len(cell['admonitions'])} admonition box(es) shown: {cell['admonitions']}")
    fail_with(name, "directives not rendered as boxes in JupyterLab", problems)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solutions_are_folded(rendered, name):
    """Every solution is folded, as in the HTML book: nothing of it shows until its header is clicked."""
    view = rendered(name)
    cells = notebook_json(name)["cells"]
    by_index = {cell["index"]: cell for cell in view.cells}
    problems = []
    for cell in view.cells:
        for box in cell.get("exerciseBoxes", []):
            title = box["title"]
            if "Solution" in title and box["tag"] != "details":
                problems.append(f"cell {cell['index']}: {title!r} is not folded (no :class: dropdown?)")
            elif "Solution" in title and (box["open"] or box["bodyVisible"]):
                problems.append(f"cell {cell['index']}: {title!r} is open before any click")
    for click in view.clicks:
        if not click["shown_after_click"]:
            problems.append(f"cell {click['index']}: clicking {click['title']!r} does not show its body")
    for index, label in solution_code_cells(cells):
        code = by_index[index]
        shown = [part for part, flag in (("code", code["inputVisible"]), ("output", code["outputsVisible"])) if flag]
        if shown:
            problems.append(f"cell {index}: code cell of the solution to {label} shows its {' and '.join(shown)} "
                            f"unfolded (set metadata jupyter.source_hidden and outputs_hidden)")
    for index, label in gated_solutions(cells):
        problems.append(f"cell {index}: solution-start {label}: a solution across cells cannot fold in "
                        "JupyterLab; write a {solution} dropdown, then the check cell tagged hide-cell "
                        "with jupyter.source_hidden and outputs_hidden (see chapters/template.ipynb)")
    fail_with(name, "solutions not folded in JupyterLab", problems)


def dropdown_admonitions(markdown: str) -> list[str]:
    """Titles of the admonitions a markdown cell folds (:class: dropdown): hints and "Going
    deeper" boxes. A {hint} is titled "Hint"."""
    return [block["argument"] if block["name"] == "admonition" else "Hint"
            for block in fenced_blocks(markdown)
            if block["name"] in ("admonition", "hint") and block["options"].get("class") == "dropdown"]


def plain_quotes(text: str) -> str:
    """jupyterlab-myst prints ' and " as typographic quotes."""
    return text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))


def test_dropdown_admonitions_are_read_from_the_source():
    source = ("```{hint}\n:class: dropdown\n\nA nudge.\n```\n\n"
              "```{admonition} Going deeper: why\n:class: dropdown\n\nHessians.\n```\n\n"
              "```{admonition} New terms in this chapter\nTerms.\n```\n")
    assert dropdown_admonitions(source) == ["Hint", "Going deeper: why"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_hints_and_going_deeper_boxes_are_folded(rendered, name):
    """Hints and "Going deeper" boxes are folded, as in the HTML book: their bodies hidden until clicked."""
    view = rendered(name)
    cells = notebook_json(name)["cells"]
    problems = []
    for cell in view.cells:
        if not cell.get("rendered"):
            continue
        index = cell["index"]
        for title in dropdown_admonitions(cell_source(cells[index])):
            shown = [box for box in cell["admonitions"] if plain_quotes(box["title"]) == title]
            if not shown:
                problems.append(f"cell {index}: the folded box {title!r} is not shown as a box "
                                f"(boxes: {[box['title'] for box in cell['admonitions']]})")
            elif any(box["tag"] != "details" or box["open"] or box["bodyVisible"] for box in shown):
                problems.append(f"cell {index}: {title!r} is not folded before any click: {shown}")
    fail_with(name, "hints or Going deeper boxes not folded in JupyterLab", problems)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_explorers_show_their_static_preview(rendered, name):
    """An explorer's saved output shows, before anything runs, with the note worded for JupyterLab."""
    view = rendered(name)
    expected = explorer_cells(notebook_json(name)["cells"])
    by_index = {cell["index"]: cell for cell in view.cells}
    problems = []
    for index in expected:
        cell = by_index[index]
        notes = [n for n in cell["notes"] if n["visible"]]
        if not cell["explorers"] or not notes:
            problems.append(f"cell {index}: the explorer's static preview is not shown "
                            f"({cell['outputs']} output(s), {cell['explorers']} explorer(s))")
            continue
        for note in notes:
            if not all(words in note["text"] for words in EXPLORER_NOTE):
                problems.append(f"cell {index}: explorer note reads {note['text']!r}; it should contain "
                                f"{' and '.join(repr(w) for w in EXPLORER_NOTE)} (re-save the notebook with "
                                f"the current bp.widgets)")
    fail_with(name, "explorer outputs in JupyterLab", problems)
