"""The question linter on plain strings: rephrasings are caught, neutral questions pass."""

import json

import pytest

from refcheck.linter import lint

NEUTRAL = [
    "In what capacity did you work with the candidate?",
    "What were the candidate's main responsibilities?",
    "How would you rate the quality of their work?",
    "Describe a situation where the candidate had to meet a tight deadline.",
    "What was the candidate's job title when they left?",
    "What was the reason the candidate left the organisation?",
    "Would you be willing to work with the candidate again?",
    "How would you describe the way the candidate communicated with colleagues?",
    "Which areas could the candidate develop further?",
    "When did you work together?",
    "Which organisation employed the candidate when you worked together?",
    "How did the candidate respond to feedback?",
    "Does the candidate have the right to work in the UK?",
    "How did the candidate handle competing priorities?",
    "How reliable was the candidate in meeting commitments?",
    "What was the candidate's start date?",
    "Describe how the candidate worked with business partners on a project.",
    "How did the candidate approach the migration to a cloud-native platform?",
    "How did the candidate deal with a race condition in production?",
    "How did the candidate strike a balance between speed and quality?",
    "What did the candidate do when requirements changed at short notice?",
]

BAD = [
    # leading
    ("Don't you agree she was a strong manager?", "leading"),
    ("Wouldn't you say he handled pressure well?", "leading"),
    ("How much did she improve the team's results?", "leading"),
    ("Why was he so hard to work with?", "leading"),
    ("She met her targets, right?", "leading"),
    ("Isn't it true that he missed deadlines?", "leading"),
    ("Given that she is a natural leader, how did she motivate people?", "leading"),
    ("How would you describe her excellent attention to detail?", "leading"),
    ("What made him such a pleasure to manage?", "leading"),
    ("Most colleagues say he was helpful. How would you describe him?", "leading"),
    # protected characteristics and proxies
    ("How old is the candidate?", "protected"),
    ("What year did she finish high school?", "protected"),
    ("Does she have kids?", "protected"),
    ("Is he planning to start a family soon?", "protected"),
    ("Did her pregnancy affect her output?", "protected"),
    ("How many sick days did she take?", "protected"),
    ("Does he have any medical conditions we should know about?", "protected"),
    ("Which church does he attend?", "protected"),
    ("Does she observe Ramadan?", "protected"),
    ("Where is she originally from?", "protected"),
    ("What is her mother tongue?", "protected"),
    ("What is his nationality?", "protected"),
    ("Is the candidate gay?", "protected"),
    ("Is he married?", "protected"),
    ("What does her husband do?", "protected"),
    ("Was she a member of a trade union?", "protected"),
    ("Did he take part in strikes?", "protected"),
    ("What are his political views?", "protected"),
    ("Which party did she vote for?", "protected"),
    ("Is the candidate a man or a woman?", "protected"),
    ("How many years does he have left before retirement?", "protected"),
    ("Did the candidate's disability limit their work?", "protected"),
    # double-barrelled
    ("How were her communication and leadership skills?", "double_barrelled"),
    ("Was he punctual and reliable?", "double_barrelled"),
    ("What were her strengths and would you hire her again?", "double_barrelled"),
    ("How did he handle conflict and stress?", "double_barrelled"),
    ("Was she organised? Did she plan well?", "double_barrelled"),
    # absolutes
    ("Does she always meet deadlines?", "absolute"),
    ("Has he ever been late?", "absolute"),
    ("Did the candidate complete every single task on time?", "absolute"),
    ("Was she constantly checking in with the team?", "absolute"),
]


@pytest.mark.parametrize("question", NEUTRAL)
def test_neutral_questions_pass(question):
    result = lint(question)
    assert result.ok, result.to_json()


@pytest.mark.parametrize(("question", "code"), BAD)
def test_biased_questions_are_caught(question, code):
    result = lint(question)
    assert not result.ok
    assert code in {p.code for p in result.problems}, result.to_json()
    problem = next(p for p in result.problems if p.code == code)
    assert problem.message and problem.suggestion


def test_one_question_can_have_several_problems():
    codes = {p.code for p in lint("Did she ever take sick leave and was she always on time?").problems}
    assert {"protected", "absolute", "double_barrelled"} <= codes


def test_work_senses_of_sensitive_words_are_not_flagged():
    assert lint("How did the candidate manage the product family roadmap?").ok
    assert lint("How did the candidate handle a single point of failure?").ok


def test_cli_prints_one_json_object_per_line_and_exits_1_on_problems(runner, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("How did the candidate respond to feedback?\n\nWhat were their main responsibilities?\n")
    result = runner.invoke(args=["questions", "lint", str(good)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [line["ok"] for line in lines] == [True, True]

    bad = tmp_path / "bad.txt"
    bad.write_text("How old is she?\nHow did the candidate respond to feedback?\n")
    result = runner.invoke(args=["questions", "lint", str(bad)])
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.output.strip().splitlines())
    assert first["question"] == "How old is she?" and first["ok"] is False
    assert first["problems"][0]["code"] == "protected" and first["problems"][0]["message"]
    assert second["ok"] is True and second["problems"] == []
