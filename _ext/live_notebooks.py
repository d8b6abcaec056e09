"""Run every chapter live in the reader's browser: a JupyterLite site in lite/.

At the end of an HTML build this extension builds a JupyterLite site (the
Jupyter Notebook interface, with a Python kernel compiled to WebAssembly:
Pyodide) into ``_build/html/lite``, and puts a "Run live in your browser"
button under the title of every notebook page (the intro and the chapters),
and first in the theme's launch menu (the rocket). The button opens that
notebook in the JupyterLite site, in a new tab. Nothing
runs on a server: the page itself is the computer, so it works wherever the
HTML is hosted, with no account. The app is loaded only when the button is
pressed, so the book's pages weigh what they weighed before.

What the site serves itself:

* the JupyterLite app and the labextensions installed in this environment
  (the widgets manager, jupyterlab-myst), built by jupyterlite-core with no
  source maps;
* the Pyodide core (npm package ``pyodide``, the version the pinned
  jupyterlite-pyodide-kernel expects: package.json pins it, and the build
  stops if they differ);
* a wheel of ``bp`` built from this checkout, and the pure-Python wheels that
  the kernel and the explorers need (requirements-browser.txt, downloaded by
  ``./book`` into ``.venv/browser-wheels``);
* the notebooks, with their outputs cleared (the reader runs them).

What comes from outside: the compiled scientific packages (numpy, matplotlib
and matplotlib's compiled dependencies; scikit-learn and scipy for Chapter 8)
from Pyodide's CDN, under this Pyodide version, the first time a reader runs
a chapter; nothing else. The kernel
never asks PyPI (``disablePyPIFallback``).

How ``import bp`` works with no install cell: the kernel hands each cell's
imports to Pyodide, which loads any package its lockfile lists under that
import name, with its dependencies. This extension writes that lockfile:
Pyodide's own, with every package the site ships pointing at the site's copy,
every other package pointing at the CDN, and entries for ``bp`` (depending on
numpy, matplotlib and ipywidgets, its plotting and widgets extras) and for
the widget packages Pyodide does not carry.

Without the npm copy of Pyodide (``npm ci``) or the browser wheels, the build
says so once and makes no live site and no buttons.
"""

import email.parser
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util import logging

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
BROWSER_WHEELS = Path(sys.prefix) / "browser-wheels"   # filled by ./book from requirements-browser.txt
LITE_DIR = "lite"                                       # the site's folder, under _build/html
APP = "notebooks"                                       # the Jupyter Notebook interface

# The Pyodide core files the kernel loads (the npm package also holds type
# declarations, source maps and demo pages, which are not shipped).
PYODIDE_CORE = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]

# bp's entry in the lockfile: its wheel's own dependency (numpy) and those of
# its plotting and widgets extras, which every chapter uses.
BP_DEPENDS = ["numpy", "matplotlib", "ipywidgets"]

KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"

logger = logging.getLogger(__name__)


def pyodide_version_expected() -> str:
    """The Pyodide version the installed jupyterlite-pyodide-kernel is built for."""
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    return PYODIDE_VERSION


def cdn_base(version: str) -> str:
    """Pyodide's CDN folder for one version, where its lockfile's packages live."""
    return f"https://cdn.jsdelivr.net/pyodide/v{version}/full/"


def missing_inputs() -> str | None:
    """What the live site needs and does not have here, or None."""
    if not (PYODIDE_NPM / "package.json").is_file():
        return "no npm copy of Pyodide (run `npm ci`)"
    if not any(BROWSER_WHEELS.glob("*.whl")):
        return f"no browser wheels in {BROWSER_WHEELS} (`./book build` downloads them)"
    return None


def check_pyodide_version() -> str:
    """The npm Pyodide's version; an error if it is not the kernel's."""
    have = json.loads((PYODIDE_NPM / "package.json").read_text(encoding="utf-8"))["version"]
    want = pyodide_version_expected()
    if have != want:
        raise ExtensionError(
            f"live_notebooks: node_modules/pyodide is version {have}, but jupyterlite-pyodide-kernel "
            f"expects {want}; set package.json's pyodide to {want} and run `npm install`"
        )
    return have


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_bp_wheel(dest: Path) -> Path:
    """Build bp's wheel from this checkout into dest (in a copy, so the checkout gets no build/ folder)."""
    with tempfile.TemporaryDirectory(prefix="bp-wheel-") as tmp:
        source = Path(tmp) / "bp-src"
        source.mkdir()
        for name in ["pyproject.toml", "README.md"]:
            shutil.copy2(ROOT / name, source / name)
        shutil.copytree(ROOT / "bp", source / "bp", ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", str(dest), str(source)],
            check=True,
        )
    (wheel,) = dest.glob("bp-*.whl")
    return wheel


def write_lockfile(dist: Path, shipped: list[Path], version: str) -> None:
    """Rewrite dist/pyodide-lock.json so that Pyodide loads the shipped wheels from the site.

    A package the lockfile already lists keeps its dependencies and import
    names (Pyodide's, tested by its maintainers) and points at the site's
    wheel; a package it does not list gets an entry from its wheel's metadata.
    Every package the site does not ship points at the CDN.
    """
    lock_path = dist / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    packages = lock["packages"]
    python = ".".join(lock["info"]["python"].split(".")[:2])          # "3.14"
    for wheel in shipped:
        name = canonical_name(wheel)
        entry = packages.get(name) or new_entry(wheel, python)
        entry.update(file_name=wheel.name, sha256=sha256(wheel))
        packages[name] = entry
    for entry in packages.values():
        if not (dist / entry["file_name"]).is_file():
            entry["file_name"] = cdn_base(version) + entry["file_name"]
    packages["bp"]["depends"] = sorted(set(packages["bp"]["depends"]) | set(BP_DEPENDS))
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def new_entry(wheel: Path, python: str) -> dict:
    """A lockfile entry for a pure-Python wheel: its version, import names and dependencies."""
    from packaging.requirements import Requirement

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(archive.read(metadata).decode("utf-8"))
    tops = {n.split("/")[0] for n in names}
    imports = sorted(t.removesuffix(".py") for t in tops if not t.endswith((".dist-info", ".data")))
    # Dependencies as Pyodide sees them: its Python, no extras.
    browser = {"python_version": python, "python_full_version": f"{python}.0", "sys_platform": "emscripten",
               "platform_system": "Emscripten", "platform_machine": "wasm32", "extra": ""}
    depends = sorted(
        canonicalize(req.name)
        for req in map(Requirement, meta.get_all("Requires-Dist") or [])
        if req.marker is None or req.marker.evaluate(browser)
    )
    return {"name": canonicalize(meta["Name"]), "version": meta["Version"], "install_dir": "site",
            "package_type": "package", "imports": imports, "depends": depends, "unvendored_tests": False}


def canonicalize(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def canonical_name(wheel: Path) -> str:
    """The project name of a wheel file, normalised as in a lockfile (ipython, prompt-toolkit)."""
    from packaging.utils import parse_wheel_filename

    return canonicalize(parse_wheel_filename(wheel.name)[0])


def widget_stub_wheel() -> Path:
    """The small widgetsnbextension that jupyterlite-pyodide-kernel ships for ipywidgets 8.

    The real one carries the classic notebook's JavaScript, which a
    JupyterLite kernel never uses; ipywidgets only needs it to be installed.
    """
    pypi = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite" / "pyodide-kernel-extension" / "static" / "pypi"
    (stub,) = pypi.glob("widgetsnbextension-4.*-py3-none-any.whl")
    return stub


# What a reader arriving in the live notebook reads first, under the title.
LIVE_NOTE = """\
> **You are running this notebook live, in your browser.** Python runs inside
> this tab (JupyterLite with Pyodide). Choose *Run All Cells* in the *Run*
> menu, or run one cell at a time with Shift+Enter; the explorers become
> live sliders. The first run downloads numpy and matplotlib from Pyodide's
> CDN, so it needs an internet connection once. Your edits stay in this
> browser: *File*, *Download* keeps a copy."""


def copy_without_outputs(notebook: Path, dest: Path) -> None:
    """The live copy of a notebook: outputs cleared (the reader runs it), and LIVE_NOTE under the title."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            cell["metadata"].pop("execution", None)
    nb["metadata"].pop("widgets", None)
    title = next(k for k, cell in enumerate(nb["cells"])
                 if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("# "))
    note = {"cell_type": "markdown", "id": "bp-live-note", "metadata": {}, "source": LIVE_NOTE.splitlines(keepends=True)}
    nb["cells"].insert(title + 1, note)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def notebook_pages(env) -> list[str]:
    """The book's pages written as notebooks, by document name (intro, chapters/01_...)."""
    return sorted(d for d in env.found_docs if str(env.doc2path(d)).endswith(".ipynb"))


def live_url(pagename: str) -> str:
    """The link from a page to its notebook in the live site (relative, so the book can live anywhere)."""
    up = "../" * pagename.count("/")
    return f"{up}{LITE_DIR}/{APP}/index.html?path={pagename}.ipynb"


def build_live_site(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or not app.config.bp_live_enabled:
        return
    version = check_pyodide_version()
    work = Path(app.outdir).parent / "lite-src"        # _build/lite-src: what jupyter lite build reads
    shutil.rmtree(work, ignore_errors=True)
    dist = work / "static" / "pyodide"                  # where jupyterlite-pyodide-kernel looks for a local Pyodide
    dist.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copy2(PYODIDE_NPM / name, dist / name)
    shipped = [shutil.copy2(w, dist / w.name) for w in sorted(BROWSER_WHEELS.glob("*.whl"))]
    stub = widget_stub_wheel()
    shipped.append(shutil.copy2(stub, dist / stub.name))
    shipped.append(build_bp_wheel(dist))
    write_lockfile(dist, [Path(p) for p in shipped], version)

    for docname in notebook_pages(app.env):
        copy_without_outputs(Path(app.env.doc2path(docname)), work / "files" / f"{docname}.ipynb")
    settings = {"disablePyPIFallback": True}
    (work / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {"appName": app.config.html_title, "litePluginSettings": {KERNEL_PLUGIN: settings}},
    }, indent=1) + "\n", encoding="utf-8")

    output = Path(app.outdir) / LITE_DIR
    shutil.rmtree(output, ignore_errors=True)
    command = [
        sys.executable, "-m", "jupyter", "lite", "build",
        "--lite-dir", str(work), "--output-dir", str(output), "--contents", str(work / "files"),
        "--apps", APP, "--apps", "tree",
        "--no-sourcemaps", "--no-unused-shared-packages", "--log-level", "WARN",
    ]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        raise ExtensionError(f"live_notebooks: `jupyter lite build` failed:\n{done.stdout}\n{done.stderr}")
    logger.info("live_notebooks: JupyterLite site with Pyodide %s in %s", version, output)


def add_run_live_button(app, doctree, docname) -> None:
    """The button, under the page's title, on every notebook page."""
    if not app.config.bp_live_enabled or docname not in notebook_pages(app.env):
        return
    title = next(doctree.findall(nodes.title), None)
    if title is None:
        return
    html = (
        '<div class="bp-live">'
        f'<a class="bp-live-button" href="{live_url(docname)}" target="_blank" rel="noopener">'
        '<span aria-hidden="true">&#9654;</span> Run live in your browser</a> '
        '<span class="bp-live-note">A Python kernel runs inside your browser (JupyterLite): '
        "no install, no account. The first run downloads numpy and matplotlib from Pyodide's CDN, "
        "so it needs an internet connection once.</span>"
        # A page opened from disk cannot start the live site (the browser refuses
        # its requests): say how to serve the book instead.
        "<script>if (location.protocol === 'file:') {"
        "document.currentScript.parentElement.querySelector('.bp-live-note').textContent = "
        "'Run live needs the book served over HTTP, not opened from disk: run "
        "python3 -m http.server -d _build/html and open http://localhost:8000.';}</script>"
        "</div>"
    )
    title.parent.insert(title.parent.index(title) + 1, nodes.raw("", html, format="html"))


def add_to_launch_menu(app, pagename, templatename, context, doctree) -> None:
    """The live site first in the theme's launch menu (the rocket), before Binder and Colab."""
    if not app.config.bp_live_enabled or pagename not in notebook_pages(app.env):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            group["buttons"].insert(0, {
                "type": "link", "text": "Live in your browser", "tooltip": "Run live in your browser (JupyterLite)",
                "icon": "_static/images/logo_jupyterlite.svg", "url": live_url(pagename),
            })


def decide(app, config) -> None:
    problem = missing_inputs()
    config.bp_live_enabled = problem is None
    if problem:
        logger.info("live_notebooks: %s; the book is built without its live site and Run live buttons", problem)


def setup(app):
    app.add_config_value("bp_live_enabled", True, "html")
    app.connect("config-inited", decide)
    app.connect("doctree-resolved", add_run_live_button)
    # After sphinx-book-theme has made its launch menu (at 501).
    app.connect("html-page-context", add_to_launch_menu, priority=502)
    app.connect("build-finished", build_live_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
