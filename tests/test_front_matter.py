"""The front matter tells the truth: the introduction, the notation page and
the glossary agree with the table of contents and with each other.

These tests read the sources (``_toc.yml``, ``intro.ipynb``, ``notation.md``,
``glossary.md``, ``references.bib``), never the built book, so they run in a
second.  Each checker is a function that returns a list of problems; the
negative controls run it on doctored copies to show that it can fail.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from test_conventions import glossary_terms, term_roles

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
INTRO = nbformat.read(ROOT / "intro.ipynb", as_version=4)
NOTATION = (ROOT / "notation.md").read_text()
GLOSSARY = (ROOT / "glossary.md").read_text()
BIB = (ROOT / "references.bib").read_text()

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")             # [text](target)
CITE = re.compile(r"\{cite:[tp]\}`([^`]+)`")
COMING_NEXT = "**Coming next"                               # starts the line of planned parts


# --- Reading the sources --------------------------------------------------------

def toc_chapters(toc: dict) -> list[str]:
    """The chapters the book holds: every `file` of a part with `numbered: true`, in order."""
    return [entry["file"] for part in toc.get("parts", []) if part.get("numbered")
            for entry in part.get("chapters", [])]


def notebook_title(path: Path) -> str:
    """A notebook's title: the first level-1 heading of its markdown cells."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise AssertionError(f"{path} has no '# ' title")


def intro_cell(heading: str, nb=INTRO) -> str:
    """The source of the intro's markdown cell that starts with `heading`."""
    cells = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(heading)]
    assert len(cells) == 1, f"the intro should have exactly one cell starting {heading!r}"
    return cells[0]


TITLES = {entry: notebook_title(ROOT / f"{entry}.ipynb") for entry in toc_chapters(TOC)}


# --- The checker: "What you will learn" against the TOC -------------------------

def what_you_will_learn_problems(cell: str, chapters: list[str], titles: dict[str, str]) -> list[str]:
    """What is wrong between the intro's "What you will learn" cell and the TOC's chapters.

    The cell lists the chapters the book holds, in TOC order, as numbered items
    that each open with a link `[Chapter k: <title>](<file>.ipynb)`, k counting
    from 1 and <title> being the notebook's first heading.  After that list, a
    line starting "**Coming next" may name parts that are planned: it must say
    so ("planned") and may not link to any notebook.
    """
    problems = []
    available, _, planned = cell.partition(COMING_NEXT)

    # Every numbered item of the list opens with a link to a chapter.
    items = re.findall(r"^\d+\.\s+(.*)$", available, re.M)
    linked = []
    for item in items:
        match = LINK.search(item)
        if not match or not item.lstrip("*").startswith("["):
            problems.append(f"a listed item names no chapter file: {item!r}")
            continue
        linked.append(match)
    targets = [re.sub(r"\.(ipynb|md)$", "", target) for _, target in (m.groups() for m in linked)]

    for entry in chapters:
        if entry not in targets:
            problems.append(f"the TOC holds {entry}, which the list does not name")
    for target in targets:
        if target not in chapters:
            problems.append(f"the list names {target} as available, but the TOC does not hold it")
    common = [t for t in targets if t in chapters]
    if common != [c for c in chapters if c in targets]:
        problems.append(f"the list's order {common} is not the TOC's order {chapters}")
    for match, target in zip(linked, targets):
        if target in chapters:
            k = chapters.index(target) + 1
            expected = f"Chapter {k}: {titles[target]}"
            if match[1] != expected:
                problems.append(f"the link to {target} reads {match[1]!r}, not {expected!r}")

    # No chapter number beyond the TOC's, linked or not, on the "available" side.
    for number in map(int, re.findall(r"\bChapter (\d+)\b", available)):
        if not 1 <= number <= len(chapters):
            problems.append(f"the list names Chapter {number}, but the TOC holds {len(chapters)} chapters")

    if planned:
        if "planned" not in planned.splitlines()[0]:
            problems.append("the 'Coming next' line must say that its parts are planned")
        if re.search(r"\]\([^)]*\.ipynb\)", planned):
            problems.append("the 'Coming next' line links to a notebook, as if it were available")
        for entry, title in titles.items():
            if title in planned:
                problems.append(f"the 'Coming next' line names {title!r}, which the TOC already holds")
    return problems


WHAT = intro_cell("## What you will learn")
CHAPTERS = toc_chapters(TOC)
# The negative controls need a "Coming next" line; once every planned part is written the
# intro has none, so they doctor a copy that has one.
PLANNED = "\n\n**Coming next (planned, not written yet):** Part IX, something new.\n"
WITH_NEXT = WHAT if COMING_NEXT in WHAT else WHAT.rstrip() + PLANNED


def test_toc_holds_part_one():
    # The TOC as the intro describes it today: Part I, chapters 1-3.
    assert CHAPTERS[:3] == ["chapters/01_learning_from_errors", "chapters/02_gradient_descent",
                            "chapters/03_chain_rule"]


def test_what_you_will_learn_lists_exactly_the_toc_chapters():
    problems = what_you_will_learn_problems(WHAT, CHAPTERS, TITLES)
    assert not problems, "intro.ipynb, 'What you will learn' vs _toc.yml:\n  " + "\n  ".join(problems)


# Negative controls: each doctored copy must be caught.
def _drop_item(cell: str, k: int) -> str:
    return re.sub(rf"^{k}\. .*?(?=^\d+\. |^\*\*Coming next|\Z)", "", cell, flags=re.M | re.S)


def test_checker_catches_a_toc_chapter_missing_from_the_list():
    problems = what_you_will_learn_problems(_drop_item(WHAT, 3), CHAPTERS, TITLES)
    assert any("which the list does not name" in p for p in problems), problems


def test_checker_catches_a_listed_chapter_the_toc_does_not_hold():
    extra = "4. **[Chapter 4: Backpropagation in layers](chapters/04_layers.ipynb).** Soon.\n\n"
    problems = what_you_will_learn_problems(WITH_NEXT.replace(COMING_NEXT, extra + COMING_NEXT), CHAPTERS, TITLES)
    assert any("the TOC does not hold it" in p for p in problems), problems


NEXT = len(CHAPTERS) + 1                               # the number of the first chapter not written yet


def test_checker_catches_an_unlinked_chapter_named_as_available():
    extra = f"{NEXT}. **Chapter {NEXT}: Something new.** Soon.\n\n"
    problems = what_you_will_learn_problems(WITH_NEXT.replace(COMING_NEXT, extra + COMING_NEXT), CHAPTERS, TITLES)
    assert any("names no chapter file" in p for p in problems), problems
    assert any(f"names Chapter {NEXT}" in p for p in problems), problems


def test_checker_catches_a_chapter_added_to_the_toc_only():
    toc = copy.deepcopy(TOC)
    part = [p for p in toc["parts"] if p.get("numbered")][-1]     # the last written part
    new = f"chapters/{NEXT:02d}_something_new"
    part["chapters"].append({"file": new})
    titles = dict(TITLES, **{new: "Something new"})
    problems = what_you_will_learn_problems(WHAT, toc_chapters(toc), titles)
    assert problems == [f"the TOC holds {new}, which the list does not name"]


def test_checker_catches_a_renamed_chapter():
    titles = dict(TITLES, **{CHAPTERS[0]: "A new title"})
    problems = what_you_will_learn_problems(WHAT, CHAPTERS, titles)
    assert any("not 'Chapter 1: A new title'" in p for p in problems), problems


def test_checker_catches_a_planned_part_presented_as_written():
    doctored = WITH_NEXT.replace("(planned, not written yet)", "")
    assert "planned" not in doctored.partition(COMING_NEXT)[2].splitlines()[0]
    problems = what_you_will_learn_problems(doctored, CHAPTERS, TITLES)
    assert any("must say that its parts are planned" in p for p in problems), problems
    planned_part = re.search(r"Part [IVX]+", WITH_NEXT.partition(COMING_NEXT)[2]).group(0)
    linked = WITH_NEXT.replace(f"{planned_part},", f"[{planned_part}](chapters/{NEXT:02d}_something_new.ipynb),")
    assert linked != WITH_NEXT
    assert any("links to a notebook" in p for p in what_you_will_learn_problems(linked, CHAPTERS, TITLES))


# --- The rest of the intro --------------------------------------------------------

def test_prerequisites_are_the_main_path_and_deeper_boxes_can_be_skipped():
    cell = intro_cell("## Who this book is for")
    needs = cell.partition("**What you need beforehand**")[2]
    bullets = re.findall(r"^- (.*)$", needs, re.M)
    assert len(bullets) == 3, bullets
    assert bullets[0].startswith("Python and numpy basics")
    assert bullets[1].startswith("Derivatives of functions of one variable")
    assert bullets[2].startswith("Vectors, matrices and matrix products")
    assert "**Going deeper**" in needs and "skip" in needs


def test_how_to_read_explains_every_pattern():
    cell = intro_cell("## How to read it")
    for pattern in ["**New terms**", "[glossary](glossary.md)", "**Going deeper**", "**Check your understanding.**",
                    "**hint**", "**solution**", "[notation page](notation.md)"]:
        assert pattern in cell, pattern
    assert cell.index("**hint**") < cell.index("**solution**")


def test_intro_new_terms_box_lists_the_terms_it_links():
    sources = [c.source for c in INTRO.cells if c.cell_type == "markdown"]
    box = [i for i, s in enumerate(sources) if s.startswith("```{admonition} New terms")]
    assert len(box) == 1, "the intro needs one New terms box"
    assert sources[box[0] - 1].startswith("## What you will learn"), "the box follows 'What you will learn'"
    listed = term_roles(sources[box[0]])
    body = term_roles("\n".join(s for i, s in enumerate(sources) if i != box[0]))
    first_uses = list(dict.fromkeys(t.lower() for t in body))
    assert [t.lower() for t in listed] == first_uses, "the box lists the page's terms in order of first use"
    assert "[glossary](glossary.md)" in sources[box[0]]


def test_history_names_werbos_between_linnainmaa_and_rumelhart():
    keys = [key for group in CITE.findall(intro_cell("## Where the ideas come from")) for key in group.split(",")]
    order = [keys.index(k) for k in ["Linnainmaa1970", "Werbos1974", "Werbos1982", "Rumelhart1986"]]
    assert order == sorted(order)


def test_front_matter_cites_only_keys_in_the_bibliography():
    bib_keys = set(re.findall(r"^@\w+\{([^,\s]+),", BIB, re.M))
    assert {"Werbos1974", "Werbos1982"} <= bib_keys
    text = "\n".join([c.source for c in INTRO.cells if c.cell_type == "markdown"] + [NOTATION, GLOSSARY])
    cited = {key.strip() for group in CITE.findall(text) for key in group.split(",")}
    assert cited <= bib_keys, cited - bib_keys


def test_bibliography_keys_are_unique():
    keys = re.findall(r"^@\w+\{([^,\s]+),", BIB, re.M)
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


# --- Glossary and notation ---------------------------------------------------------

def test_glossary_is_sorted():
    # No duplicate term: tests/test_conventions.py::test_glossary_defines_each_term_once.
    assert ":sorted:" in GLOSSARY


def test_duplicate_check_can_fail():
    doubled = GLOSSARY.replace("\n```\n", "\nepoch\n  Once more.\n```\n") if "epoch" in glossary_terms() else None
    if doubled is None:
        pytest.skip("no 'epoch' entry to double")
    terms = glossary_terms(doubled)
    assert len(terms) > len(set(terms))


def test_every_glossary_entry_has_a_definition():
    block = re.search(r"^```\{glossary\}\n(.*?)^```", GLOSSARY, re.S | re.M)[1]
    entries = re.split(r"\n(?=\S)", block.strip().split("\n", 1)[1].strip())   # after ":sorted:"
    bare = [e.splitlines()[0] for e in entries if not any(l.startswith("  ") and l.strip() for l in e.splitlines())]
    assert not bare, f"terms without a definition: {bare}"


@pytest.mark.parametrize("name, text", [("intro", "\n".join(c.source for c in INTRO.cells)),
                                        ("notation", NOTATION), ("glossary", GLOSSARY)])
def test_front_matter_terms_exist_in_the_glossary(name, text):
    terms = set(glossary_terms())
    missing = sorted({t for t in term_roles(text) if t not in terms})
    assert not missing, f"{name} links terms the glossary lacks: {missing}"


def test_notation_and_glossary_link_each_other():
    assert "[glossary](glossary.md)" in NOTATION
    assert "[notation page](notation.md)" in GLOSSARY


def test_notation_page_keeps_the_books_decisions():
    # Review A2: the mean does not make the learning rate independent of the batch size.
    assert "keeps its meaning when the batch size changes" not in NOTATION
    assert "retune" in NOTATION
    # Review A39: the number of parameters is |theta|; P is only the predicted probabilities.
    assert r"$\lvert\theta\rvert$ | the number of parameters" in NOTATION
    assert not re.search(r"\$P\$[^|\n]*(parameters|operations)", NOTATION)
    # Review A3: no delta^(L) mixes an (N, 1) target with (N,) labels.
    assert r"(\sigma(Z^{(L)}) - y) / N" not in NOTATION
