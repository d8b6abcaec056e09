"""The front door: the README's first example runs as written from a copy of bp/ alone, and help(bp) opens with it."""

import pathlib
import pydoc
import re
import shutil
import subprocess
import sys
import textwrap

import bp

ROOT = pathlib.Path(__file__).resolve().parents[1]


def readme_example() -> str:
    """The first ```python block of the README's section "Using bp in your own work"."""
    section = ROOT.joinpath("README.md").read_text().split("## Using `bp` in your own work", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_runs_from_a_copy_of_bp_alone_and_prints_what_the_readme_says(tmp_path):
    shutil.copytree(pathlib.Path(bp.__file__).parent, tmp_path / "bp",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "example.py").write_text(readme_example())
    run_copy = ("import sys, runpy; import bp; "
                f"assert bp.__file__.startswith({str(tmp_path)!r}), bp.__file__; "
                "runpy.run_path('example.py', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", run_copy], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    first, second, third = result.stdout.strip().splitlines()
    start, end = map(float, re.fullmatch(r"training loss (\S+) -> (\S+)", first).groups())
    assert end < start, "the README says the training loss falls"
    assert float(re.fullmatch(r"test accuracy (\S+)", second).group(1)) > 0.9, second
    assert float(re.fullmatch(r"gradient check: largest relative error (\S+)", third).group(1)) < 1e-7, third
    assert len(readme_example().strip().splitlines()) <= 22, "the README promises about 20 lines"


def docstring_example() -> str:
    """The literal block after "::" in bp's module docstring, dedented."""
    after = bp.__doc__.split("::\n\n", 1)[1]
    block = []
    for line in after.splitlines():
        if line.strip() and not line.startswith("    "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip() + "\n"


def test_help_bp_opens_with_the_readme_example_within_a_screenful():
    assert docstring_example() == readme_example(), "help(bp) and the README must show the same example"
    lines = pydoc.render_doc(bp, renderer=pydoc.plaintext).splitlines()
    start = next(i for i, line in enumerate(lines) if "Quick start" in line)
    assert start < 10, "the quick start comes first"
    first_screen = "\n".join(line.strip() for line in lines[:50])
    for line in readme_example().strip().splitlines():
        assert line.strip() in first_screen, f"help(bp) lacks {line.strip()!r} in its first 50 lines"


def test_docstring_examples_run():
    import doctest

    import numpy as np

    from bp import gradcheck, scalar, training
    for module in [scalar, gradcheck, training]:
        result = doctest.testmod(module, extraglobs={"bp": bp, "np": np}, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
    assert doctest.testmod(gradcheck, extraglobs={"bp": bp, "np": np}).attempted >= 4
