"""The demo tells one consistent story, stays inside its scope, and can be run again safely."""

import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa

from refcheck import create_app
from refcheck.extensions import db
from refcheck.models import AccessLink, Case, Claim, Finding, Question, Referee, Response, StaffUser, utcnow

from .conftest import PG_URL, csrf_from, without_csrf


def _seed(app, password="demo-password-one"):
    from refcheck.demo import seed

    with app.app_context():
        result = seed(password)
        db.session.commit()
        return result


def _sign_in(app, email, password):
    client = app.test_client()
    page = client.get("/staff/login")
    response = client.post("/staff/login", data={"csrf_token": csrf_from(page.data), "email": email,
                                                 "password": password})
    return client, response


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_candidate_reply_answers_the_title_conflict_and_agrees_with_the_claims(app):
    demo = _seed(app)
    with app.app_context():
        case = db.session.get(Case, demo["released_case_id"])
        findings = db.session.execute(sa.select(Finding).where(Finding.case_id == case.id)).scalars().all()
        conflicts = [f for f in findings if f.status == "conflict"]
        assert [f.fact for f in conflicts] == ["title"]
        (title,) = conflicts
        assert title.reply is not None and not title.reply.accepted
        reply = title.reply.unseal("text_enc")
        # Every other finding was simply accepted; only the conflict carries words.
        assert all(f.reply is not None and f.reply.accepted for f in findings if f is not title)
        claims = {c.facts["employer"]: c.facts for c in
                  db.session.execute(sa.select(Claim).where(Claim.case_id == case.id)).scalars()}
    litware = claims["Litware Inc"]
    joined = dt.date.fromisoformat(litware["start_month"] + "-01").strftime("%B %Y")
    # The reply names the month the claim starts and a promotion after it, not before.
    assert f"as a Data Engineer in {joined}" in reply
    promoted = re.search(r"promoted to Senior Data Engineer in (\w+ \d{4})", reply).group(1)
    started = dt.date.fromisoformat(litware["start_month"] + "-01")
    assert dt.datetime.strptime(promoted, "%B %Y").date() > started
    assert litware["title"] == "Senior Data Engineer"


def test_each_referee_answers_in_their_own_words(app):
    demo = _seed(app)
    texts = {}
    with app.app_context():
        questions = {str(q.id): q for q in db.session.execute(sa.select(Question)).scalars()}
        for response in db.session.execute(sa.select(Response)).scalars():
            given = response.unseal("answers_enc")["answers"]
            for key, value in given.items():
                question = questions[key]
                if question.kind == "text" and question.fact_key is None and value:
                    texts.setdefault(question.text, []).append(value)
    answered = sum(len(v) for v in texts.values())
    assert answered >= 9 * 3  # nine referees answered the three required free-text questions
    every = [value for values in texts.values() for value in values]
    assert len(every) == len(set(every)), "two answers are the same text"
    develop = texts["In which areas could the candidate develop further?"]
    strengths = texts["Which strengths did you observe in the candidate's work?"]
    assert not set(develop) & set(strengths)
    # The staff page shows them as the referees wrote them.
    client, _ = _sign_in(app, demo["staff_email"], demo["staff_password"])
    page = client.get(f"/staff/cases/{demo['released_case_id']}/answers").data.decode()
    assert "Could write down decisions more often" in page
    assert "Calm under pressure" in page


def test_claims_and_answers_stay_inside_the_consented_period(app):
    _seed(app)
    with app.app_context():
        for case in db.session.execute(sa.select(Case).where(Case.consent_decided_at.is_not(None))).scalars():
            scope = case.consent.scope
            low, high = scope["period_from"], scope["period_to"]
            for claim in db.session.execute(sa.select(Claim).where(Claim.case_id == case.id)).scalars():
                assert low <= claim.facts["start_month"] <= claim.facts["end_month"] <= high, claim.facts
            for referee in db.session.execute(sa.select(Referee).where(Referee.case_id == case.id)).scalars():
                details = referee.details
                assert low <= details["worked_from"] <= details["worked_to"] <= high
                response = db.session.execute(
                    sa.select(Response).where(Response.referee_id == referee.id)).scalar_one_or_none()
                if response is None:
                    continue
                for value in response.unseal("answers_enc")["answers"].values():
                    if isinstance(value, dict):
                        assert low <= value["from"] <= value["to"] <= high, value


def test_the_seeded_dates_follow_one_another(app):
    demo = _seed(app)
    now = utcnow()
    with app.app_context():
        running = db.session.get(Case, demo["case_id"])
        assert (now - running.created_at).days == 7
        assert running.created_at <= running.consent_decided_at
        for referee in db.session.execute(sa.select(Referee)).scalars():
            assert referee.case.consent_decided_at <= referee.nominated_at <= referee.invited_at
            if referee.finished_at:
                assert referee.invited_at < referee.opened_at < referee.finished_at < now
        released = db.session.get(Case, demo["released_case_id"])
        times = released.stage_times
        order = ["awaiting_consent", "nominating", "collecting", "review", "candidate_review", "released"]
        stamps = [dt.datetime.fromisoformat(times[state]) for state in order]
        assert stamps == sorted(stamps) and stamps[-1] < now
        latest_answer = max(db.session.execute(
            sa.select(Referee.finished_at).where(Referee.case_id == released.id)).scalars())
        assert latest_answer < stamps[3]
        for case in db.session.execute(sa.select(Case)).scalars():
            assert case.due_date > case.created_at.date()


def test_the_case_ready_for_review_waits_on_staff_and_is_not_late(app):
    demo = _seed(app)
    client, _ = _sign_in(app, demo["staff_email"], demo["staff_password"])
    page = client.get("/staff/").data.decode()
    row = re.search(rf"RC-{demo['review_case_id']:05d}.*?</tr>", page, flags=re.S).group(0)
    assert "Our team, expected by" in " ".join(row.split()) and "Overdue" not in row
    row = re.search(rf"RC-{demo['case_id']:05d}.*?</tr>", page, flags=re.S).group(0)
    assert "Referees, expected by" in " ".join(row.split())
    # The reminder the referee still to answer was sent today is counted.
    case_page = client.get(f"/staff/cases/{demo['case_id']}").data.decode()
    assert "1 reminder sent" in case_page


def test_every_link_the_demo_prints_opens(app):
    result = _seed(app)
    for url in (result["candidate_url"], result["consent_url"], result["released_candidate_url"],
                *result["referee_urls"]):
        assert app.test_client().get(_path(url)).status_code == 200, url


def test_seeding_again_adds_no_cases_and_gives_new_password_and_links(app):
    first = _seed(app, "demo-password-one")
    with app.app_context():
        cases_before = db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one()
    second = _seed(app, "demo-password-two")
    assert second["existed"] is True and first["existed"] is False
    assert set(first) == set(second)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one() == cases_before
        assert db.session.execute(sa.select(sa.func.count()).select_from(StaffUser)).scalar_one() == 3
        sara = db.session.execute(sa.select(Referee).where(Referee.state == "invited")).scalar_one()
        assert sara.reminders_sent == 2
        live = db.session.execute(sa.select(sa.func.count()).select_from(AccessLink).where(
            AccessLink.referee_id == sara.id, AccessLink.revoked_at.is_(None))).scalar_one()
        assert live == 1
    for key in ("case_id", "review_case_id", "released_case_id", "consent_case_id"):
        assert first[key] == second[key]
    _, refused = _sign_in(app, first["staff_email"], "demo-password-one")
    assert refused.status_code != 302  # the first password no longer signs in
    client, signed = _sign_in(app, second["staff_email"], "demo-password-two")
    assert signed.status_code == 302 and client.get("/staff/").status_code == 200
    visitor = app.test_client()
    for key in ("candidate_url", "consent_url", "released_candidate_url"):
        assert first[key] != second[key]
        assert visitor.get(_path(first[key])).status_code in (404, 410)
        assert app.test_client().get(_path(second[key])).status_code == 200
    assert app.test_client().get(_path(first["referee_urls"][0])).status_code in (404, 410)
    assert app.test_client().get(_path(second["referee_urls"][0])).status_code in (200, 302, 303)


@pytest.mark.skipif(bool(PG_URL), reason="the command migrates and seeds its own SQLite instance")
def test_the_demo_command_run_twice_says_the_demo_already_existed(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "RATELIMIT_ENABLED": False,
                      "BASE_URL": "http://127.0.0.1:5000"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "refcheck demo is ready." in first.output
    assert "stamped with the time the demo was seeded" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "The demo already existed, so no cases were added" in second.output
    password = re.search(r"password:\s+(\S+)", second.output).group(1)
    assert password != re.search(r"password:\s+(\S+)", first.output).group(1)
    again = runner.invoke(args=["demo", "--json"])
    assert json.loads(again.output.strip().splitlines()[-1])["existed"] is True
    with app.app_context():
        # Four of Fabrikam's, one of the other organisation's.
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one() == 5
    # Local mail is kept as readable text too, with links on lines of their own.
    texts = list((tmp_path / "instance" / "mail").glob("*.txt"))
    assert len(texts) == len(list((tmp_path / "instance" / "mail").glob("*.eml"))) > 0
    every = "\n".join(path.read_text(encoding="utf-8") for path in texts)
    assert "Hello Lucía Fernández" in every
    for url in re.findall(r"http://127\.0\.0\.1:5000/[rc]/\S+", second.output):
        assert url in every.split()


def test_each_demo_account_sees_what_the_summary_says(app):
    from refcheck.demo import summary

    demo = _seed(app)
    ours = [demo[key] for key in ("case_id", "consent_case_id", "review_case_id", "released_case_id")]
    other = demo["other_case_id"]
    with app.app_context():
        text = summary(demo)
        roles = dict(db.session.execute(sa.select(StaffUser.email, StaffUser.role)).all())
    # The verifier is not an admin, and each account is printed with what it can see.
    assert roles[demo["staff_email"]] == "verifier" and roles[demo["admin_email"]] == "admin"
    assert roles[demo["client_email"]] == "client"
    assert demo["staff_email"] in text and "a verifier: the cases of Fabrikam Health Analytics only" in text
    assert "an admin: every organisation's cases" in text and demo["client_email"] in text

    verifier, _ = _sign_in(app, demo["staff_email"], "demo-password-one")
    listed = verifier.get("/staff/").get_data(as_text=True)
    assert all(f"RC-{case_id:05d}" in listed for case_id in ours)
    assert f"RC-{other:05d}" not in listed and "Noor Haddad" not in listed
    assert verifier.get(f"/staff/cases/{other}").status_code == 404
    assert (without_csrf(verifier.get(f"/staff/cases/{other}").data)
            == without_csrf(verifier.get("/staff/cases/999999").data))
    assert verifier.get("/staff/accounts").status_code == 403

    admin, _ = _sign_in(app, demo["admin_email"], "demo-password-one")
    listed = admin.get("/staff/").get_data(as_text=True)
    assert all(f"RC-{case_id:05d}" in listed for case_id in (*ours, other))
    assert admin.get("/staff/accounts").status_code == 200

    # The client, Priya, sees Fabrikam's four checks, the released one's report, and nothing of Tailspin.
    client, signed = _sign_in(app, demo["client_email"], "demo-password-one")
    assert signed.headers["Location"].endswith("/client/")
    listed = client.get("/client/").get_data(as_text=True)
    assert all(f"RC-{case_id:05d}" in listed for case_id in ours)
    assert f"RC-{other:05d}" not in listed and "Noor Haddad" not in listed
    released = client.get(f"/client/cases/{demo['released_case_id']}/report.pdf")
    assert released.status_code == 200 and released.data.startswith(b"%PDF")
    assert client.get(f"/client/cases/{other}").status_code == 404
    assert client.get("/staff/").status_code == 403
    assert 'href="/client/order"' in listed and "Two references and work history" in client.get(
        "/client/order").get_data(as_text=True)
