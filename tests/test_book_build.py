"""Tests of the book's frame: the table of contents, the notebooks' shared
conventions, the built HTML, and the strict-nbval and -W machinery itself.

The tests on the built HTML need the book built first; ``./book test`` does
that and sets BP_BOOK_BUILT=1 and BP_BOOK_HTML.  Run alone (plain
``pytest``), they are skipped.

Several tests run a checker on a case built to fail, to show that the check
can fail at all (a negative control) next to the case that must pass.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
TEMPLATE = ROOT / "chapters" / "template.ipynb"
API_MODULES = ["bp", "bp.layers", "bp.losses", "bp.optim", "bp.training", "bp.gradcheck",
               "bp.scalar", "bp.naive", "bp.data", "bp.plotting", "bp.widgets"]


def toc_entries(node=TOC):
    """Every `root`/`file` entry of _toc.yml, in order."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("root", "file"):
                yield value
            else:
                yield from toc_entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from toc_entries(item)


def resolve(entry: str) -> Path | None:
    """The source file of a TOC entry (entries are written without suffix)."""
    for suffix in ("", ".ipynb", ".md"):
        path = ROOT / (entry + suffix)
        if path.is_file():
            return path
    return None


TOC_NOTEBOOKS = [p for p in map(resolve, toc_entries()) if p is not None and p.suffix == ".ipynb"]
# Every notebook that follows the chapter conventions: the TOC's and the template.
CONVENTION_NOTEBOOKS = TOC_NOTEBOOKS + [TEMPLATE]


def read(path: Path):
    return nbformat.read(path, as_version=4)


# --- The table of contents -------------------------------------------------------

def test_toc_is_a_jupyter_book_with_intro_as_root():
    assert TOC["format"] == "jb-book"
    assert TOC["root"] == "intro"


def test_every_toc_entry_exists():
    missing = [entry for entry in toc_entries() if resolve(entry) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_front_matter_and_reference_pages_are_in_the_toc():
    entries = set(toc_entries())
    assert {"intro", "notation", "api", "references"} <= entries


def test_every_chapter_notebook_is_in_the_toc():
    # A chapter missing from the TOC is neither built nor checked by nbval.
    listed = {resolve(entry) for entry in toc_entries()}
    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))
    orphans = [p.relative_to(ROOT).as_posix() for p in chapters if p != TEMPLATE and p not in listed]
    assert not orphans, f"add these notebooks to _toc.yml: {orphans}"


def test_template_is_excluded_from_toc_and_build():
    assert TEMPLATE.is_file()
    assert TEMPLATE not in {resolve(entry) for entry in toc_entries()}
    assert "chapters/template.ipynb" in CONFIG["exclude_patterns"]


# --- Conventions every notebook follows ----------------------------------------

def config_macros() -> dict[str, tuple[str, int]]:
    macros = CONFIG["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    out = {}
    for name, value in macros.items():
        body, nargs = (value[0], value[1]) if isinstance(value, list) else (value, 0)
        out[name] = (body, nargs)
    return out


# A notebook's first cell defines the macros twice (see chapters/template.ipynb):
# in MyST front matter (`math:`), which jupyterlab-myst applies to every cell,
# and as TeX \def lines in a $$ block, which MathJax renderers (Colab) read.
DEF = re.compile(r"\\def\\(\w+)((?:#\d)*)\{(.*)\}\s*$")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def notebook_macros(nb) -> dict[str, dict[str, tuple[str, int]]]:
    """{"front matter": {name: (body, arguments)}, "def": {...}} from the notebook's markdown."""
    out = {"front matter": {}, "def": {}}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        front = FRONT_MATTER.match(cell.source)
        if front:
            for name, body in (yaml.safe_load(front[1]) or {}).get("math", {}).items():
                out["front matter"][name.lstrip("\\")] = (body, len(set(re.findall(r"#(\d)", body))))
        for line in cell.source.splitlines():
            match = DEF.match(line.strip())
            if match:
                out["def"][match[1]] = (match[3], len(match[2]) // 2)
    return out


def test_macro_parser_reads_both_forms_with_arguments():
    # The parser must see what it is meant to compare, or the next test is empty.
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "---\nmath:\n  '\\pd': '\\frac{\\partial #1}{\\partial #2}'\n---\n"
        "$$\n\\def\\pd#1#2{\\frac{\\partial #1}{\\partial #2}}\n$$")])
    expected = {"pd": ("\\frac{\\partial #1}{\\partial #2}", 2)}
    assert notebook_macros(nb) == {"front matter": expected, "def": expected}


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_macros_match_config(path):
    # The HTML book takes the macros from _config.yml; JupyterLab and Colab
    # take them from the notebook's own first cell.  They must agree.
    macros = notebook_macros(read(path))
    assert macros["front matter"] == config_macros(), "front matter (math:) differs from _config.yml"
    assert macros["def"] == config_macros(), "the \\def block differs from _config.yml"


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_first_code_cell_installs_bp_on_colab_only(path):
    first = next(cell for cell in read(path).cells if cell.cell_type == "code")
    assert '"google.colab" in sys.modules' in first.source
    assert "pip install" in first.source and f"git+{CONFIG['repository']['url']}" in first.source
    assert "remove-cell" in first.metadata.get("tags", [])


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_is_stored_executed_with_outputs(path):
    nb = read(path)
    unrun = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.execution_count is None]
    assert not unrun, f"code cells {unrun} were never run: run all cells and save with outputs"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_intro_leaves_a_place_for_the_first_explorer():
    headings = [line for cell in read(ROOT / "intro.ipynb").cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("## ")]
    assert "## A first taste: fitting a line by hand" in headings


# --- The commands ------------------------------------------------------------------

def test_book_script_and_ci_script_parse():
    subprocess.run(["sh", "-n", str(ROOT / "book")], check=True)
    subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], check=True)


def test_book_script_builds_strictly():
    # The build every test run depends on must keep -W (warnings fail), -n
    # (every reference resolves) and --keep-going (report them all).
    assert re.search(r"jupyter-book\" build \"\$ROOT\" --all -W -n --keep-going", (ROOT / "book").read_text())


def test_book_script_rejects_an_unknown_command():
    result = subprocess.run(["sh", str(ROOT / "book"), "nonsense"], capture_output=True, text=True)
    assert result.returncode == 2 and "usage" in result.stderr


# --- Strict nbval and its sanitize file -------------------------------------------

def stream_notebook(source: str, stored: str):
    cell = nbformat.v4.new_code_cell(source, execution_count=1,
                                     outputs=[nbformat.v4.new_output("stream", name="stdout", text=stored)])
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture
def scratch():
    # Inside the repository (so pytest.ini and conftest.py apply), under the
    # ignored _build/ folder, removed afterwards.
    path = ROOT / "_build" / f"selftest-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_pytest(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def outcomes(report: str) -> dict[str, str]:
    """Notebook name -> 'PASSED' or 'FAILED', from pytest's -rA summary lines."""
    result = {}
    for status, name in re.findall(r"^(PASSED|FAILED|ERROR) \S*?(\w+)\.ipynb::", report, flags=re.M):
        if result.get(name) not in ("FAILED", "ERROR"):
            result[name] = status
    return result


def test_strict_nbval_passes_same_output_and_fails_changed_output(scratch):
    notebooks = {
        # Positive control: the stored output is what the code prints.
        "same": stream_notebook("print(1 + 1)", "2\n"),
        # Negative control: a stored number that no longer matches must fail.
        "changed": stream_notebook("print(1 + 1)", "3\n"),
        # A memory address differs at every run: the sanitize file hides it.
        "address": stream_notebook("print(hex(id(object())))", "0x7f0123456789\n"),
        # The kernel draws with Jupyter's inline backend even when the shell
        # says MPLBACKEND=Agg (as CI machines often do): otherwise every
        # stored figure output would go missing.
        "backend": stream_notebook("import matplotlib\nprint(matplotlib.get_backend())",
                                   "module://matplotlib_inline.backend_inline\n"),
    }
    paths = []
    for name, nb in notebooks.items():
        path = scratch / f"{name}.ipynb"
        nbformat.write(nb, path)
        paths.append(str(path))
    env = dict(os.environ, MPLBACKEND="Agg")
    result = run_pytest("-rA", *paths, env=env)
    assert outcomes(result.stdout) == {"same": "PASSED", "changed": "FAILED",
                                       "address": "PASSED", "backend": "PASSED"}, result.stdout + result.stderr


def test_without_the_sanitize_file_a_memory_address_fails(scratch):
    # Negative control for the test above: it is the sanitize file, not
    # something else, that makes the address comparison pass.
    path = scratch / "address.ipynb"
    nbformat.write(stream_notebook("print(hex(id(object())))", "0x7f0123456789\n"), path)
    empty = scratch / "empty_sanitize.cfg"
    empty.write_text("")
    result = run_pytest(f"--nbval-sanitize-with={empty}", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Cell outputs differ" in result.stdout


# What ./book test sets for its second strict-nbval run: another OpenBLAS kernel, one thread.
OTHER_BLAS = {"OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_NUM_THREADS": "1"}
# A matrix product whose last digits depend on the kernel's summation order.
MATMUL = ("import numpy as np\n"
          "rng = np.random.default_rng(0)\n"
          "C = rng.standard_normal((64, 64)) @ rng.standard_normal((64, 64))\n")


@pytest.mark.skipif(platform.machine() != "x86_64", reason="OpenBLAS kernel names are for x86-64")
def test_second_blas_run_catches_printed_rounding_noise(scratch):
    """Why ./book test runs strict nbval a second time under OTHER_BLAS.

    A notebook that prints a matrix product to all 17 digits reproduces under
    the BLAS it was saved with and fails under another kernel; rounded to 6
    digits it passes under both. (If this machine's default kernel happened to
    sum exactly as the other one does, the negative control would pass and
    this test would say so.)
    """
    default_env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")}
    other_env = dict(default_env, **OTHER_BLAS)
    sources = {"noise": MATMUL + "print(repr(C[0, :4].tolist()))",
               "rounded": MATMUL + "print(np.round(C[0, :4], 6).tolist())"}
    paths = []
    for name, source in sources.items():
        printed = subprocess.run([sys.executable, "-c", source], env=default_env, check=True,
                                 capture_output=True, text=True).stdout
        path = scratch / f"{name}.ipynb"
        nbformat.write(stream_notebook(source, printed), path)
        paths.append(str(path))
    same_blas = run_pytest("-rA", *paths, env=default_env)
    other_blas = run_pytest("-rA", *paths, env=other_env)
    assert outcomes(same_blas.stdout) == {"noise": "PASSED", "rounded": "PASSED"}, same_blas.stdout
    assert outcomes(other_blas.stdout) == {"noise": "FAILED", "rounded": "PASSED"}, other_blas.stdout


def test_book_test_runs_nbval_again_under_the_other_blas():
    script = (ROOT / "book").read_text()
    settings = " ".join(f"{k}={v}" for k, v in OTHER_BLAS.items())
    assert f"env -u OPENBLAS_L2_SIZE {settings}" in script


def test_lax_nbval_is_refused():
    result = run_pytest("--nbval-lax", "--collect-only", str(TEMPLATE))
    assert result.returncode != 0
    assert "strict nbval only" in result.stderr


# --- The -W book build --------------------------------------------------------------

def test_jupyter_book_fails_on_a_single_warning(tmp_path):
    # The flags ./book uses must turn one warning into a failed build;
    # the same tiny book without the broken reference builds.
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    (tmp_path / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: 'off'\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    builds = {}
    for case, body in {"clean": "Fine.", "broken": "See {ref}`no-such-label`."}.items():
        (tmp_path / "index.md").write_text(f"# Page\n\n{body}\n")
        result = subprocess.run([str(jupyter_book), "build", str(tmp_path), "--all", "-W", "-n", "--keep-going"],
                                capture_output=True, text=True, timeout=300)
        builds[case] = (result.returncode, result.stdout + result.stderr)
    assert builds["clean"][0] == 0, builds["clean"][1]
    assert builds["broken"][0] != 0
    assert "no-such-label" in builds["broken"][1]


# --- The built HTML book (./book test builds it first) ----------------------------

BUILT = os.environ.get("BP_BOOK_BUILT") == "1"
HTML = Path(os.environ.get("BP_BOOK_HTML", ROOT / "_build" / "html"))
needs_book = pytest.mark.skipif(not BUILT, reason="needs the built book: run ./book test")


@needs_book
def test_index_opens_on_the_introduction():
    assert "intro.html" in (HTML / "index.html").read_text()
    intro = (HTML / "intro.html").read_text()
    assert "Backpropagation and gradient descent, from scratch" in intro
    assert "google.colab" not in intro, "the Colab install cell should be removed from the page"


def launch_button(html: str, service: str) -> str | None:
    """The address of the theme's "Launch on <service>" button, if there is one."""
    match = re.search(r'<a href="([^"]+)"[^>]*?title="Launch on ' + service + '"', html, flags=re.S)
    return match[1] if match else None


@needs_book
def test_intro_has_binder_and_colab_launch_buttons():
    # The theme builds them from _config.yml's repository address and branch.
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    intro = (HTML / "intro.html").read_text()
    assert launch_button(intro, "Binder") == f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/intro.ipynb"
    assert launch_button(intro, "Colab") == f"https://colab.research.google.com/github/{repo}/blob/{branch}/intro.ipynb"
    # Negative control: a page that is not a notebook gets no launch button.
    assert launch_button((HTML / "notation.html").read_text(), "Binder") is None


@needs_book
@pytest.mark.parametrize("module", API_MODULES)
def test_api_reference_documents_module(module):
    api = (HTML / "api.html").read_text()
    assert f'id="module-{module}"' in api


@needs_book
def test_api_reference_documents_core_classes():
    api = (HTML / "api.html").read_text()
    for name in ["bp.layers.Linear", "bp.losses.SoftmaxCrossEntropy", "bp.optim.Adam", "bp.training.fit",
                 "bp.gradcheck.check_gradients", "bp.widgets.explorer"]:
        assert f'id="{name}"' in api, name


@needs_book
def test_references_page_lists_the_classics():
    refs = (HTML / "references.html").read_text()
    for title in ["Learning representations by back-propagating errors", "A stochastic approximation method",
                  "Adam", "Evaluating Derivatives", "Automatic differentiation in machine learning"]:
        assert title in refs, title


@needs_book
def test_every_toc_page_was_built():
    for entry in toc_entries():
        assert (HTML / f"{entry}.html").is_file(), entry
