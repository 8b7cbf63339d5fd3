"""Honest dates from the pace, with plain values: the earliest due date and the decide-by date."""

import datetime as dt

from refcheck import pace
from refcheck.timeline import CaseFacts, build

PACE = {"opened": 2, "consent": 5, "nominating": 5, "collecting": 10, "review": 3,
        "candidate_review": 7, "released": 1}
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def test_the_earliest_due_date_is_the_release_the_timeline_expects():
    facts = pace.new_case(PACE, NOW)
    assert pace.earliest_due(facts, NOW) == dt.date(2027, 1, 8)  # 33 days
    # A due date already set does not move the answer, as the timeline would otherwise.
    late = CaseFacts(**{**facts.__dict__, "due_date": dt.date(2027, 3, 1)})
    assert pace.earliest_due(late, NOW) == dt.date(2027, 1, 8)


def test_a_due_date_is_unreachable_only_before_the_earliest_day():
    facts = pace.new_case(PACE, NOW)
    assert pace.unreachable(dt.date(2026, 12, 22), facts, NOW) == dt.date(2027, 1, 8)
    assert pace.unreachable(dt.date(2027, 1, 8), facts, NOW) is None
    assert pace.unreachable(None, facts, NOW) is None


def test_the_decide_by_date_is_the_consent_steps_while_it_is_ahead():
    asked = NOW - dt.timedelta(days=2)
    facts = CaseFacts(state="awaiting_consent", created_at=asked, pace_days=PACE,
                      entered={"draft": asked, "awaiting_consent": asked})
    assert pace.decide_by(build(facts, NOW), NOW) == dt.date(2026, 12, 9)
    assert pace.decide_by(build(facts, NOW + dt.timedelta(days=4)), NOW + dt.timedelta(days=4)) is None


def test_the_pace_is_said_step_by_step():
    sentence = pace.pace_sentence(PACE)
    assert sentence.startswith("2 days to send the case, 5 days for the candidate to decide")
    assert sentence.endswith("1 day to release: 33 days in all")


def test_the_commands_read_the_same_pace_as_the_timeline(app):
    from refcheck import progress

    with app.app_context():
        app.config["CONSENT_DAYS"] = 9
        assert pace.days_from(app.config) == progress.pace_days()
