"""Experience questions: one optional score and comment after consent, release and a referee's answers."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, g, redirect, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from . import access, audit
from .extensions import db
from .models import RELEASED, Case, ExperienceAnswer, Referee, utcnow

bp = Blueprint("experience", __name__)

SCORES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]
CANDIDATE_MOMENTS = {"consent": "deciding on the check", "release": "the whole check"}
# Fewer finished cases than this and a "typical" time would say more about one case than about us.
TYPICAL_MIN_SAMPLES = 5
_TYPICAL_CACHE_SECONDS = 600
_typical_cache: dict[str, tuple[float, int | None]] = {}


class ExperienceForm(FlaskForm):
    """How was this? A score and a comment, both optional."""

    score = RadioField("How was this for you?", choices=SCORES, validators=[Optional()])
    comment = TextAreaField("Anything we could do better? (optional)", validators=[Length(max=1000)])


def record(case: Case, moment: str, score: int | None, comment: str, now: dt.datetime,
           referee: Referee | None = None) -> ExperienceAnswer | None:
    """Keep one answer per person and moment, replacing an earlier one; None if nothing was given."""
    comment = comment.strip()
    if score is None and not comment:
        return None
    respondent = f"referee:{referee.id}" if referee is not None else f"case:{case.id}:{moment}"
    answer = db.session.execute(
        sa.select(ExperienceAnswer).where(ExperienceAnswer.respondent == respondent)
    ).scalar_one_or_none()
    if answer is None:
        answer = ExperienceAnswer(respondent=respondent, case_id=case.id, data_key=case.data_key,
                                  moment=moment, hiring_organisation=case.hiring_organisation)
        db.session.add(answer)
    answer.score = score
    answer.created_at = now
    answer.seal("comment_enc", comment or None)
    actor = f"referee:{referee.id}" if referee is not None else f"candidate:{case.id}"
    audit.record("experience.answered", actor, case.id, moment=moment, scored=score is not None)
    return answer


def answered(case: Case, moment: str, referee: Referee | None = None) -> bool:
    """Say whether this person already answered at this moment."""
    respondent = f"referee:{referee.id}" if referee is not None else f"case:{case.id}:{moment}"
    return db.session.execute(
        sa.select(ExperienceAnswer.id).where(ExperienceAnswer.respondent == respondent)
    ).first() is not None


def typical_days(kind: str) -> int | None:
    """Return the median days a step has taken in finished cases, from real data; None if too few.

    "check": consent to release of the report; "referee": invitation to answers.
    Cached for a few minutes per process, since it changes slowly and every portal page shows it.
    """
    cached = _typical_cache.get(kind)
    if cached and time.monotonic() - cached[0] < _TYPICAL_CACHE_SECONDS:
        return cached[1]
    if kind == "check":
        rows = db.session.execute(
            sa.select(Case.consent_decided_at, Case.state_changed_at)
            .where(Case.state == RELEASED, Case.consent_decided_at.is_not(None))
            .order_by(Case.state_changed_at.desc()).limit(500)
        ).all()
    else:
        rows = db.session.execute(
            sa.select(Referee.invited_at, Referee.finished_at)
            .where(Referee.state == "submitted", Referee.invited_at.is_not(None),
                   Referee.finished_at.is_not(None))
            .order_by(Referee.finished_at.desc()).limit(500)
        ).all()
    days = [(end - start).total_seconds() / 86400 for start, end in rows if start and end and end >= start]
    value = max(1, round(statistics.median(days))) if len(days) >= TYPICAL_MIN_SAMPLES else None
    _typical_cache[kind] = (time.monotonic(), value)
    return value


def _score(form: ExperienceForm) -> int | None:
    """Return the chosen score as a number, or None."""
    return int(form.score.data) if form.score.data in {"1", "2", "3", "4", "5"} else None


def _save(case: Case, moment: str, referee: Referee | None) -> None:
    """Validate and keep an answer, then thank the person; nothing here ever blocks them."""
    form = ExperienceForm()
    if form.validate_on_submit():
        if record(case, moment, _score(form), form.comment.data or "", utcnow(), referee) is not None:
            db.session.commit()
            flash("Thank you for telling us.", "success")
        else:
            flash("Nothing was sent: choose a score or write a comment, if you like.", "info")
    elif form.comment.errors:
        flash("Please keep your comment under 1,000 characters. Nothing was sent.", "error")
    elif form.score.errors:
        flash("Please choose a score from 1 to 5. Nothing was sent.", "error")
    else:
        flash("That form had expired. Please send it again.", "error")


candidate_only = access.session_required("candidate", lambda: ("", 401))
referee_only = access.session_required("referee", lambda: ("", 401))


@bp.route("/portal/experience/<moment>", methods=["POST"])
@candidate_only
def candidate_answer(moment: str) -> Any:
    """Keep the candidate's optional answer about consent or the whole check."""
    case: Case = g.case
    if moment not in CANDIDATE_MOMENTS or (moment == "release" and case.state != RELEASED):
        return redirect(url_for("portal.home"), 303)
    _save(case, moment, None)
    return redirect(url_for("portal.receipt" if moment == "consent" else "portal.home"), 303)


@bp.route("/referee/experience", methods=["POST"])
@referee_only
def referee_answer() -> Any:
    """Keep the referee's optional answer about answering."""
    referee = g.portal_session.referee
    if referee is not None and referee.state == "submitted":
        _save(g.case, "referee", referee)
        return redirect(url_for("referee.thanks"), 303)
    return redirect(url_for("referee.form"), 303)
