"""The staff metrics page: pace per stage, referees' response, declines, overdue cases and experience."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request

from . import cases, timeline
from .accounts import staff_only
from .extensions import db
from .models import (
    CASE_STATES,
    CLOSED_STATES,
    DECLINED,
    RELEASED,
    SURVEY_MOMENTS,
    AuditEvent,
    Case,
    Consent,
    ExperienceAnswer,
    Referee,
    utcnow,
)
from .stats import STAGES, Spread, bars, duration_words, stage_spreads

bp = Blueprint("metrics", __name__, url_prefix="/staff")
DEFAULT_DAYS = 90
# Lists of reasons and comments show the newest few; each one is decrypted for the page.
SHOWN = 10
# Figures are computed again once something is recorded or this many seconds have passed (lateness
# moves with the clock); computing them reads every case of the period.
FIGURES_SECONDS = 60
MOMENT_WORDS = {"consent": "Candidates, after deciding", "release": "Candidates, after the report",
                "referee": "Referees, after answering"}


@dataclass(frozen=True)
class Period:
    """Which cases the figures cover: opened in a date range, optionally for one organisation."""

    start: dt.date
    end: dt.date
    organisation: str | None

    @property
    def since(self) -> dt.datetime:
        """Return the first moment of the period, in UTC."""
        return dt.datetime.combine(self.start, dt.time.min, dt.UTC)

    @property
    def until(self) -> dt.datetime:
        """Return the first moment after the period, in UTC."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, dt.UTC)

    def cases(self, *columns: Any) -> sa.Select:
        """Select from the cases opened in the period (and organisation)."""
        query = (sa.select(*columns).select_from(Case)
                 .where(Case.created_at >= self.since, Case.created_at < self.until))
        if self.organisation:
            query = query.where(Case.hiring_organisation == self.organisation)
        return query


def period_from(args: Any, today: dt.date) -> tuple[Period, list[str]]:
    """Read the period from query arguments, falling back to the last 90 days; return it and any problems."""
    problems = []

    def day(name: str, default: dt.date) -> dt.date:
        text = args.get(name, "")
        if not text:
            return default
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            problems.append(f"“{text}” is not a date like {today.isoformat()}; showing the default instead.")
            return default

    start = day("from", today - dt.timedelta(days=DEFAULT_DAYS - 1))
    end = day("to", today)
    if start > end:
        problems.append("The period ended before it began, so the dates were swapped.")
        start, end = end, start
    return Period(start, end, (args.get("organisation") or "").strip() or None), problems


def gather(period: Period, now: dt.datetime) -> dict[str, Any]:
    """Compute every figure on the page for one period, in a fixed number of queries."""
    by_state = dict(db.session.execute(
        period.cases(Case.state, sa.func.count()).group_by(Case.state)).all())
    stage_rows = db.session.execute(period.cases(Case.stage_times, Case.state, Case.created_at,
                                                 Case.state_changed_at)).all()
    stages = stage_spreads(row.stage_times or {} for row in stage_rows)
    end_to_end = Spread.of_seconds([(row.state_changed_at - row.created_at).total_seconds()
                                    for row in stage_rows if row.state == RELEASED])

    referee_scope = period.cases(Referee.state, Referee.invited_at, Referee.finished_at,
                                 Referee.reminders_sent).join(Referee, Referee.case_id == Case.id)
    referees = db.session.execute(referee_scope.where(Referee.invited_at.is_not(None))).all()
    referee_states: dict[str, int] = {}
    for row in referees:
        referee_states[row.state] = referee_states.get(row.state, 0) + 1
    answered = referee_states.get("submitted", 0)
    answer_time = Spread.of_seconds([(row.finished_at - row.invited_at).total_seconds() for row in referees
                                     if row.state == "submitted" and row.finished_at])
    finished = answered + referee_states.get("declined", 0) + referee_states.get("expired", 0)

    return {
        "by_state": by_state, "total": sum(by_state.values()),
        "state_bars": bars((state.replace("_", " "), by_state.get(state, 0), str(by_state.get(state, 0)))
                           for state in CASE_STATES if by_state.get(state)),
        "stages": stages, "end_to_end": end_to_end,
        "stage_bars": bars((stage.replace("_", " "), stages[stage].median_days, _days(stages[stage]))
                           for stage in STAGES),
        "invited": len(referees), "answered": answered, "referee_states": referee_states,
        "response_rate": round(100 * answered / finished) if finished else None,
        "answer_time": answer_time,
        "reminders": sum(row.reminders_sent or 0 for row in referees),
        "referee_declines": _referee_declines(period),
        "candidate_declines": by_state.get(DECLINED, 0),
        "candidate_decline_reasons": _candidate_decline_reasons(period),
        "overdue": _overdue(period, now),
        "experience": _experience(period),
    }


def _days(spread: Spread) -> str:
    """Describe a spread in words for a chart label."""
    if spread.median_days is None:
        return "none yet"
    return duration_words(spread.median_days)


def _referee_declines(period: Period) -> list[dict[str, Any]]:
    """Return the newest referee declines with their reasons, if given."""
    rows = db.session.execute(
        period.cases(Referee).join(Referee, Referee.case_id == Case.id)
        .where(Referee.state == "declined").options(sa.orm.selectinload(Referee.data_key),
                                                    sa.orm.selectinload(Referee.case))
        .order_by(Referee.finished_at.desc()).limit(SHOWN)
    ).scalars().all()
    return [{"case": _case_link(r.case), "when": r.finished_at, "call": r.call_requested,
             "reason": r.unseal("decline_reason_enc")} for r in rows]


def _candidate_decline_reasons(period: Period) -> list[dict[str, Any]]:
    """Return the newest candidates' reasons for declining, where they gave one."""
    rows = db.session.execute(
        period.cases(Consent).join(Consent, Consent.case_id == Case.id)
        .where(Consent.decision == "declined").options(sa.orm.selectinload(Consent.data_key),
                                                       sa.orm.selectinload(Consent.case))
        .order_by(Consent.decided_at.desc()).limit(SHOWN)
    ).scalars().all()
    return [{"case": _case_link(c.case), "when": c.decided_at, "reason": c.unseal("decline_reason_enc")}
            for c in rows]


def _overdue(period: Period, now: dt.datetime) -> list[dict[str, Any]]:
    """Return the running cases whose current step is late, with the reason staff gave, oldest first."""
    running = db.session.execute(
        period.cases(Case).where(Case.state.not_in(CLOSED_STATES)).order_by(Case.created_at)
        .options(sa.orm.selectinload(Case.data_key))
    ).scalars().all()
    late = []
    answered = cases.answers_in(list(running))
    for case in running:
        step = timeline.next_step(timeline.build(cases.case_facts(case, answered), now))
        if step is not None and step.status == "overdue":
            late.append({"case": _case_link(case), "step": step, "reason": case.delay_reason})
    return late


def _case_link(case: Case) -> dict[str, Any]:
    """Return what the page links a case by, as plain values that outlive the request's session."""
    return {"id": case.id, "reference": case.reference}


def _experience(period: Period) -> list[dict[str, Any]]:
    """Return the scores per moment (average and spread of 1-5) and the newest comments."""
    query = sa.select(ExperienceAnswer.moment, ExperienceAnswer.score, sa.func.count()).where(
        ExperienceAnswer.created_at >= period.since, ExperienceAnswer.created_at < period.until,
        ExperienceAnswer.score.is_not(None))
    if period.organisation:
        query = query.where(ExperienceAnswer.hiring_organisation == period.organisation)
    counts: dict[str, dict[int, int]] = {moment: {} for moment in SURVEY_MOMENTS}
    for moment, score, count in db.session.execute(
            query.group_by(ExperienceAnswer.moment, ExperienceAnswer.score)).all():
        counts.setdefault(moment, {})[score] = count
    comments_query = (sa.select(ExperienceAnswer)
                      .options(sa.orm.selectinload(ExperienceAnswer.data_key))
                      .where(ExperienceAnswer.comment_enc.is_not(None),
                             ExperienceAnswer.created_at >= period.since,
                             ExperienceAnswer.created_at < period.until)
                      .order_by(ExperienceAnswer.created_at.desc()).limit(SHOWN))
    if period.organisation:
        comments_query = comments_query.where(ExperienceAnswer.hiring_organisation == period.organisation)
    comments: dict[str, list[str]] = {}
    for answer in db.session.execute(comments_query).scalars():
        comments.setdefault(answer.moment, []).append(answer.unseal("comment_enc"))
    result = []
    for moment in SURVEY_MOMENTS:
        spread = counts.get(moment, {})
        total = sum(spread.values())
        average = sum(score * n for score, n in spread.items()) / total if total else None
        result.append({"moment": moment, "label": MOMENT_WORDS[moment], "count": total,
                       "average": average, "comments": comments.get(moment, []),
                       "bars": bars((str(score), spread.get(score, 0), str(spread.get(score, 0)))
                                    for score in range(1, 6))})
    return result


@bp.route("/metrics")
@staff_only
def page() -> Any:
    """Show how the process is going for a period and, optionally, one hiring organisation."""
    now = utcnow()
    period, problems = period_from(request.args, now.date())
    organisations = db.session.execute(
        sa.select(Case.hiring_organisation).distinct().order_by(Case.hiring_organisation)
    ).scalars().all()
    return render_template("staff/metrics.html", period=period, problems=problems,
                           organisations=organisations, figures=recent_figures(period, now), stages=STAGES,
                           duration=duration_words)


def recent_figures(period: Period, now: dt.datetime) -> dict[str, Any]:
    """Return the period's figures, computed again only when the audit log has moved or a minute passed.

    Every change to a case writes an audit event in its transaction, so the head of the chain names
    the state of the data; the figures kept for it are at most FIGURES_SECONDS old.
    """
    head = db.session.execute(
        sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none()
    kept: dict[Any, tuple[dt.datetime, dict[str, Any]]] = current_app.extensions.setdefault(
        "refcheck.metrics", {})
    key = (period, head)
    if key in kept and (now - kept[key][0]).total_seconds() < FIGURES_SECONDS:
        return kept[key][1]
    figures = gather(period, now)
    # Keep only figures of the current data, for a few recent periods.
    for old in [k for k in kept if k[1] != head or (now - kept[k][0]).total_seconds() >= FIGURES_SECONDS]:
        kept.pop(old, None)
    if len(kept) >= 16:
        kept.pop(next(iter(kept)), None)
    kept[key] = (now, figures)
    return figures
