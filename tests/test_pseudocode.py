"""Chapter 4's pseudocode and the bp code it cites stay in step.

The chapter keeps a table, ``PSEUDOCODE_LINES``, from each numbered line of
its algorithm box to a bp function and a line that function must contain.
This test reads the table and the box from the notebook and fails if a cited
function is renamed or removed, no longer contains its line, or if the box
and the table disagree on the line numbers.
"""

import ast
import inspect
import json
import pathlib
import re

import pytest

import bp

CHAPTER = pathlib.Path(__file__).resolve().parents[1] / "chapters" / "04_backprop_network.ipynb"


def cells(kind):
    return ["".join(c["source"]) for c in json.loads(CHAPTER.read_text())["cells"] if c["cell_type"] == kind]


def citation_table(notebook_code=None) -> dict:
    """The literal ``PSEUDOCODE_LINES = {...}`` of the chapter, as a dict."""
    source = notebook_code or next(s for s in cells("code") if "PSEUDOCODE_LINES = {" in s)
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "PSEUDOCODE_LINES":
            return ast.literal_eval(node.value)
    raise AssertionError("no PSEUDOCODE_LINES table in the chapter")


def algorithm_line_numbers() -> list:
    """The numbers of the numbered lines of the chapter's prf:algorithm box."""
    box = next(s for s in cells("markdown") if "{prf:algorithm}" in s)
    body = box.split("{prf:algorithm}", 1)[1].split("```", 1)[0]
    return [int(n) for n in re.findall(r"^(\d+)\. ", body, re.M)]


def citation_problems(table) -> list:
    problems = []
    for number, (qualified, fragment) in table.items():
        owner, _, method = qualified.partition(".")
        target = getattr(bp, owner, None)
        target = getattr(target, method, None) if target is not None else None
        if target is None:
            problems.append(f"line {number}: bp.{qualified} does not exist")
            continue
        found = sum(fragment in line for line in inspect.getsource(target).splitlines())
        if found != 1:
            problems.append(f"line {number}: bp.{qualified} contains {fragment!r} {found} times, not once")
    return problems


def test_every_cited_function_exists_and_contains_its_line_once():
    problems = citation_problems(citation_table())
    assert not problems, "\n".join(problems)


def test_the_algorithm_box_and_the_table_number_the_same_lines():
    numbers = algorithm_line_numbers()
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    assert sorted(citation_table()) == numbers


@pytest.mark.parametrize("doctor, expected", [
    (lambda t: {**t, 3: ("Linear.forward_pass", t[3][1])}, "does not exist"),
    (lambda t: {**t, 8: (t[8][0], "self.W.grad = self.x @ dz")}, "0 times"),
    (lambda t: {**t, 1: ("Sequential.forward", "x")}, "times, not once"),
])
def test_a_doctored_table_is_caught(doctor, expected):
    problems = citation_problems(doctor(citation_table()))
    assert problems and expected in problems[0], problems
