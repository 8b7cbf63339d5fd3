"""The candidate's timeline, from plain facts and a fixed clock."""

import datetime as dt

from refcheck.timeline import CaseFacts, build, next_step

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
PACE = {"opened": 2, "consent": 5, "nominating": 5, "collecting": 10, "review": 3,
        "candidate_review": 7, "released": 1}


def facts(state, entered, **extra):
    return CaseFacts(state=state, created_at=T0, entered=entered, pace_days=PACE, **extra)


def test_waiting_for_consent_shows_the_expected_date_and_the_steps_after():
    steps = build(facts("awaiting_consent", {"awaiting_consent": T0}), T0 + dt.timedelta(days=1))
    assert [s.status for s in steps] == ["done", "current"] + ["upcoming"] * 5
    assert steps[1].date == dt.date(2026, 11, 7)
    assert steps[2].date == dt.date(2026, 11, 12)
    assert all(a.date <= b.date for a, b in zip(steps[1:], steps[2:], strict=False))
    assert next_step(steps).who == "you"


def test_a_late_step_says_why():
    late = build(facts("awaiting_consent", {"awaiting_consent": T0}), T0 + dt.timedelta(days=9))
    assert late[1].status == "overdue"
    assert "waiting for your decision" in late[1].overdue_reason
    explained = build(facts("awaiting_consent", {"awaiting_consent": T0},
                            delay_reason="We sent the first email to an old address."),
                      T0 + dt.timedelta(days=9))
    assert explained[1].overdue_reason == "We sent the first email to an old address."
    # Later steps move with the delay instead of pretending to be on time.
    assert explained[2].date >= (T0 + dt.timedelta(days=9)).date()


def test_withdrawal_stops_the_remaining_steps():
    entered = {"awaiting_consent": T0, "nominating": T0 + dt.timedelta(days=1),
               "withdrawn": T0 + dt.timedelta(days=2)}
    steps = build(facts("withdrawn", entered, stopped_reason="You withdrew your consent."),
                  T0 + dt.timedelta(days=3))
    assert [s.status for s in steps[:2]] == ["done", "done"]
    assert {s.status for s in steps[2:]} == {"stopped"}
    assert steps[2].note == "You withdrew your consent."
    assert steps[3].note == "This step will not happen."
    assert next_step(steps) is None


def test_release_date_respects_the_due_date():
    steps = build(facts("draft", {}, due_date=dt.date(2027, 3, 1)), T0)
    assert steps[-1].date == dt.date(2027, 3, 1)


def test_when_every_referee_has_answered_the_review_is_next_and_ours():
    answered = T0 + dt.timedelta(days=6)
    entered = {"awaiting_consent": T0, "nominating": T0 + dt.timedelta(days=1),
               "collecting": T0 + dt.timedelta(days=2)}
    steps = build(facts("collecting", entered, answers_in=answered), T0 + dt.timedelta(days=7))
    assert [s.status for s in steps] == ["done"] * 4 + ["current", "upcoming", "upcoming"]
    assert steps[3].date == answered.date()
    assert next_step(steps).key == "review" and next_step(steps).who == "us"
    assert steps[4].date == (answered + dt.timedelta(days=PACE["review"])).date()
    # While someone is still to answer, the referees are what the case waits on.
    waiting = build(facts("collecting", entered), T0 + dt.timedelta(days=7))
    assert next_step(waiting).who == "your referees"


def test_the_dashboard_says_our_team_once_every_referee_has_answered(app, client, invited, staff):
    from .conftest import attest_referee, enter_referee, full_answers, sign_in

    desk = app.test_client()
    sign_in(desk, staff)
    names = list(invited)
    browser = enter_referee(app, invited[names[0]])
    browser.post("/referee", data=full_answers(attest_referee(browser).data.decode()))
    assert _waiting_on(desk.get("/staff/").data.decode()).startswith("Referees")
    browser = enter_referee(app, invited[names[1]])
    browser.post("/referee", data=full_answers(attest_referee(browser).data.decode()))
    row = _waiting_on(desk.get("/staff/").data.decode())
    assert row.startswith("Our team, expected by"), row
    assert "ready for review" in desk.get("/staff/").data.decode()  # labelled for staff, not "collecting"
    # The candidate's timeline (the client holds their portal session) says the same.
    timeline = client.get("/portal").data.decode()
    assert "<strong>Next: We review the answers.</strong>" in timeline
    assert "Nothing for you to do now" in timeline


def _waiting_on(page: str) -> str:
    import re

    cells = re.findall(r"<td>\s*(.*?)</td>", page, flags=re.S)
    return " ".join(cells[-1].split())
