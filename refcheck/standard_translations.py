"""The shipped standard-v1 questions in Spanish and French, as published translations of the English sets.

Written to be asked, not word for word: "la persona candidata" and "la personne candidate" keep the
questions free of the candidate's gender, as the English "the candidate" is. Every question here passes
the linter in its language (tests/test_question_translations.py).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from .question_sets import ABOVE, BELOW, STANDARD_V1

NBSP = "\u00a0"  # French sets a space before "?" that never leaves it alone at the start of a line.

# English words -> (Spanish, French).
WORDS: dict[str, tuple[str, str]] = {
    "Standard reference questions for a manager": (
        "Preguntas de referencia estándar (responsable)", "Questions de référence standard (responsable)"),
    "Standard reference questions for a peer": (
        "Preguntas de referencia estándar (colega)", "Questions de référence standard (collègue)"),
    "Standard reference questions for someone who reported to the candidate": (
        "Preguntas de referencia estándar (persona a su cargo)",
        "Questions de référence standard (personne encadrée)"),
    "Standard reference questions": ("Preguntas de referencia estándar", "Questions de référence standard"),
    BELOW: ("Muy por debajo de lo que requería el puesto", "Bien en deçà de ce que le poste exigeait"),
    ABOVE: ("Muy por encima de lo que requería el puesto", "Bien au-delà de ce que le poste exigeait"),
    "What was your working relationship with the candidate?": (
        "¿Qué relación laboral tenía usted con la persona candidata?",
        "Quelle était votre relation de travail avec la personne candidate ?"),
    "From which month to which month did you work with the candidate?": (
        "¿Desde qué mes hasta qué mes trabajó usted con la persona candidata?",
        "De quel mois à quel mois avez-vous travaillé avec la personne candidate ?"),
    "Which organisation employed the candidate when you worked together?": (
        "¿Qué organización empleaba a la persona candidata cuando usted trabajó con ella?",
        "Quelle organisation employait la personne candidate lorsque vous travailliez ensemble ?"),
    "What was the candidate's job title when you last worked together?": (
        "¿Cuál era el puesto de la persona candidata la última vez que usted trabajó con ella?",
        "Quel était l'intitulé du poste de la personne candidate la dernière fois que vous avez "
        "travaillé ensemble ?"),
    "What were the candidate's main responsibilities?": (
        "¿Cuáles eran las principales responsabilidades de la persona candidata?",
        "Quelles étaient les principales responsabilités de la personne candidate ?"),
    "Which strengths did you observe in the candidate's work?": (
        "¿Qué puntos fuertes observó usted en el trabajo de la persona candidata?",
        "Quels points forts avez-vous observés dans le travail de la personne candidate ?"),
    "In which areas could the candidate develop further?": (
        "¿En qué áreas podría seguir desarrollándose la persona candidata?",
        "Dans quels domaines la personne candidate pourrait-elle encore progresser ?"),
    "Is there anything else relevant to the role that you would like to add?": (
        "¿Hay algo más, relevante para el puesto, que quiera añadir?",
        "Souhaitez-vous ajouter autre chose qui soit utile pour le poste ?"),
    "How would you rate the quality of the candidate's work?": (
        "¿Cómo valoraría la calidad del trabajo de la persona candidata?",
        "Comment évalueriez-vous la qualité du travail de la personne candidate ?"),
    "How would you rate the candidate's reliability in meeting commitments?": (
        "¿Cómo valoraría la fiabilidad de la persona candidata a la hora de cumplir sus compromisos?",
        "Comment évalueriez-vous la fiabilité de la personne candidate dans le respect de ses engagements ?"),
    "How would you rate the way the candidate communicated with colleagues?": (
        "¿Cómo valoraría la forma en que la persona candidata se comunicaba con sus colegas?",
        "Comment évalueriez-vous la façon dont la personne candidate communiquait avec ses collègues ?"),
    "How would you rate the way the candidate responded to feedback?": (
        "¿Cómo valoraría la forma en que la persona candidata respondía a los comentarios sobre su trabajo?",
        "Comment évalueriez-vous la façon dont la personne candidate accueillait les retours sur son "
        "travail ?"),
    "From which month to which month was the candidate employed there, as far as you know?": (
        "Según lo que usted sabe, ¿desde qué mes hasta qué mes estuvo empleada allí la persona candidata?",
        "À votre connaissance, de quel mois à quel mois la personne candidate a-t-elle été employée "
        "dans cette organisation ?"),
    "Why did the candidate's employment there end, as far as you know?": (
        "Según lo que usted sabe, ¿por qué terminó allí la relación laboral de la persona candidata?",
        "À votre connaissance, pourquoi l'emploi de la personne candidate dans cette organisation a-t-il "
        "pris fin ?"),
    "Would the organisation consider re-employing the candidate?": (
        "¿Consideraría la organización volver a contratar a la persona candidata?",
        "L'organisation envisagerait-elle de réembaucher la personne candidate ?"),
    "How would you rate the candidate as a collaborator on shared work?": (
        "¿Cómo valoraría la colaboración con la persona candidata en el trabajo compartido?",
        "Comment évalueriez-vous la collaboration avec la personne candidate sur un travail commun ?"),
    "How would you rate the clarity of the direction the candidate gave?": (
        "¿Cómo valoraría la claridad de las indicaciones que daba la persona candidata?",
        "Comment évalueriez-vous la clarté des orientations données par la personne candidate ?"),
    "How would you rate the support the candidate gave you in your work?": (
        "¿Cómo valoraría el apoyo que le daba la persona candidata en su trabajo?",
        "Comment évalueriez-vous le soutien que la personne candidate vous apportait dans votre travail ?"),
}
LANGUAGES = ("es", "fr")


def words(english: str | None, language: str) -> str | None:
    """Return the shipped translation of an English text; French keeps its space before '?' from breaking."""
    if english is None:
        return None
    spanish, french = WORDS[english]
    return spanish if language == "es" else french.replace(" ?", NBSP + "?")


def install_standard_translations(bind: sa.engine.Connection) -> None:
    """Insert the Spanish and French translations of standard-v1 as published, unless they are there."""
    question_set = sa.table(
        "question_set", sa.column("id", sa.Integer), sa.column("key", sa.String),
        sa.column("version", sa.Integer), sa.column("relationship", sa.String),
        sa.column("title", sa.String), sa.column("state", sa.String), sa.column("language", sa.String),
        sa.column("translation_of_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    question = sa.table(
        "question", sa.column("question_set_id", sa.Integer), sa.column("position", sa.Integer),
        sa.column("text", sa.Text), sa.column("kind", sa.String), sa.column("fact_key", sa.String),
        sa.column("choices", sa.JSON), sa.column("required", sa.Boolean),
        sa.column("low_label", sa.String), sa.column("high_label", sa.String),
    )
    standard = sa.and_(question_set.c.key == "standard", question_set.c.version == 1)
    sources = {row.relationship: row.id for row in bind.execute(
        sa.select(question_set.c.id, question_set.c.relationship).where(
            standard, question_set.c.language == "en"))}
    done = bind.execute(sa.select(question_set.c.id).where(standard, question_set.c.language != "en")).first()
    if done or not sources:
        return
    now = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    for language in LANGUAGES:
        for relationship, title, questions in STANDARD_V1:
            set_id = bind.execute(
                question_set.insert().values(
                    key="standard", version=1, relationship=relationship, title=words(title, language),
                    state="published", language=language, translation_of_id=sources[relationship],
                    created_at=now, published_at=now)
                .returning(question_set.c.id)
            ).scalar_one()
            bind.execute(question.insert(), [
                {**q, "question_set_id": set_id, "position": i, "text": words(q["text"], language),
                 "low_label": words(q["low_label"], language), "high_label": words(q["high_label"], language)}
                for i, q in enumerate(questions, start=1)])
