"""Score the question linter on labelled questions: recall and false positives per code. Pure, no Flask."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .linter import CODES, LANGUAGES, Result

# The goals of issue 17: every code found in at least 95% of the questions that have it, and raised on
# at most 5% of the questions that do not.
RECALL_GOAL = 0.95
FALSE_POSITIVE_GOAL = 0.05
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


@dataclass(frozen=True)
class Labelled:
    """One question of the evaluation set and the codes a person gave it."""

    question: str
    codes: frozenset[str]
    reasons: str = ""
    category: str = ""
    written_by: str = ""


@dataclass
class CodeScore:
    """How the linter did on one code."""

    code: str
    positives: int = 0
    found: int = 0
    negatives: int = 0
    false_alarms: int = 0

    @property
    def recall(self) -> float:
        """Share of the questions with this code that the linter flagged with it."""
        return self.found / self.positives if self.positives else 1.0

    @property
    def false_positive_rate(self) -> float:
        """Share of the questions without this code that the linter flagged with it."""
        return self.false_alarms / self.negatives if self.negatives else 0.0

    @property
    def meets_goal(self) -> bool:
        """Say whether both goals hold for this code."""
        return self.recall >= RECALL_GOAL and self.false_positive_rate <= FALSE_POSITIVE_GOAL


@dataclass
class Evaluation:
    """The scores, and the questions the linter got wrong, for a person to read."""

    scores: list[CodeScore]
    neutral: int = 0
    neutral_flagged: int = 0
    missed: list[tuple[Labelled, str]] = field(default_factory=list)
    wrongly_flagged: list[tuple[Labelled, str, str]] = field(default_factory=list)

    @property
    def neutral_false_positive_rate(self) -> float:
        """Share of the neutral questions flagged with anything at all."""
        return self.neutral_flagged / self.neutral if self.neutral else 0.0

    @property
    def meets_goals(self) -> bool:
        """Say whether every code meets both goals and neutral questions are left alone."""
        return all(s.meets_goal for s in self.scores) and \
            self.neutral_false_positive_rate <= FALSE_POSITIVE_GOAL


BLIND = "questions-blind.csv"
# A set in another language is named for it ("questions-es.csv"); the English sets are every other one.
_LANGUAGE_SET = re.compile(r"questions-([a-z]{2})\.csv")


def default_sets(folder: Path = DATA, language: str = "en") -> list[Path]:
    """Return the labelled question sets in tests/data for a language (English: all but the blind labels)."""
    if language not in LANGUAGES:
        raise ValueError(f"no question sets for language {language!r}")
    if not folder.is_dir():
        return []
    if language != "en":
        path = folder / f"questions-{language}.csv"
        return [path] if path.is_file() else []
    return sorted(p for p in folder.glob("questions*.csv")
                  if p.name != BLIND and not _LANGUAGE_SET.fullmatch(p.name))


def load(paths: Iterable[Path]) -> list[Labelled]:
    """Read labelled questions from CSV files with the columns of tests/data/README.md."""
    items: list[Labelled] = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if not (row.get("question") or "").strip():
                    raise ValueError(f"{path.name}: a row has no question")
                codes = frozenset((row.get("codes") or "").split())
                unknown = codes - set(CODES)
                if unknown:
                    raise ValueError(f"{path.name}: unknown code {sorted(unknown)[0]!r} "
                                     f"for {row['question']!r}")
                items.append(Labelled(row["question"].strip(), codes, row.get("reasons") or "",
                                      row.get("category") or "", row.get("written_by") or ""))
    return items


def evaluate(items: list[Labelled], lint: Callable[[str], Result]) -> Evaluation:
    """Lint every question and compare the codes found with the labels."""
    scores = {code: CodeScore(code) for code in CODES}
    evaluation = Evaluation(list(scores.values()))
    for item in items:
        result = lint(item.question)
        found = {p.code: p for p in result.problems}
        if not item.codes:
            evaluation.neutral += 1
            evaluation.neutral_flagged += bool(found)
        for code, score in scores.items():
            if code in item.codes:
                score.positives += 1
                if code in found:
                    score.found += 1
                else:
                    evaluation.missed.append((item, code))
            else:
                score.negatives += 1
                if code in found:
                    score.false_alarms += 1
                    evaluation.wrongly_flagged.append((item, code, found[code].message))
    return evaluation


def table(evaluation: Evaluation) -> str:
    """Write the per-code table as Markdown, with the goals."""
    lines = [
        f"| code | questions with it | found | recall (goal \u2265 {RECALL_GOAL:.0%}) | "
        f"false positives (goal \u2264 {FALSE_POSITIVE_GOAL:.0%}) | goals |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for s in evaluation.scores:
        lines.append(f"| {s.code} | {s.positives} | {s.found} | {s.recall:.1%} | "
                     f"{s.false_alarms} of {s.negatives} ({s.false_positive_rate:.1%}) | "
                     f"{'met' if s.meets_goal else 'MISSED'} |")
    lines.append(f"| neutral questions flagged | {evaluation.neutral} | | | {evaluation.neutral_flagged} of "
                 f"{evaluation.neutral} ({evaluation.neutral_false_positive_rate:.1%}) | "
                 f"{'met' if evaluation.neutral_false_positive_rate <= FALSE_POSITIVE_GOAL else 'MISSED'} |")
    return "\n".join(lines)


def agreement(first: list[Labelled], second: list[Labelled]) -> tuple[int, int, list[tuple[str, str, str]]]:
    """Compare two labellings of the same questions: how many share codes, of how many, and the rest."""
    labels = {item.question: item.codes for item in first}
    same, compared, differ = 0, 0, []
    for item in second:
        if item.question not in labels:
            continue
        compared += 1
        if labels[item.question] == item.codes:
            same += 1
        else:
            differ.append((item.question, " ".join(sorted(labels[item.question])) or "neutral",
                           " ".join(sorted(item.codes)) or "neutral"))
    return same, compared, differ


def by_source(items: list[Labelled], lint: Callable[[str], Result]) -> str:
    """Say how the linter did on each writer's questions, since wording it was not tuned on matters most."""
    lines = ["| written by | questions | codes found | codes missed | neutral flagged |",
             "|---|---:|---:|---:|---:|"]
    for source in sorted({item.written_by for item in items}):
        mine = [item for item in items if item.written_by == source]
        evaluation = evaluate(mine, lint)
        found = sum(s.found for s in evaluation.scores)
        lines.append(f"| {source or 'unknown'} | {len(mine)} | {found} | {len(evaluation.missed)} | "
                     f"{evaluation.neutral_flagged} of {evaluation.neutral} |")
    return "\n".join(lines)


def blind_agreement(paths: list[Path]) -> str:
    """Say how often the blind labels agree with the agreed ones, when the blind set sits beside them."""
    folder = paths[0].parent if paths else DATA
    blind_path = folder / BLIND
    if not blind_path.is_file():
        return ""
    blind = load([blind_path])
    same, compared, differ = agreement(load(paths), blind)
    if not compared:
        return ""
    lines = [f"Blind labels: {same} of {compared} questions labelled alike ({same / compared:.0%})."]
    lines += [f"  differs: {question} (agreed: {first}; blind: {second})"
              for question, first, second in differ]
    return "\n".join(lines)
