"""The staff metrics: pace per stage, referees' response, declines, overdue cases and experience."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from . import progress, timeline
from .extensions import db
from .models import (
    CASE_STATES,
    DECLINED,
    DRAFT,
    SURVEY_MOMENTS,
    Case,
    Consent,
    DataKey,
    ExperienceAnswer,
    Referee,
)
from .stats import STAGES, Spread, bars, in_unit, one_unit

DEFAULT_DAYS = 90
# Lists of reasons and comments show the newest few; each one is decrypted for the page.
SHOWN = 10
# The overdue list shows the cases late the longest; the page gives how many there are in all.
SHOWN_OVERDUE = 50
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
    # The organisations a verifier works on, by id and name, when they do not see every organisation.
    among: tuple[tuple[int, str], ...] | None = None

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
        if self.among is not None:
            query = query.where(Case.organisation_id.in_([each for each, _name in self.among]))
        return query

    def answers(self, query: sa.Select) -> sa.Select:
        """Keep the experience answers of the period's organisation, or of the ones the viewer works on."""
        if self.organisation:
            query = query.where(ExperienceAnswer.hiring_organisation == self.organisation)
        if self.among is not None:
            # Kept in clear after erasure by name: the name is all that is left to go by.
            query = query.where(ExperienceAnswer.hiring_organisation.in_([name for _id, name in self.among]))
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


class seconds_between(sa.sql.functions.FunctionElement):  # noqa: N801 - reads as a SQL function
    """SQL for the seconds from one time column to another, in each backend's own date arithmetic."""

    type = sa.Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    """SQLite keeps times as text; julianday() reads them as fractional days."""
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    """PostgreSQL subtracts timestamps into an interval and reads its length in seconds."""
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def gather(period: Period, now: dt.datetime) -> dict[str, Any]:
    """Compute every figure on the page for one period, in a fixed number of queries.

    Counts and sums are made in SQL, and on PostgreSQL the percentiles too; SQLite has no
    percentiles, so there the durations come back as plain numbers, never as whole cases or referees.
    """
    by_state = dict(db.session.execute(
        period.cases(Case.state, sa.func.count()).group_by(Case.state)).all())
    columns = [getattr(Case, f"seconds_{stage}") for stage in STAGES] + [Case.seconds_to_release]
    # Drafts have spent no time in any stage; stages not yet finished are NULL and not counted.
    *spreads, end_to_end = _spreads(period.cases().where(Case.state != DRAFT), columns)
    stages = dict(zip(STAGES, spreads, strict=True))

    invited = period.cases().join(Referee, Referee.case_id == Case.id).where(Referee.invited_at.is_not(None))
    referee_states, reminders, answer_time = _referee_figures(invited)
    answered = referee_states.get("submitted", 0)
    # A request closed unanswered when review started ran out of time as surely as one that expired.
    finished = answered + referee_states.get("declined", 0) + referee_states.get("expired", 0) \
        + referee_states.get("closed", 0)

    return {
        "by_state": by_state, "total": sum(by_state.values()),
        "state_bars": bars((state.replace("_", " "), by_state.get(state, 0), f"{by_state.get(state, 0):,}")
                           for state in CASE_STATES if by_state.get(state)),
        "stages": stages, "end_to_end": end_to_end,
        **_stage_chart(stages),
        "invited": sum(referee_states.values()), "answered": answered, "referee_states": referee_states,
        "response_rate": round(100 * answered / finished) if finished else None,
        "answer_time": answer_time,
        "reminders": reminders,
        "referee_declines": _referee_declines(period),
        "candidate_declines": by_state.get(DECLINED, 0),
        "candidate_decline_reasons": _candidate_decline_reasons(period),
        "overdue": _overdue(period, now),
        "experience": _experience(period),
    }


def _sorts_in_sql() -> bool:
    """Say whether the database computes percentiles (PostgreSQL's percentile_cont; SQLite has none)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _percentiles(expression: Any) -> list[Any]:
    """Return SQL for how many values an expression has, and their median and 90th percentile.

    percentile_cont interpolates between the two nearest values as stats.percentile does, and
    leaves out NULLs; PostgreSQL sorts the values once for both percentiles.
    """
    return [sa.func.count(expression), sa.func.percentile_cont(0.5).within_group(expression),
            sa.func.percentile_cont(0.9).within_group(expression)]


def _spreads(query: sa.Select, expressions: list[Any]) -> list[Spread]:
    """Return the spread of each expression's values (in seconds) over a query's rows, NULLs left out."""
    if _sorts_in_sql():
        row = db.session.execute(query.add_columns(
            *[part for expression in expressions for part in _percentiles(expression)])).one()
        return [Spread.of_percentiles(*row[n:n + 3]) for n in range(0, len(row), 3)]
    # Without percentiles in SQL, only the plain numbers come back, one list per expression
    # (zip(*rows) turns the rows around).
    rows = _plain(query.add_columns(*expressions))
    return [Spread.of_seconds([value for value in column if value is not None])
            for column in (zip(*rows, strict=True) if rows else [()] * len(expressions))]


def _referee_figures(invited: sa.Select) -> tuple[dict[str, int], int, Spread]:
    """Return invited referees by state, the reminders they were sent, and how long answers took."""
    seconds = seconds_between(Referee.invited_at, Referee.finished_at)
    figures = [Referee.state, sa.func.count(), sa.func.sum(Referee.reminders_sent)]
    # Where the database has percentiles, one pass over the period's referees gives everything:
    # the submitted group's percentiles are the answer times.
    in_sql = _sorts_in_sql()
    rows = db.session.execute(invited.add_columns(*figures, *(_percentiles(seconds) if in_sql else []))
                              .group_by(Referee.state)).all()
    states = {row[0]: row[1] for row in rows}
    reminders = sum(row[2] or 0 for row in rows)
    if in_sql:
        submitted = next((row for row in rows if row[0] == "submitted"), None)
        answer_time = Spread.of_percentiles(*submitted[3:6]) if submitted else Spread.of_seconds([])
    else:
        answer_time, = _spreads(invited.where(Referee.state == "submitted"), [seconds])
    return states, reminders, answer_time


def _plain(query: sa.Select) -> list[sa.Row[Any]]:
    """Run a query of plain numbers on the session's connection: no ORM rows, for thousands of them."""
    # all() fetches the rows in one call; iterating the result would fetch them one by one.
    return list(db.session.connection().execute(query).all())


def _stage_chart(stages: dict[str, Spread]) -> dict[str, Any]:
    """Return the median time in each stage as bars, all in one unit, and a title naming that unit."""
    unit = one_unit(spread.median_days for spread in stages.values())
    return {"stage_bars": bars((stage.replace("_", " "), stages[stage].median_days,
                                in_unit(stages[stage].median_days, unit)) for stage in STAGES),
            "stage_chart_title": f"Median {unit[0]} in each stage"}


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


def _overdue(period: Period, now: dt.datetime) -> dict[str, Any]:
    """Count the running cases whose current step is late; list the longest late with staff's reason."""
    maybe = db.session.execute(
        period.cases(Case).where(progress.could_be_late(now)).order_by(Case.created_at)).scalars().all()
    # What the timeline reads besides the case, for all of them at once: never a query a case.
    answered = progress.answers_in(list(maybe))
    replied = progress.replies_in(list(maybe), now)
    asked = progress.questions_waiting([case.id for case in maybe])
    late = []
    for case in maybe:
        step = timeline.next_step(timeline.build(progress.case_facts(case, answered, replied, asked), now))
        if step is not None and step.status == "overdue":
            late.append((step, case))
    late.sort(key=lambda pair: (pair[0].date, pair[1].id))
    shown = late[:SHOWN_OVERDUE]
    # Only the listed reasons are decrypted: their cases' keys come in one query, and each case
    # then finds its key in the session instead of asking for it.
    if shown:
        db.session.execute(sa.select(DataKey).where(
            DataKey.id.in_([case.data_key_id for _, case in shown]))).scalars().all()
    return {"count": len(late),
            "shown": [{"case": _case_link(case), "step": step, "reason": case.delay_reason}
                      for step, case in shown]}


def _case_link(case: Case) -> dict[str, Any]:
    """Return what the page links a case by, as plain values that outlive the request's session."""
    return {"id": case.id, "reference": case.reference}


def _experience(period: Period) -> list[dict[str, Any]]:
    """Return the scores per moment (average and spread of 1-5) and the newest comments."""
    query = period.answers(sa.select(ExperienceAnswer.moment, ExperienceAnswer.score, sa.func.count()).where(
        ExperienceAnswer.created_at >= period.since, ExperienceAnswer.created_at < period.until,
        ExperienceAnswer.score.is_not(None)))
    counts: dict[str, dict[int, int]] = {moment: {} for moment in SURVEY_MOMENTS}
    for moment, score, count in db.session.execute(
            query.group_by(ExperienceAnswer.moment, ExperienceAnswer.score)).all():
        if score is not None:  # the query takes scored answers only; this says so to the type checker
            counts.setdefault(moment, {})[score] = count
    comments_query = (sa.select(ExperienceAnswer)
                      .options(sa.orm.selectinload(ExperienceAnswer.data_key))
                      .where(ExperienceAnswer.comment_enc.is_not(None),
                             ExperienceAnswer.created_at >= period.since,
                             ExperienceAnswer.created_at < period.until)
                      .order_by(ExperienceAnswer.created_at.desc()).limit(SHOWN))
    comments_query = period.answers(comments_query)
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
