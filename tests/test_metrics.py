"""Staff metrics: figures per stage and for referees, declines, overdue cases and experience, filtered."""

import datetime as dt
import re

import sqlalchemy as sa

from refcheck import experience
from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import Case, Referee, utcnow
from refcheck.stats import Spread, bars, in_unit, one_unit, percentile, stage_durations

from .conftest import count_queries, make_staff, send_case, sign_in


def test_percentiles_interpolate_and_handle_nothing():
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == 9.1


def test_time_in_each_stage_comes_from_when_the_case_entered_each_state():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    times = {"draft": start, "awaiting_consent": start + dt.timedelta(days=1),
             "nominating": start + dt.timedelta(days=3), "collecting": start + dt.timedelta(days=4),
             "review": start + dt.timedelta(days=14)}
    spent = stage_durations({state: at.isoformat() for state, at in times.items()})
    # Draft is not a stage staff wait on; review has not ended, so it is not counted yet.
    assert spent == {"awaiting_consent": 2 * 86400, "nominating": 86400, "collecting": 10 * 86400}
    assert Spread.of_seconds([spent["collecting"]] * 3) == Spread(3, 10.0, 10.0)
    assert Spread.of_seconds([]) == Spread(0, None, None)


def test_stages_entered_at_the_same_moment_keep_their_lifecycle_order():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    # Opened and sent at once; review started and findings sent at once, then two days with the candidate.
    times = {"draft": start, "awaiting_consent": start, "nominating": start + dt.timedelta(hours=3),
             "collecting": start + dt.timedelta(days=1), "review": start + dt.timedelta(days=5),
             "candidate_review": start + dt.timedelta(days=5), "released": start + dt.timedelta(days=7)}
    spent = stage_durations({state: at.isoformat() for state, at in times.items()})
    assert spent["awaiting_consent"] == 3 * 3600 and spent["review"] == 0
    assert spent["candidate_review"] == 2 * 86400


def test_durations_read_as_people_say_them():
    from refcheck.stats import duration_words

    assert duration_words(None) == "—"
    assert duration_words(0.125) == "3.0 hours" and duration_words(0.0001) == "1 min"
    assert duration_words(2.5) == "2.5 days"


def test_bars_share_one_scale():
    drawn = bars([("a", 10, "10"), ("b", 5, "5"), ("c", None, "none")])
    assert [b.width for b in drawn] == [100.0, 50.0, 0.0]


def test_durations_shown_together_share_one_unit():
    hours = one_unit([0.125, None, 0.5])
    assert hours == ("hours", 24.0) and in_unit(0.125, hours) == "3.0 hours"
    assert in_unit(None, hours) == "none yet"
    days = one_unit([0.125, 2.5])
    assert in_unit(0.125, days) == "0.1 days" and in_unit(2.5, days) == "2.5 days"
    assert one_unit([None]) == ("days", 1.0)


def test_the_stage_chart_is_titled_in_the_unit_its_bars_are_written_in(app, client, staff):
    now = utcnow()
    # Every stage took hours: the chart says hours, in its title and on every bar.
    times, released_at = _stages(now, [0.25, 0.125, 0.5, 0.0625, 0.25])
    _case(app, staff, 1, state="released", stage_times=times, state_changed_at=released_at,
          created_at=now - dt.timedelta(days=3))
    sign_in(client, staff)
    html = client.get("/staff/metrics").data.decode()
    chart = html[html.index('<figure class="chart">', html.index("Time in each stage")):]
    chart = chart[:chart.index("</figure>")]
    assert "<title id=\"stages-title\">Median hours in each stage</title>" in chart
    labels = re.findall(r'fill="#4f5b69">([^<]+)</text>', chart)
    assert labels == ["6.0 hours", "3.0 hours", "12.0 hours", "1.5 hours", "6.0 hours"]
    assert "days" not in chart

    # One stage of two days turns the whole chart into days, short stages included.
    times, released_at = _stages(now, [2, 0.125, 0.5, 0.0625, 0.25])
    _case(app, staff, 2, state="released", stage_times=times, state_changed_at=released_at,
          created_at=now - dt.timedelta(days=4))
    html = client.get("/staff/metrics").data.decode()
    chart = html[html.index('<figure class="chart">', html.index("Time in each stage")):]
    chart = chart[:chart.index("</figure>")]
    assert "Median days in each stage" in chart and "hours" not in chart
    assert re.findall(r'fill="#4f5b69">([^<]+)</text>', chart)[0] == "1.1 days"


def _case(app, staff, n, organisation="Northwind Analytics Ltd", **changes):
    """Send a case and then set its times and state as if it had lived them."""
    sent = send_case(app, staff, (f"Person {n}", f"person{n}@example.org"))
    with app.app_context():
        case = db.session.get(Case, sent.id)
        case.hiring_organisation = organisation
        for name, value in changes.items():
            setattr(case, name, value)
        db.session.commit()
    return sent.id


def _stages(now, days):
    """Stage times for a released case: consent took days[0], nominating days[1], collecting days[2]..."""
    at = now - dt.timedelta(days=sum(days) + 1)
    times = {"draft": at.isoformat()}
    for state, spent in zip(("awaiting_consent", "nominating", "collecting", "review", "candidate_review",
                             "released"), [0, *days], strict=False):
        at += dt.timedelta(days=spent)
        times[state] = at.isoformat()
    return times, at


def test_the_metrics_page_shows_pace_referees_declines_and_experience(app, client, staff):
    now = utcnow()
    for n, collecting in enumerate((4, 6, 8)):
        times, released_at = _stages(now, [1, 2, collecting, 1, 3])
        _case(app, staff, n, state="released", stage_times=times, state_changed_at=released_at,
              created_at=now - dt.timedelta(days=30))
    # Sent 40 days ago: `move` sets state_changed_at with the time it enters in stage_times.
    late = _case(app, staff, 7, delay_reason="The manager is on leave until Monday.",
                 created_at=now - dt.timedelta(days=40), invited_at=now - dt.timedelta(days=40),
                 state_changed_at=now - dt.timedelta(days=40),
                 stage_times={"draft": (now - dt.timedelta(days=40)).isoformat(),
                              "awaiting_consent": (now - dt.timedelta(days=40)).isoformat()})
    elsewhere = _case(app, staff, 8, organisation="Contoso Retail plc", created_at=now - dt.timedelta(days=5))
    with app.app_context():
        referee = db.session.execute(sa.select(Referee)).scalars().first()
        assert referee is None  # referees come from the invited fixture elsewhere; none here
        experience.record(late, Actor.candidate(late), "consent", 2, "Too many emails.", now)
        db.session.commit()
        experience.record(elsewhere, Actor.candidate(elsewhere), "consent", 5, "Lovely.", now)
        db.session.commit()

    sign_in(client, staff)
    page = client.get("/staff/metrics")
    assert page.status_code == 200
    html = page.data.decode()
    assert "5 in all" in html
    assert "<svg" in html and "Median days in each stage" in html
    # Collecting took 4, 6 and 8 days: median 6.0, 90th percentile 7.6.
    assert "<th scope=\"row\">Collecting</th><td>3</td><td>6.0 days</td><td>7.6 days</td>" in html
    assert f"RC-{late:05d}" in html and "The manager is on leave until Monday." in html
    assert "1 running case is late." in html
    assert "Too many emails." in html and "Lovely." in html
    assert "Average 3.5 of 5, from 2 answers." in html

    one_org = client.get("/staff/metrics?organisation=Contoso+Retail+plc").data.decode()
    assert "1 in all" in one_org and "Lovely." in one_org and "Too many emails." not in one_org
    assert f"RC-{late:05d}" not in one_org

    since = (now - dt.timedelta(days=10)).date().isoformat()
    short = client.get(f"/staff/metrics?from={since}").data.decode()
    assert "1 in all" in short

    wrong = client.get("/staff/metrics?from=last+tuesday").data.decode()
    assert "is not a date like" in wrong and "5 in all" in wrong


def test_referee_response_figures(app, client, invited, staff):
    with app.app_context():
        now = utcnow()
        first, second = db.session.execute(sa.select(Referee).order_by(Referee.nominated_at)).scalars().all()
        first.state, first.invited_at, first.finished_at = "submitted", now - dt.timedelta(days=5), now
        second.state, second.invited_at, second.finished_at = "declined", now - dt.timedelta(days=3), now
        second.reminders_sent = 2
        second.seal("decline_reason_enc", "I only met her twice.")
        db.session.commit()
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    html = staff_client.get("/staff/metrics").data.decode()
    assert "<dt>Invited</dt><dd>2</dd>" in html
    assert "(50% of those who have finished)" in html
    assert "median 5.0 days" in html and "<dt>Reminders sent</dt><dd>2</dd>" in html
    assert "I only met her twice." in html


def test_the_metrics_cost_the_same_queries_for_few_or_many_cases(app, client, staff):
    # Late cases too, waiting on the candidate's consent and on their replies: the timeline judges
    # each, and what it reads for them must come in a query for all, not one a case.
    at = utcnow() - dt.timedelta(days=25)

    def late(n, state):
        _case(app, staff, n, created_at=at, state=state, state_changed_at=at,
              stage_times={"draft": at.isoformat(), state: at.isoformat()})

    sign_in(client, staff)
    _case(app, staff, 1)
    late(2, "awaiting_consent")
    late(3, "candidate_review")
    few = count_queries(app, client, "/staff/metrics")
    for n in range(4, 10):
        _case(app, staff, n, delay_reason="Waiting.")
    for n, state in enumerate(("awaiting_consent", "candidate_review") * 3, start=10):
        late(n, state)
    assert count_queries(app, client, "/staff/metrics") == few
    assert "8 running cases are late." in client.get("/staff/metrics").data.decode()


def test_metrics_are_for_staff_only(app, client, staff):
    assert client.get("/staff/metrics").status_code == 302
    verifier = make_staff(app, "val@verify.example", role="verifier")
    sign_in(client, verifier)
    assert client.get("/staff/metrics").status_code == 200


def test_stage_seconds_follow_the_case_through_the_real_flow(app, client, invited, staff, sent_case):
    from .conftest import release_case

    release_case(app, client, invited, staff, sent_case, answer="Led the data platform.",
                 reply="Correct.", note="Checked with the referee.")
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        spent = stage_durations(case.stage_times)
        stored = db.session.execute(sa.text(
            'SELECT seconds_awaiting_consent, seconds_nominating, seconds_collecting, seconds_review, '
            'seconds_candidate_review, seconds_to_release FROM "case" WHERE id = :id'),
            {"id": case.id}).one()
        assert list(stored[:5]) == [round(spent[stage]) for stage in (
            "awaiting_consent", "nominating", "collecting", "review", "candidate_review")]
        assert stored[5] == round((case.state_changed_at - case.created_at).total_seconds())


def test_the_late_filter_leaves_out_only_cases_that_are_on_time(app, client, invited, staff, sent_case):
    """Every running case the timeline calls late is among those `could_be_late` lets through."""
    from refcheck import progress, timeline

    from .conftest import attest_referee, enter_referee, full_answers

    # The invited case: every referee answers, then the answers sit unreviewed for 4 days; the
    # review's 3 days have passed since, though the case's 10 days of collecting have not.
    for path in invited.values():
        browser = enter_referee(app, path)
        assert browser.post("/referee", data=full_answers(
            attest_referee(browser).data.decode())).status_code == 303
    now = utcnow()
    with app.app_context():
        db.session.execute(sa.update(Referee).values(finished_at=now - dt.timedelta(days=4)))
        answered = db.session.get(Case, sent_case.id)
        answered.state_changed_at = now - dt.timedelta(days=5)
        answered.stage_times = {**answered.stage_times, "collecting": answered.state_changed_at.isoformat()}
        db.session.commit()

    def aged(n, state, days):
        at = now - dt.timedelta(days=days)
        return _case(app, staff, n, state=state, state_changed_at=at,
                     stage_times={"draft": (at - dt.timedelta(days=1)).isoformat(), state: at.isoformat()})

    made = {"late consent": aged(20, "awaiting_consent", 6), "fresh consent": aged(21, "awaiting_consent", 1),
            "late nominating": aged(22, "nominating", 9), "collecting on time": aged(23, "collecting", 4),
            "late review": aged(24, "review", 4), "released": aged(25, "released", 90)}
    with app.app_context():
        running = db.session.execute(sa.select(Case).where(Case.state.not_in(
            ("released", "declined", "withdrawn", "cancelled")))).scalars().all()
        maybe = db.session.execute(sa.select(Case).where(progress.could_be_late(now))).scalars().all()

        def late(listed):
            answers_in = progress.answers_in(listed)
            return {c.id for c in listed if (step := timeline.next_step(timeline.build(
                progress.case_facts(c, answers_in), now))) is not None and step.status == "overdue"}

        assert late(running) == late(maybe) == {
            sent_case.id, made["late consent"], made["late nominating"], made["late review"]}
        # The on-time ones are left out, save the collecting one with no referees, which the
        # timeline then judges on time.
        assert {c.id for c in maybe} == late(running) | {made["collecting on time"]}


def test_the_overdue_list_shows_the_longest_late_and_counts_them_all(app, client, staff, monkeypatch):
    from refcheck import metrics

    monkeypatch.setattr(metrics, "SHOWN_OVERDUE", 1)
    now = utcnow()
    late = {}
    for n, days in ((30, 8), (31, 20)):
        at = now - dt.timedelta(days=days)
        late[days] = _case(app, staff, n, created_at=at, state_changed_at=at,
                           stage_times={"draft": at.isoformat(), "awaiting_consent": at.isoformat()})
    sign_in(client, staff)
    html = client.get("/staff/metrics").data.decode()
    assert "2 running cases are late. Showing the 1 that have been late longest." in html
    assert f"RC-{late[20]:05d}" in html and f"RC-{late[8]:05d}" not in html


def _stored_seconds(case_id):
    return db.session.execute(sa.text(
        'SELECT stage_times, seconds_awaiting_consent, seconds_to_release FROM "case" WHERE id = :id'),
        {"id": case_id}).one()


def test_stage_times_changed_in_place_are_saved_with_their_seconds(app, staff, sent_case):
    import json

    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        later = dt.datetime.fromisoformat(case.stage_times["awaiting_consent"]) + dt.timedelta(days=2)
        case.stage_times["nominating"] = later.isoformat()
        db.session.commit()
        db.session.remove()
        times, seconds, _ = _stored_seconds(sent_case.id)
        times = json.loads(times) if isinstance(times, str) else times
        assert times["nominating"] == later.isoformat() and seconds == 2 * 86400


def test_a_case_inserted_released_gets_its_time_to_release_from_its_stage_times(app, staff, sent_case):
    from refcheck.models import RELEASED

    with app.app_context():
        source = db.session.get(Case, sent_case.id)
        opened = utcnow() - dt.timedelta(days=10)
        case = Case(candidate=source.candidate, data_key=source.data_key, position="Analyst",
                    organisation_id=source.organisation_id, hiring_organisation="Northwind Analytics Ltd",
                    purpose="Imported.", scope=source.scope,
                    state=RELEASED, created_by_id=source.created_by_id,
                    stage_times={"draft": opened.isoformat(),
                                 "released": (opened + dt.timedelta(days=7)).isoformat()})
        db.session.add(case)
        db.session.commit()
        assert _stored_seconds(case.id)[2] == 7 * 86400


def test_large_counts_are_written_with_thousands_separators(app):
    with app.app_context():
        assert app.jinja_env.from_string("{{ 100000|thousands }} and {{ 999|thousands }}").render() \
            == "100,000 and 999"
