"""The shipped question sets: installed by migration, published, and neutral by the linter's measure."""

import sqlalchemy as sa
from flask_migrate import upgrade

from refcheck.extensions import db
from refcheck.linter import lint
from refcheck.models import FACT_KEYS, QUESTION_KINDS, Question, QuestionSet


def test_every_shipped_question_passes_the_linter(app):
    with app.app_context():
        questions = db.session.execute(sa.select(Question, QuestionSet.language).join(QuestionSet)).all()
    assert len(questions) > 30
    for question, language in questions:
        result = lint(question.text, language=language)
        assert result.ok, result.to_json()
        assert question.kind in QUESTION_KINDS
        assert question.fact_key is None or question.fact_key in FACT_KEYS


def test_migrations_install_a_published_set_per_relationship(app):
    with app.app_context():
        db.drop_all()
        upgrade(directory=app.extensions["migrate"].directory)
        sets = db.session.execute(sa.select(QuestionSet)).scalars().all()
        # Each in English, and translated into Spanish and French (migration 0028).
        assert sorted((s.family, s.relationship or "", s.state, s.language) for s in sets) == sorted(
            ("standard-v1", r, "published", language)
            for r in ("manager", "peer", "direct_report", "") for language in ("en", "es", "fr"))
        manager = next(s for s in sets if s.relationship == "manager" and s.language == "en")
        facts = {q.fact_key for q in manager.questions} - {None}
        assert facts == {"relationship", "worked_together_from", "employer", "title", "start_month",
                         "reason_for_leaving", "rehire_eligible"}
        ratings = [q for q in manager.questions if q.kind == "rating"]
        assert ratings and all(q.low_label and q.high_label for q in ratings)
