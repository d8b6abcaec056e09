"""Tests of publishing: the GitHub Actions workflow, and the repository's address.

* The workflow (.github/workflows/book.yml) runs the README's test command and
  publishes the built book to GitHub Pages from the branch in _config.yml; it
  passes actionlint, which also runs shellcheck on its ``run:`` scripts.
* tools/readme_screenshot.py, which takes the README's picture, works on the
  built book.
* The repository's address is written once, in _config.yml (``repository.url``
  and ``repository.branch``).  The launch buttons read it from there; the
  README and the notebooks (the Colab install cell, the Binder and Colab links)
  must repeat it exactly.  After a change of address, these tests list every
  place still to update.

As in tests/test_book_build.py, each checker is also run on a case built to
fail (a negative control), to show that it can fail at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

from test_book_build import CONFIG, CONVENTION_NOTEBOOKS, HTML, ROOT, needs_book, read

SCREENSHOT = ROOT / "tools" / "readme_screenshot.py"

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
README = ROOT / "README.md"
URL = CONFIG["repository"]["url"]
BRANCH = CONFIG["repository"]["branch"]
# GitHub repositories other than this one that README.md or a notebook may
# link to (as "owner/name"); every other GitHub address must be this one's.
OTHER_REPOSITORIES: set[str] = set()


# --- The repository's address ------------------------------------------------------

REPO = r"(?P<repo>[\w.-]+/[\w-]+(?:\.(?!git\b)[\w-]+)*)"   # owner/name, without a ".git"
REF = r"(?P<branch>[\w.-]+)"
END = r"(?=$|[\s`'\"()<>\[\]#?,;]|\.(?:\s|$))"
# The ways this project writes an address of a GitHub repository.
ADDRESS_FORMS = {
    "pip": re.compile(rf"git\+https://github\.com/{REPO}(?:\.git)?(?:@{REF})?{END}"),
    "binder": re.compile(rf"https://mybinder\.org/v2/gh/{REPO}/{REF}"),
    "colab": re.compile(rf"https://colab\.research\.google\.com/github/{REPO}/blob/{REF}/"),
    "github": re.compile(rf"(?<!git\+)https://github\.com/{REPO}(?:\.git)?(?:/(?:tree|blob)/{REF})?(?=/|{END})"),
}


def repository(url: str) -> str:
    """'owner/name' of a https://github.com/owner/name address."""
    match = ADDRESS_FORMS["github"].fullmatch(url.rstrip("/"))
    assert match and not match["branch"], f"not the address of a GitHub repository: {url}"
    return match["repo"]


def addresses(text: str):
    """(line number, form, 'owner/name', branch or None, text) of each GitHub address in text."""
    for number, line in enumerate(text.splitlines(), start=1):
        for form, pattern in ADDRESS_FORMS.items():
            for match in pattern.finditer(line):
                yield number, form, match["repo"], match["branch"], match[0]


def wrong_addresses(text: str, url: str = URL, branch: str = BRANCH) -> list[str]:
    """The addresses in text that name another repository or branch than url and branch."""
    want = repository(url)
    wrong = []
    for number, form, repo, ref, found in addresses(text):
        if repo in OTHER_REPOSITORIES:
            continue
        if repo != want or (ref is not None and ref != branch):
            wrong.append(f"line {number}: {found}")
    return wrong


def fix_hint() -> str:
    return (f"_config.yml says the repository is {URL} (branch {BRANCH}); "
            "change these to match, or _config.yml if it is the one out of date "
            "(a link to another project's repository: add it to OTHER_REPOSITORIES in this file)")


def test_config_names_a_github_repository_and_branch():
    assert repository(URL) and BRANCH, fix_hint()


def test_readme_addresses_match_config():
    wrong = wrong_addresses(README.read_text())
    assert not wrong, f"README.md: {wrong}\n{fix_hint()}"


def test_readme_links_binder_colab_and_pip_install():
    # So that the test above is not vacuous: the README has each kind of link.
    forms = {form for _, form, *_ in addresses(README.read_text())}
    assert {"binder", "colab", "pip"} <= forms, forms


def test_readme_launch_links_open_notebooks_that_exist():
    targets = re.findall(r"(?:urlpath=lab/tree/|/blob/[\w.-]+/)([\w./-]+\.ipynb)", README.read_text())
    assert len(targets) >= 2 and all((ROOT / t).is_file() for t in targets), targets


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_addresses_match_config(path):
    nb = read(path)
    wrong = [f"cell {i}, {place}" for i, cell in enumerate(nb.cells) for place in wrong_addresses(cell.source)]
    assert not wrong, f"{path.relative_to(ROOT)}: {wrong}\n{fix_hint()}"
    # The Colab install cell (tests/test_book_build.py checks its other rules).
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert [form for _, form, *_ in addresses(first.source)] == ["pip"], first.source


def test_address_check_fails_on_another_owner_or_branch():
    # Negative control: the README and an install cell, with the address changed.
    readme = README.read_text()
    moved = readme.replace(repository(URL), "someone-else/bp")
    assert len(wrong_addresses(moved)) == len(list(addresses(readme))) >= 3
    assert wrong_addresses(readme.replace(f"/{BRANCH}", "/gh-pages"))
    cell = f"%pip install --quiet git+{URL}"
    assert not wrong_addresses(cell) and not wrong_addresses(f"{cell}@{BRANCH}")
    for changed in [cell.replace("github.com/", "github.com/x"), cell + "-old", f"{cell}@dev", f"{cell}.git@dev"]:
        assert wrong_addresses(changed) == [f"line 1: {changed.split()[-1]}"], changed


def test_address_forms_read_the_repository_and_branch():
    found = [(form, repo, ref) for _, form, repo, ref, _ in addresses(
        "[b](https://mybinder.org/v2/gh/o/r.py/dev?urlpath=x) "
        "[c](https://colab.research.google.com/github/o/r.py/blob/dev/a.ipynb) "
        "`pip install git+https://github.com/o/r.py.git@dev`, see https://github.com/o/r.py.")]
    assert found == [("pip", "o/r.py", "dev"), ("binder", "o/r.py", "dev"), ("colab", "o/r.py", "dev"),
                     ("github", "o/r.py", None)]


# --- The workflow -------------------------------------------------------------------

def load_workflow(path: Path = WORKFLOW) -> dict:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def test_workflow_tests_pushes_and_pull_requests_and_deploys_only_the_branch():
    # Pushes run the workflow only on the book's branch, and only pushes deploy:
    # so the branch is written once in the workflow.
    workflow = load_workflow()
    assert set(workflow["on"]) == {"push", "pull_request"}
    assert workflow["on"]["push"] == {"branches": [BRANCH]}, f"{WORKFLOW.relative_to(ROOT)}: on.push\n{fix_hint()}"
    deploy = workflow["jobs"]["deploy"]
    upload = next(s for s in steps(workflow["jobs"]["test"]) if s.get("uses", "").startswith("actions/upload-pages"))
    assert deploy["if"].strip() == upload["if"].strip() == "github.event_name == 'push'"
    assert deploy["needs"] == "test"


def test_workflow_runs_the_readme_test_command_with_a_required_browser():
    job = load_workflow()["jobs"]["test"]
    runs = [s.get("run", "") for s in steps(job)]
    assert "./book test" in [r.strip() for r in runs]
    assert "./book test" in README.read_text()
    assert job["env"]["BP_REQUIRE_BROWSER"] == "1"
    assert any('"BP_CHROMIUM=' in r and "GITHUB_ENV" in r for r in runs)
    python = next(s for s in steps(job) if s.get("uses", "").startswith("actions/setup-python"))
    runtime = (ROOT / "runtime.txt").read_text().strip()
    assert f"python-{python['with']['python-version']}" == runtime, "keep it the version Binder uses"


def test_workflow_publishes_the_built_book_to_pages():
    workflow = load_workflow()
    assert workflow["permissions"] == {"contents": "read"}
    upload = next(s for s in steps(workflow["jobs"]["test"]) if s.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    uses = [s.get("uses", "").split("@")[0] for s in steps(deploy)]
    assert uses == ["actions/configure-pages", "actions/deploy-pages"]


def test_workflow_actions_are_pinned_to_major_versions():
    for path in WORKFLOWS:
        for job in load_workflow(path)["jobs"].values():
            for step in steps(job):
                if "uses" in step:
                    assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), (path.name, step["uses"])


def linter(name: str) -> str:
    """A linter that requirements-dev.txt installs next to this Python."""
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: install requirements-dev.txt (./book test does)")
    return found


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    """actionlint on the workflow files, with shellcheck on their `run:` scripts."""
    return subprocess.run([linter("actionlint"), "-no-color", f"-shellcheck={linter('shellcheck')}",
                           *map(str, paths)], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_workflows_pass_actionlint_and_shellcheck():
    assert WORKFLOWS == [WORKFLOW]
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_and_shellcheck_fail_a_broken_workflow(tmp_path):
    # Negative control: a misspelt input of an action, and a script that
    # shellcheck rejects, in a copy of the workflow.
    text = WORKFLOW.read_text()
    broken = text.replace("python-version:", "python_version:").replace(
        "test -x \"$chromium\"", "test -x \"$chromium\" && cd $HOME/x")
    assert broken.count("python_version:") == 1 and "cd $HOME/x" in broken
    copy = tmp_path / "book.yml"
    copy.write_text(broken)
    result = actionlint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'input "python_version" is not defined in action "actions/setup-python' in result.stdout
    assert "[shellcheck]" in result.stdout and "SC2086" in result.stdout, result.stdout


# --- The README's picture -----------------------------------------------------------

def screenshot_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCREENSHOT), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@needs_book
def test_readme_screenshot_script_takes_the_picture(tmp_path):
    # Written to tmp_path: images/book-screenshot.png is redone by hand.
    sys.path.insert(0, str(SCREENSHOT.parent))
    try:
        from readme_screenshot import chromium
    finally:
        sys.path.pop(0)
    if chromium() is None and os.environ.get("BP_REQUIRE_BROWSER") != "1":
        pytest.skip("no Chromium found (apt-get install chromium, or set BP_CHROMIUM)")
    out = tmp_path / "picture.png"
    result = screenshot_script("--html", str(HTML), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    with Image.open(out) as image:
        assert image.size == (1280, 800)
        assert len(image.getcolors(256) or []) > 16, "a blank picture"


def test_readme_screenshot_script_needs_a_built_book(tmp_path):
    # Negative control: no book, no picture, and a message that says why.
    result = screenshot_script("--html", str(tmp_path), "--out", str(tmp_path / "picture.png"))
    assert result.returncode != 0 and "build the book first" in result.stderr
    assert not (tmp_path / "picture.png").exists()
