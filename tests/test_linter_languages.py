"""The question linter in Spanish and French: the kept sets meet the goals, evidence is quoted as typed."""

import pytest

from refcheck import lint_eval
from refcheck.linter import CODES, LANGUAGES, lint

OTHER = ("es", "fr")


def _items(language):
    return lint_eval.load(lint_eval.default_sets(language=language))


@pytest.mark.parametrize("language", OTHER)
def test_the_set_is_large_mixed_and_explained(language):
    items = _items(language)
    assert len(items) >= 120
    assert len({item.question.casefold() for item in items}) == len(items), "a question appears twice"
    neutral = [item for item in items if not item.codes]
    assert len(neutral) * 3 >= len(items), "at least a third neutral"
    categories = {item.category for item in items}
    for topic in ("age", "disability", "pregnancy", "religion", "race", "marital", "union", "political"):
        assert any(c.startswith(topic) and "direct" in c and "indirect" not in c for c in categories), topic
        assert f"{topic}-indirect" in categories, topic
    assert sum(item.category.startswith("absolute") for item in items) >= 15
    assert sum(item.category == "neutral-lookalike" for item in items) >= 20
    for item in items:
        for code in item.codes:
            assert f"{code}:" in item.reasons, f"no reason for {code}: {item.question}"


@pytest.mark.parametrize("language", OTHER)
def test_the_goals_hold_for_every_code(language):
    evaluation = lint_eval.evaluate(_items(language), lambda q: lint(q, language=language))
    for score in evaluation.scores:
        assert score.recall >= lint_eval.RECALL_GOAL, (score.code, evaluation.missed)
        assert score.false_positive_rate <= lint_eval.FALSE_POSITIVE_GOAL, \
            (score.code, evaluation.wrongly_flagged)
    assert evaluation.neutral_false_positive_rate <= lint_eval.FALSE_POSITIVE_GOAL
    covered = {score.code: score.positives for score in evaluation.scores}
    assert covered["protected"] >= 60 and covered["absolute"] >= 20


@pytest.mark.parametrize("language", OTHER)
def test_the_evaluate_command_takes_a_language(runner, language):
    result = runner.invoke(args=["questions", "evaluate", "--language", language])
    assert result.exit_code == 0, result.output
    assert f"questions-{language}.csv" in result.output
    for code in CODES:
        row = next(line for line in result.output.splitlines() if line.startswith(f"| {code} |"))
        assert row.endswith("| met |"), row
    assert "Blind labels:" not in result.output


def test_the_english_sets_stay_as_they_were():
    names = [path.name for path in lint_eval.default_sets()]
    assert names == ["questions-final.csv", "questions-fresh.csv", "questions-holdout.csv",
                     "questions-independent.csv", "questions-unseen.csv", "questions.csv"]
    assert LANGUAGES == ("en", "es", "fr")


def test_english_is_untouched_by_the_language_argument():
    for question in ("How old is she?", "Did she always meet her deadlines?", "What were her main duties?"):
        assert lint(question).to_json() == lint(question, language="en").to_json()
    assert lint("How old is she?").rewordings
    # English words mean nothing to the Spanish rules' English counterparts, and the reverse.
    assert lint("¿Qué edad tiene?").ok


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no rules for language 'de'"):
        lint("Wie alt ist sie?", language="de")


@pytest.mark.parametrize(("language", "question", "code", "evidence", "words"), [
    ("es", "¿Qué edad tiene la candidata?", "protected", "Qué edad", "age directly"),
    ("es", "¿Cuántos días de baja por enfermedad tuvo el año pasado?", "protected", "baja por enfermedad",
     "sick leave"),
    ("es", "¿Cuál es su lengua materna?", "protected", "lengua materna", "mother tongue"),
    ("es", "¿Es de origen marroquí?", "protected", "Es de origen", "ethnic or national origin"),
    ("es", "¿Jamás cometió un error en la contabilidad?", "absolute", "Jamás", "never happened"),
    ("es", "¿Estaba localizable en todo momento?", "absolute", "en todo momento", "every time"),
    ("fr", "Quel âge a la candidate ?", "protected", "Quel âge", "age directly"),
    ("fr", "Quelle est sa langue maternelle ?", "protected", "langue maternelle", "mother tongue"),
    ("fr", "Est-il d\u2019origine algérienne ?", "protected", "Est-il d\u2019origine", "ethnic or national"),
    ("fr", "A-t-il été arrêté par la police ?", "protected", "arrêté par la police", "arrests"),
    ("fr", "Était-il joignable à tout moment ?", "absolute", "à tout moment", "every time"),
    ("fr", "N\u2019a-t-elle jamais commis d\u2019erreur ?", "absolute", "jamais", "never happened"),
    ("fr", "Répondait-il aux clients à chaque fois dans la journée ?", "absolute", "à chaque fois",
     "every time"),
])
def test_messages_say_what_is_asked_and_quote_it_as_typed(language, question, code, evidence, words):
    result = lint(question, language=language)
    problem = next(p for p in result.problems if p.code == code)
    assert problem.evidence == evidence
    assert f"\u201c{evidence}\u201d" in problem.message and words in problem.message, problem.message
    assert problem.suggestion
    assert result.rewording is None


@pytest.mark.parametrize(("language", "question"), [
    ("es", "¿Cómo gestionaba las peticiones de los clientes para dar de baja un pedido?"),
    ("es", "¿Qué edad media tenía la flota de camiones que gestionaba?"),
    ("es", "¿Cómo comprobaba el origen de los datos antes de publicar un informe?"),
    ("es", "¿Qué papel tuvo en el cambio de la política de vacaciones de la empresa?"),
    ("es", "¿Qué partido sacó a la nueva herramienta de CRM?"),
    ("es", "¿Qué rutinas seguía religiosamente para preparar el cierre mensual?"),
    ("es", "¿Todavía trabaja con ustedes?"),
    ("fr", "Comment a-t-il identifié l\u2019origine du problème en production ?"),
    ("fr", "Quel rôle a-t-elle joué dans la refonte de la politique de l'entreprise sur le télétravail ?"),
    ("fr", "Comment a-t-il préparé la livraison du projet avant le congé de fin d'année de l'entreprise ?"),
    ("fr", "Quelles routines suivait-il religieusement pour préparer la clôture mensuelle ?"),
    ("fr", "Est-il toujours en poste chez vous ?"),
    ("fr", "Travaille-t-elle toujours dans votre service ?"),
    ("fr", "Comment gérait-il la saisie des commandes dans l'ERP ?"),
    ("fr", "En tant que DRH, comment négociait-elle avec les syndicats ?"),
])
def test_work_lookalikes_pass(language, question):
    result = lint(question, language=language)
    assert result.ok, result.to_json()


def test_curly_apostrophes_and_no_break_spaces_read_like_plain_ones():
    plain = lint("Quel est son nom de jeune fille ?", language="fr")
    typed = lint("Quel est son nom de jeune fille\u202f?", language="fr")
    assert [p.evidence for p in plain.problems] == ["nom de jeune fille"]
    assert [p.evidence for p in typed.problems] == ["nom de jeune fille"]
    assert not lint("L\u2019âge de l\u2019application posait-il problème\u00a0?", language="fr").problems


def test_the_lint_command_takes_a_language(runner, tmp_path):
    questions = tmp_path / "preguntas.txt"
    questions.write_text("¿Está casada?\n¿Cuáles eran sus principales responsabilidades?\n", encoding="utf-8")
    result = runner.invoke(args=["questions", "lint", "--language", "es", str(questions)])
    assert result.exit_code == 1
    assert "“Está casada”" in result.output
