"""Experience questions: optional, never blocking, sealed comments, and typical times from real data."""

import datetime as dt

import pytest
import sqlalchemy as sa

from refcheck import experience
from refcheck.extensions import db
from refcheck.models import AuditEvent, Case, ExperienceAnswer, utcnow

from .conftest import consent, csrf_from, enter_portal


@pytest.fixture(autouse=True)
def _fresh_typical_times():
    experience._typical_cache.clear()
    yield
    experience._typical_cache.clear()


def _answers(app):
    with app.app_context():
        return [(a.moment, a.score, a.unseal("comment_enc") if a.comment_enc else None, a.case_id)
                for a in db.session.execute(sa.select(ExperienceAnswer)).scalars()]


def test_after_consent_the_candidate_may_say_how_it_was(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    receipt = client.get("/portal/receipt").data.decode()
    assert "How was deciding on your check?" in receipt and "Optional" in receipt
    token = csrf_from(receipt)
    sent = client.post("/portal/experience/consent", data={"csrf_token": token, "score": "4",
                                                           "comment": "Clear, but long."},
                       follow_redirects=True)
    assert sent.status_code == 200 and "Thank you for telling us." in sent.data.decode()
    assert _answers(app) == [("consent", 4, "Clear, but long.", sent_case.id)]
    # A second answer replaces the first: one per person and moment.
    client.post("/portal/experience/consent", data={"csrf_token": token, "score": "5", "comment": ""})
    assert _answers(app) == [("consent", 5, None, sent_case.id)]
    with app.app_context():
        raw = db.session.execute(sa.text("SELECT comment_enc FROM experience_answer")).scalar()
        actions = db.session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.action == "experience.answered")).scalars().all()
    assert raw is None and len(actions) == 2


def test_an_empty_or_overlong_answer_saves_nothing_and_blocks_nothing(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    token = csrf_from(client.get("/portal/receipt").data)
    empty = client.post("/portal/experience/consent", data={"csrf_token": token}, follow_redirects=True)
    assert empty.status_code == 200 and "Your consent receipt" in empty.data.decode()
    assert "Nothing was sent: choose a score or write a comment" in empty.data.decode()
    long = client.post("/portal/experience/consent", data={"csrf_token": token, "comment": "x" * 1001},
                       follow_redirects=True)
    assert "under 1,000 characters" in long.data.decode()
    bad_score = client.post("/portal/experience/consent", data={"csrf_token": token, "score": "9"},
                            follow_redirects=True)
    assert "choose a score from 1 to 5" in bad_score.data.decode()
    assert _answers(app) == []
    # Nothing about the release can be answered before there is one.
    client.post("/portal/experience/release", data={"csrf_token": token, "score": "1"})
    assert _answers(app) == []
    assert client.post("/portal/experience/consent", data={"score": "3"}).status_code == 400  # no CSRF


def test_only_a_signed_in_candidate_can_answer(app, sent_case):
    stranger = app.test_client()
    assert stranger.post("/portal/experience/consent", data={"score": "1"}).status_code in (400, 401)
    assert _answers(app) == []


def test_the_candidate_sees_a_typical_time_once_enough_checks_have_finished(app, client, staff, sent_case):
    from .conftest import send_case

    enter_portal(client, sent_case)
    consent(client)
    assert "Checks like yours have recently taken" not in client.get("/portal").data.decode()
    others = [send_case(app, staff, (f"Person {n}", f"person{n}@example.org")) for n in range(5)]
    with app.app_context():
        now = utcnow()
        for n, other in enumerate(others):
            case = db.session.get(Case, other.id)
            # Consent to release took 8, 9, 10, 11 and 12 days: the median is 10.
            case.consent_decided_at = now - dt.timedelta(days=30)
            case.state, case.state_changed_at = "released", now - dt.timedelta(days=22 - n)
        db.session.commit()
    experience._typical_cache.clear()
    assert "have recently taken about 10 days from consent to report" in client.get("/portal").data.decode()


def test_erasure_keeps_the_score_but_not_the_comment_or_the_case(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    token = csrf_from(client.get("/portal/receipt").data)
    client.post("/portal/experience/consent", data={"csrf_token": token, "score": "2", "comment": "Mine."})
    page = client.get("/portal/withdraw")
    client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    page = client.get("/portal/erase")
    client.post("/portal/erase", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    assert _answers(app) == [("consent", 2, None, None)]
    with app.app_context():
        row = db.session.execute(sa.select(ExperienceAnswer)).scalar_one()
        assert row.hiring_organisation == "Northwind Analytics Ltd" and row.data_key_id is None


def test_a_referee_may_say_how_answering_was(app, invited):
    from .conftest import attest_referee, enter_referee, full_answers

    browser = enter_referee(app, invited["Grace Lindqvist"])
    html = attest_referee(browser).data.decode()
    assert browser.post("/referee", data=full_answers(html)).status_code == 303
    thanks = browser.get("/referee/thanks").data.decode()
    assert "How was answering for you?" in thanks and "changes nothing about your answers" in thanks
    sent = browser.post("/referee/experience", data={"csrf_token": csrf_from(thanks), "score": "5",
                                                     "comment": "Short and fair."}, follow_redirects=True)
    assert "Thank you for telling us." in sent.data.decode()
    assert [(m, s, c) for m, s, c, _ in _answers(app)] == [("referee", 5, "Short and fair.")]
    # A referee who has not answered cannot leave a score for the process.
    other = enter_referee(app, invited["Peer 1"])
    page = other.get("/referee").data.decode()
    other.post("/referee/experience", data={"csrf_token": csrf_from(page), "score": "1"})
    assert len(_answers(app)) == 1


def test_referees_see_a_typical_answer_time_once_enough_have_answered(app, invited):
    page = app.test_client().get(invited["Peer 1"]).data.decode()
    assert "have usually answered within" not in page
    from refcheck.models import Referee

    with app.app_context():
        now = utcnow()
        case_id = db.session.execute(sa.select(Referee.case_id)).scalars().first()
        for n in range(5):
            db.session.add(Referee(case_id=case_id, data_key=db.session.get(Case, case_id).data_key,
                                   relationship="peer", details_enc=b"", email_hash=f"h{n}",
                                   verification_code="X", state="submitted",
                                   invited_at=now - dt.timedelta(days=3 + n), finished_at=now))
        db.session.commit()
    experience._typical_cache.clear()
    page = app.test_client().get(invited["Peer 1"]).data.decode()
    assert "have usually answered within 5 days of being asked" in page
