"""The crash course's sections, in the course's order: a few sentences each, a formula, and what "Show me" does.

The text is data, in course.txt (a teacher can edit it without reading code); the formulas of activations, losses
and optimizers come from the engine's registries (their one owner) and are turned into HTML by `formula_html`
(e^(−z) -> e<sup>−z</sup>), so no LaTeX is needed at run time. Each ShowMe names an action in show_me.py and
says in a few words what it will show.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from importlib.resources import files

from engine.activations import ACTIVATIONS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS


@dataclass(frozen=True)
class ShowMe:
    action: str                       # key of show_me.ACTIONS
    caption: str                      # what the button will show, beside it


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    text: str                         # HTML paragraphs, in our own words
    formula: str                      # HTML, one or more lines
    shows: tuple[ShowMe, ...]


_SUP = re.compile(r"\^\(([^()]*)\)|\^(\w+)")
_SUB = re.compile(r"_\{([^{}]*)\}|_(\w)")


def formula_html(text: str) -> str:
    """A registry formula in plain Unicode as HTML: ^(…) and ^x become superscripts, _{…} and _x subscripts."""
    out = html.escape(text)
    out = _SUP.sub(lambda m: f"<sup>{m.group(1) or m.group(2)}</sup>", out)
    return _SUB.sub(lambda m: f"<sub>{m.group(1) or m.group(2)}</sub>", out)


def _rows(rows: list[tuple[str, str]]) -> str:
    """Name on one line, its formula below (the dock is narrow: no table columns to squeeze)."""
    return "".join(f"<p><b>{html.escape(name)}</b><br>&nbsp;&nbsp;{formula}</p>" for name, formula in rows)


def activation_table() -> str:
    """Every activation the engine knows: its formula and its output range, read from the registry."""
    return _rows([(f"{cls.label} — range {cls.range_text}", formula_html(cls.formula))
                  for cls in ACTIVATIONS.values()])


def loss_table() -> str:
    return _rows([(LOSSES[name].label, formula_html(LOSSES[name].formula)) for name in ("cross_entropy", "l1")])


def optimizer_table() -> str:
    return _rows([(OPTIMIZERS[name].label, formula_html(OPTIMIZERS[name].formula))
                  for name in ("sgd", "minibatch", "bgd")])


TABLES = {"@activation_table": activation_table, "@loss_table": loss_table, "@optimizer_table": optimizer_table}


def parse(text: str) -> list[Section]:
    """Sections from course.txt: '## key | title', text lines, 'formula: …' lines, 'show: action | caption'."""
    sections = []
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        head, *lines = block.strip().splitlines()
        key, title = (part.strip() for part in head.split("|", 1))
        body, formula, shows = [], [], []
        for line in lines:
            if line.startswith("formula:"):
                formula.append(line.removeprefix("formula:").strip())
            elif line.startswith("show:"):
                action, caption = line.removeprefix("show:").split("|", 1)
                shows.append(ShowMe(action.strip(), caption.strip()))
            else:
                body.append(line.strip())
        joined = "<br>".join(formula)
        sections.append(Section(key, title, " ".join(body), TABLES[joined]() if joined in TABLES else joined,
                                tuple(shows)))
    return sections


SECTIONS: list[Section] = parse(files("app.widgets.guide").joinpath("course.txt").read_text(encoding="utf-8"))

BY_KEY = {section.key: section for section in SECTIONS}
