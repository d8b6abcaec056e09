"""The chapter template's patterns, checked in every notebook that follows it.

chapters/template.ipynb describes them to authors; these tests hold every
notebook of the book (and the template itself) to them:

* a "New terms in this chapter" box right after the learning objectives,
  whose terms are in the glossary and linked in the text with {term}; a
  term linked but not listed must be new in an earlier chapter;
* every {term} names a term of glossary.md (the book build checks the pages
  it builds; the template is not built, so it is checked here), and no term
  is defined twice;
* every exercise has a folded hint before its folded solution;
* every "Going deeper" box is folded, and the main path states its
  conclusion just before it;
* the code of a "Going deeper" box is folded like a solution's;
* "Book check" cells (checks that only keep the text true) are removed from
  the page, and a removed code cell is either the Colab install cell or a
  book check;
* inline code in prose that calls bp runs as quoted.

Each check is also run on a small case built to fail (a negative control),
so that a check that could never fail would show.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from test_book_build import CONVENTION_NOTEBOOKS, ROOT, TEMPLATE, read

import bp

GLOSSARY = ROOT / "glossary.md"
CHAPTERS = [p for p in CONVENTION_NOTEBOOKS if p.parent.name == "chapters"]
IDS = {p: p.relative_to(ROOT).as_posix() for p in CONVENTION_NOTEBOOKS}
NEW_TERMS_TITLE = "New terms in this chapter"   # "... in this introduction" on the intro
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
OPENING = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<argument>.*)$")


def source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def term_target(role_text: str) -> str:
    """`{term}`plural text <term>`` links to `term`; `{term}`term`` to itself. Sphinx matches
    glossary terms without regard to case."""
    match = re.fullmatch(r"(?s).*<([^<>]+)>\s*", role_text)
    return (match.group(1) if match else role_text).strip().lower()


def glossary_terms(text: str | None = None) -> list[str]:
    """The terms defined in glossary.md's {glossary} block, in file order (lower case)."""
    text = GLOSSARY.read_text() if text is None else text
    blocks = [b for b in fenced_blocks(text) if b["name"] == "glossary"]
    assert len(blocks) == 1, "glossary.md must hold exactly one {glossary} block"
    return [line.strip().lower() for line in blocks[0]["body"].splitlines()
            if line.strip() and not line[0].isspace() and not line.startswith(":")]


def fenced_blocks(markdown: str) -> list[dict]:
    """Top-level MyST directives of a markdown text: name, argument, options, body, and the text
    before the opening fence."""
    blocks, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        match = OPENING.match(lines[i].strip())
        if not match:
            i += 1
            continue
        fence, start = match.group("fence"), i
        closing = re.compile(re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        j = i + 1
        while j < len(lines) and not closing.fullmatch(lines[j].strip()):
            j += 1
        inner = lines[i + 1:j]
        options = {}
        while inner and re.match(r"^:[\w-]+:", inner[0]):
            key, _, value = inner.pop(0)[1:].partition(":")
            options[key] = value.strip()
        blocks.append({"name": match.group("name"), "argument": match.group("argument").strip(),
                       "options": options, "body": "\n".join(inner),
                       "before": "\n".join(lines[:start])})
        i = j + 1
    return blocks


def markdown_cells(path: Path):
    return [(i, source(c)) for i, c in enumerate(read(path).cells) if c.cell_type == "markdown"]


def term_roles(text: str) -> list[str]:
    """The targets of the {term} roles in a markdown text; a role quoted as code (``{term}`x` ``,
    or `{term}` alone) is an example for authors, not a link."""
    text = re.sub(r"``.+?``", "", text)
    text = re.sub(r"(?<![`}])`\{[^`]*\}`", "", text)
    return [term_target(t) for t in TERM_ROLE.findall(text)]


# --- New terms and the glossary ------------------------------------------------------------------

def new_terms_box(path: Path) -> tuple[int, dict] | None:
    for index, text in markdown_cells(path):
        for block in fenced_blocks(text):
            if block["name"] == "admonition" and block["argument"] in (
                    NEW_TERMS_TITLE, NEW_TERMS_TITLE.replace("chapter", "introduction")):
                return index, block
    return None


def new_terms_problems(path: Path) -> list[str]:
    cells = read(path).cells
    found = new_terms_box(path)
    if found is None:
        return [f'no "{NEW_TERMS_TITLE}" box']
    index, block = found
    problems = []
    if path.parent.name == "chapters":
        objectives = next((i for i, c in enumerate(cells)
                           if c.cell_type == "markdown" and "## Learning objectives" in source(c)), None)
        if objectives is None or index != objectives + 1:
            problems.append(f"the box is cell {index}, not the cell right after the learning objectives "
                            f"(cell {objectives})")
    listed = term_roles(block["body"])
    if not listed:
        problems.append("the box lists no {term}")
    body = "".join(source(c) for i, c in enumerate(cells) if c.cell_type == "markdown" and i != index)
    linked = set(term_roles(body))
    problems += [f"{term!r} is listed but never linked with {{term}} in the text"
                 for term in listed if term not in linked]
    # A term linked but not new here must be new in an earlier notebook of the book (a reminder
    # link); the template, outside the book, may link any glossary term.
    earlier = set() if path == TEMPLATE else set().union(*map(listed_terms, book_notebooks_before(path)))
    problems += [f"{term!r} is linked in the text but listed as new neither here nor in an earlier chapter"
                 for term in sorted(linked - set(listed)) if path != TEMPLATE and term not in earlier]
    return problems


def listed_terms(path: Path) -> set[str]:
    found = new_terms_box(path)
    return set(term_roles(found[1]["body"])) if found else set()


def book_notebooks_before(path: Path) -> list[Path]:
    order = [p for p in CONVENTION_NOTEBOOKS if p != TEMPLATE]
    return order[:order.index(path)]


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=IDS.get)
def test_new_terms_box_lists_the_terms_the_text_links(path):
    problems = new_terms_problems(path)
    assert not problems, f"{IDS[path]}:\n  " + "\n  ".join(problems)


def test_glossary_defines_each_term_once():
    terms = glossary_terms()
    assert len(terms) >= 10, terms
    duplicates = sorted({t for t in terms if terms.count(t) > 1})
    assert not duplicates, f"glossary.md defines these terms more than once: {duplicates}"


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=IDS.get)
def test_every_term_role_names_a_glossary_term(path):
    known = set(glossary_terms())
    missing = sorted({(i, term) for i, text in markdown_cells(path)
                      for term in term_roles(text) if term not in known})
    assert not missing, f"{IDS[path]}: {{term}} roles with no glossary entry (cell, term): {missing}"


def test_term_targets_and_the_glossary_parser():
    assert term_target("learning rates <learning rate>") == "learning rate"
    assert term_target("Epoch") == "epoch"
    text = "# G\n\n```{glossary}\n:sorted:\n\nfoo\n  Foo is.\n\nbar baz\n  Bar is.\n```\n"
    assert glossary_terms(text) == ["foo", "bar baz"]
    assert term_roles("a {term}`Foo` and {term}`bars <bar baz>`; the role `{term}` and ``{term}`x` ``") == [
        "foo", "bar baz"]


# --- Exercises: a folded hint, then a folded solution ------------------------------------------------

def exercise_problems(text: str) -> list[str]:
    problems, blocks = [], fenced_blocks(text)
    for k, block in enumerate(blocks):
        if block["name"] != "exercise":
            continue
        title = block["argument"]
        following = blocks[k + 1:k + 3]
        names = [b["name"] for b in following]
        if names != ["hint", "solution"]:
            problems.append(f"exercise {title!r} is followed by {names}, not a hint then its solution")
            continue
        hint, solution = following
        for kind, box in (("hint", hint), ("solution", solution)):
            if box["options"].get("class") != "dropdown":
                problems.append(f"exercise {title!r}: its {kind} is not folded (:class: dropdown)")
        if len(hint["body"].strip()) < 20:
            problems.append(f"exercise {title!r}: its hint is empty")
        if solution["argument"] != block["options"].get("label"):
            problems.append(f"exercise {title!r}: the solution after it answers {solution['argument']!r}")
    return problems


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=IDS.get)
def test_each_exercise_has_a_folded_hint_then_a_folded_solution(path):
    problems = [f"cell {i}: {p}" for i, text in markdown_cells(path) for p in exercise_problems(text)]
    assert not problems, f"{IDS[path]}:\n  " + "\n  ".join(problems)


def test_exercise_check_fails_without_a_hint():
    good = ("```{exercise} E\n:label: x-ex\nQ?\n```\n\n```{hint}\n:class: dropdown\n\nLook at the slope first.\n```\n\n"
            "```{solution} x-ex\n:class: dropdown\n\nA.\n```\n")
    assert exercise_problems(good) == []
    no_hint = "```{exercise} E\n:label: x-ex\nQ?\n```\n\n```{solution} x-ex\n:class: dropdown\n\nA.\n```\n"
    assert exercise_problems(no_hint) == ["exercise 'E' is followed by ['solution'], not a hint then its solution"]
    open_hint = good.replace("```{hint}\n:class: dropdown\n", "```{hint}\n")
    assert exercise_problems(open_hint) == ["exercise 'E': its hint is not folded (:class: dropdown)"]


# --- Going deeper ------------------------------------------------------------------------------------

def going_deeper_problems(cells: list[tuple[int, str]]) -> list[str]:
    problems, previous = [], ""
    for index, text in cells:
        for block in fenced_blocks(text):
            if block["name"] != "admonition" or not block["argument"].startswith("Going deeper"):
                continue
            title = block["argument"]
            if block["options"].get("class") != "dropdown":
                problems.append(f"cell {index}: {title!r} is not folded (:class: dropdown)")
            # The conclusion stays on the main path, just before the box: some prose (not a
            # heading) in the same cell before it, or at the end of the markdown cell before.
            lead = block["before"].strip() or previous.strip()
            last = lead.split("\n\n")[-1] if lead else ""
            if len(last) < 40 or last.lstrip().startswith(("#", "```", ":::")):
                problems.append(f"cell {index}: {title!r} has no plain summary just before it on the main path")
        previous = text
    return problems


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=IDS.get)
def test_going_deeper_boxes_are_folded_with_a_summary_before_them(path):
    problems = going_deeper_problems(markdown_cells(path))
    assert not problems, f"{IDS[path]}:\n  " + "\n  ".join(problems)


def test_going_deeper_check_fails_on_an_open_box_without_summary():
    box = "```{admonition} Going deeper: why\n:class: dropdown\n\nHessians.\n```"
    summary = "The cost is a bowl that is more curved one way than the other.\n\n"
    assert going_deeper_problems([(0, summary + box)]) == []
    assert going_deeper_problems([(0, "## A heading\n\n" + box)]) == [
        "cell 0: 'Going deeper: why' has no plain summary just before it on the main path"]
    assert going_deeper_problems([(0, summary + box.replace(":class: dropdown\n", ""))]) == [
        "cell 0: 'Going deeper: why' is not folded (:class: dropdown)"]


# --- Code cells: folded deeper code, removed book checks -----------------------------------------

def code_cell_problems(cells) -> list[str]:
    problems = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        text, tags = source(cell).lstrip(), cell.metadata.get("tags", [])
        jupyter = cell.metadata.get("jupyter", {})
        first = text.splitlines()[0] if text else ""
        if first.startswith("# Going deeper:") or first.startswith("# Solution to Exercise"):
            if "hide-cell" not in tags or not (jupyter.get("source_hidden") and jupyter.get("outputs_hidden")):
                problems.append(f"cell {index}: {first!r} must be tagged hide-cell with jupyter.source_hidden "
                                "and outputs_hidden")
        if first.startswith("# Book check"):
            if "remove-cell" not in tags or not jupyter.get("source_hidden"):
                problems.append(f"cell {index}: {first!r} must be tagged remove-cell with jupyter.source_hidden")
        elif "remove-cell" in tags and "google.colab" not in text:
            problems.append(f"cell {index}: tagged remove-cell but neither the Colab install cell nor a "
                            f"'# Book check' cell: the page would hide code the reader needs ({first!r})")
    return problems


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=IDS.get)
def test_deeper_code_is_folded_and_book_checks_are_removed(path):
    problems = code_cell_problems(read(path).cells)
    assert not problems, f"{IDS[path]}:\n  " + "\n  ".join(problems)


def test_code_cell_check_fails_on_a_visible_book_check():
    import nbformat

    cell = nbformat.v4.new_code_cell("# Book check: the caption\nassert True")
    assert code_cell_problems([cell]) == [
        "cell 0: '# Book check: the caption' must be tagged remove-cell with jupyter.source_hidden"]
    cell.metadata.update(tags=["remove-cell"], jupyter={"source_hidden": True})
    assert code_cell_problems([cell]) == []


def test_the_template_has_one_of_each_pattern():
    cells = read(TEMPLATE).cells
    kinds = [source(c).lstrip().splitlines()[0] for c in cells if c.cell_type == "code" and source(c).strip()]
    assert any(k.startswith("# Book check") for k in kinds)
    assert any(k.startswith("# Going deeper:") for k in kinds)
    text = "".join(source(c) for c in cells if c.cell_type == "markdown")
    assert "```{admonition} Going deeper:" in text and "```{hint}" in text
    assert "### Check your understanding" in text


# --- Code quoted in prose runs as quoted -------------------------------------------------------------

INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")


BP_NAMES = {name: getattr(bp, name) for name in dir(bp) if not name.startswith("_")}


def prose_calls(text: str) -> list[str]:
    """Inline code spans that call something in bp: `bp.Linear(2, 3, rng=rng)`, or `Linear(2, 3)`
    written without the package's name."""
    spans = []
    outside = re.sub(r"(?ms)^ *(`{3,}|~{3,}).*?^ *\1 *$", "", text)  # drop fenced blocks
    for span in INLINE_CODE.findall(outside):
        match = re.match(r"^(\w+)[\w.]*\(.*\)$", span.strip())
        # `fit()` and `Value.graph()` name a function, as prose often does; only calls with
        # arguments are code to run.
        if (match and (match.group(1) == "bp" or match.group(1) in BP_NAMES) and "..." not in span
                and not span.strip().endswith("()")):
            spans.append(span.strip())
    return spans


def call_problem(span: str) -> str | None:
    """Evaluate a quoted call with the names a chapter has usually defined by then; a name the
    namespace lacks means the span is a pattern, not runnable code, and is skipped."""
    rng = np.random.default_rng(0)
    names = {**BP_NAMES, "bp": bp, "np": np, "rng": rng, "D": 2, "K": 3, "N": 4, "B": 2,
             "X": rng.normal(size=(4, 2)), "y": rng.normal(size=(4, 1))}
    try:
        eval(compile(span, "<prose>", "eval"), names)  # noqa: S307 - the book's own prose
    except (NameError, SyntaxError, AttributeError):
        return None
    except (TypeError, ValueError) as error:
        return f"`{span}` raises {type(error).__name__}: {error}"
    return None


@pytest.mark.parametrize("path", CONVENTION_NOTEBOOKS, ids=IDS.get)
def test_bp_calls_quoted_in_prose_run_as_quoted(path):
    problems = [f"cell {i}: {p}" for i, text in markdown_cells(path)
                for span in prose_calls(text) if (p := call_problem(span))]
    assert not problems, f"{IDS[path]}:\n  " + "\n  ".join(problems)


def test_a_call_without_its_rng_is_caught():
    assert prose_calls("exactly what `bp.Linear(D, K)` computes") == ["bp.Linear(D, K)"]
    assert prose_calls("a `Linear(1, 1)` layer, `print(x)` and `fit()`") == ["Linear(1, 1)"]
    assert call_problem("Linear(1, 1)").startswith("`Linear(1, 1)` raises TypeError")
    assert call_problem("bp.Linear(D, K)").startswith("`bp.Linear(D, K)` raises TypeError")
    assert call_problem("bp.Linear(D, K, rng=rng)") is None
