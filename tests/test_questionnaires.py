"""The shipped question sets: installed by migration, published, and neutral by the linter's measure."""

import sqlalchemy as sa
from flask_migrate import upgrade

from refcheck.extensions import db
from refcheck.linter import lint
from refcheck.models import FACT_KEYS, QUESTION_KINDS, Question, QuestionSet


def test_every_shipped_question_passes_the_linter(app):
    with app.app_context():
        questions = db.session.execute(sa.select(Question)).scalars().all()
    assert len(questions) > 30
    for question in questions:
        result = lint(question.text)
        assert result.ok, result.to_json()
        assert question.kind in QUESTION_KINDS
        assert question.fact_key is None or question.fact_key in FACT_KEYS


def test_migrations_install_a_published_set_per_relationship(app):
    with app.app_context():
        db.drop_all()
        upgrade(directory=app.extensions["migrate"].directory)
        sets = db.session.execute(sa.select(QuestionSet)).scalars().all()
        assert {(s.family, s.relationship, s.state) for s in sets} == {
            ("standard-v1", r, "published") for r in ("manager", "peer", "direct_report", None)
        }
        manager = next(s for s in sets if s.relationship == "manager")
        facts = {q.fact_key for q in manager.questions} - {None}
        assert facts == {"relationship", "worked_together_from", "employer", "title", "start_month",
                         "reason_for_leaving", "rehire_eligible"}
        ratings = [q for q in manager.questions if q.kind == "rating"]
        assert ratings and all(q.low_label and q.high_label for q in ratings)
