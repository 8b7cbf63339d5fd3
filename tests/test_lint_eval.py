"""The linter scored on the labelled sets in tests/data: the goals hold, and the command fails below them."""

import csv
from pathlib import Path

import pytest

from refcheck import lint_eval
from refcheck.lint_reword import LAWFUL
from refcheck.linter import CODES, lint

SETS = lint_eval.default_sets()
ITEMS = lint_eval.load(SETS)


def test_the_evaluation_set_is_large_balanced_and_explained():
    assert len(ITEMS) >= 400
    assert len({item.question.casefold() for item in ITEMS}) == len(ITEMS), "a question appears twice"
    problems = [item for item in ITEMS if item.codes]
    neutral = [item for item in ITEMS if not item.codes]
    assert len(neutral) >= len(problems)
    for item in problems:
        for code in item.codes:
            assert f"{code}:" in item.reasons, f"no reason for {code}: {item.question}"
    # Written by more than the people who wrote the linter.
    writers = {item.written_by for item in ITEMS}
    assert {"team", "independent", "holdout", "fresh", "final", "unseen"} <= writers
    # Every characteristic of the Equality Act and the EEOC list, directly and through a proxy.
    categories = {item.category for item in ITEMS}
    for topic in ("age", "disability", "pregnancy", "religion", "race", "sex", "orientation", "marital"):
        assert {f"{topic}-direct", f"{topic}-indirect"} & categories, topic
        assert any(c.startswith(topic) and "indirect" in c for c in categories), topic


def test_the_evaluate_command_meets_the_goals_on_the_kept_sets(runner):
    result = runner.invoke(args=["questions", "evaluate"])
    assert result.exit_code == 0, result.output
    table = result.output
    for code in CODES:
        row = next(line for line in table.splitlines() if line.startswith(f"| {code} |"))
        assert row.endswith("| met |"), row
    assert "neutral questions flagged" in table
    assert "Blind labels:" in table


def test_the_goals_hold_when_scored_directly():
    evaluation = lint_eval.evaluate(ITEMS, lint)
    for score in evaluation.scores:
        assert score.positives >= 30, score.code
        assert score.recall >= lint_eval.RECALL_GOAL, (score.code, evaluation.missed)
        assert score.false_positive_rate <= lint_eval.FALSE_POSITIVE_GOAL, score.code
    assert evaluation.neutral_false_positive_rate <= lint_eval.FALSE_POSITIVE_GOAL


def test_the_blind_labels_cover_a_share_and_are_compared():
    blind = lint_eval.load([lint_eval.DATA / lint_eval.BLIND])
    same, compared, _ = lint_eval.agreement(ITEMS, blind)
    assert compared >= 100 and compared == len(blind)
    assert same / compared >= 0.9


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "codes", "reasons", "category", "written_by"])
        for question, codes in rows:
            reasons = " | ".join(f"{code}: test" for code in codes.split())
            writer.writerow([question, codes, reasons, "test", "test"])
    return path


def test_the_command_fails_on_a_set_the_linter_gets_wrong(runner, tmp_path):
    # Labels that are wrong on purpose: neutral questions marked as leading, a leading one as neutral.
    wrong = _write(tmp_path / "wrong.csv", [
        ("What was the candidate's start date?", "leading"),
        ("How did the candidate respond to feedback?", "leading"),
        ("He was reliable, wasn't he?", ""),
        ("How old is the candidate?", "protected"),
    ])
    result = runner.invoke(args=["questions", "evaluate", "--data", str(wrong), "--show"])
    assert result.exit_code == 1
    assert "| leading | 2 | 0 | 0.0% |" in result.output
    assert "MISSED" in result.output
    assert "missed leading: What was the candidate's start date?" in result.output


def test_the_command_refuses_a_file_with_an_unknown_code(runner, tmp_path):
    broken = _write(tmp_path / "broken.csv", [("How old is the candidate?", "ageist")])
    result = runner.invoke(args=["questions", "evaluate", "--data", str(broken)])
    assert result.exit_code != 0
    assert "unknown code 'ageist'" in result.output


@pytest.mark.parametrize("item", [i for i in ITEMS if i.codes], ids=lambda i: i.question[:50])
def test_every_suggested_wording_passes_the_linter(item):
    result = lint(item.question)
    assert result.rewordings, "no suggestion offered"
    for question in result.rewordings:
        assert lint(question).ok, (question, lint(question).to_json())


def test_the_lawful_alternatives_pass_the_linter():
    for concept, question in LAWFUL.items():
        assert lint(question).ok, concept


@pytest.mark.parametrize(("question", "words"), [
    ("What year did she graduate from secondary school?",
     "age through the year they finished their education"),
    ("How many days off sick did he take last year?", "health through sickness"),
    ("Which religious holidays does she take off?", "religion through their holidays"),
    ("Who looks after her kids while she works?", "family and caring responsibilities"),
    ("Where are her parents from?", "where the candidate or their family comes from"),
    ("He was reliable, wasn't he?", "tag that asks the referee to confirm"),
    ("When did she stop missing deadlines?", "presupposes something happened"),
    ("Was he punctual and reliable?", "yes-or-no question about two things"),
    ("Has she ever been late?", "all-or-nothing"),
])
def test_explanations_say_what_exactly_is_wrong(question, words):
    messages = " ".join(p.message for p in lint(question).problems)
    assert words in messages, messages


@pytest.mark.parametrize(("question", "expected"), [
    ("Did she always meet her deadlines?", ["How often did she meet her deadlines?"]),
    ("Was the candidate totally reliable?", ["How reliable was the candidate?"]),
    ("Was the candidate punctual and well prepared for meetings?",
     ["Was the candidate punctual?", "Was the candidate well prepared for meetings?"]),
    ("How did she handle conflict, and would you hire her again?",
     ["How did she handle conflict?", "Would you hire her again?"]),
    ("He was reliable, wasn't he?", ["How reliable was he?"]),
    ("How did his excellent communication skills help the team?",
     ["How did his communication skills help the team?"]),
    ("What is his nationality?", [LAWFUL["nationality"]]),
])
def test_rewordings_keep_the_question_and_drop_the_problem(question, expected):
    assert lint(question).rewordings == expected
