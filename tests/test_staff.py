"""Staff accounts: the CLI, sign-in with session rotation, real sign-out, and roles."""

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import StaffUser

from .conftest import STAFF_PASSWORD, csrf_from, make_staff, sign_in


def test_create_staff_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-staff", "Lee@Verify.example", "--role", "verifier",
                                 "--name", "Lee"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    with app.app_context():
        user = db.session.execute(sa.select(StaffUser)).scalar_one()
        assert user.email == "lee@verify.example" and user.role == "verifier"
        assert user.password_hash.startswith("scrypt:")
        assert "a long enough password" not in user.password_hash


def test_create_staff_refuses_short_passwords_and_duplicates(app, runner):
    short = runner.invoke(args=["create-staff", "a@v.example", "--role", "admin"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    runner.invoke(args=["create-staff", "a@v.example", "--role", "admin"], input="tulip lantern orbit\n")
    again = runner.invoke(args=["create-staff", "a@v.example", "--role", "admin"], input="quiet meadow fox\n")
    assert again.exit_code != 0 and "already an account" in again.output


def test_create_staff_has_no_password_argument(runner):
    result = runner.invoke(args=["create-staff", "a@v.example", "--role", "admin",
                                 "--password", "x" * 12])
    assert result.exit_code == 2 and "No such option" in result.output


def test_sign_in_rotates_the_session_and_sign_out_ends_it(app, client, staff):
    client.get("/staff/login")
    anonymous = client.get_cookie("session").value
    response = sign_in(client, staff)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    signed_in = client.get_cookie("session").value
    assert signed_in != anonymous
    page = client.get("/staff/")
    assert page.status_code == 200 and b"Cases" in page.data

    client.post("/staff/logout", data={"csrf_token": csrf_from(page.data)})
    assert client.get("/staff/").status_code == 302
    # A copy of the signed-in cookie no longer works once the session has ended.
    client.set_cookie("session", signed_in)
    assert client.get("/staff/").status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(client, staff):
    page = client.get("/staff/login")
    response = client.post("/staff/login", data={"csrf_token": csrf_from(page.data),
                                                 "email": staff.email, "password": "wrong" * 4})
    assert response.status_code == 200
    assert b"do not match an active account" in response.data
    assert client.get("/staff/").status_code == 302


def test_disabled_account_loses_its_session(app, client, staff):
    verifier = make_staff(app, "lee@verify.example", "verifier")
    other = app.test_client()
    sign_in(other, verifier)
    assert other.get("/staff/").status_code == 200
    sign_in(client, staff)
    page = client.get("/staff/accounts")
    client.post(f"/staff/accounts/{verifier.id}/deactivate", data={"csrf_token": csrf_from(page.data)})
    assert other.get("/staff/").status_code == 302
    assert sign_in(app.test_client(), verifier).status_code == 200  # form again, refused


def test_verifier_cannot_reach_admin_pages(app, client):
    verifier = make_staff(app, "lee@verify.example", "verifier")
    sign_in(client, verifier)
    assert client.get("/staff/accounts").status_code == 403
    assert client.get("/staff/").status_code == 200


def test_admin_creates_an_account_from_the_page(app, client, staff):
    sign_in(client, staff)
    page = client.get("/staff/accounts")
    response = client.post("/staff/accounts", data={
        "csrf_token": csrf_from(page.data), "name": "Sam", "email": "sam@verify.example",
        "role": "verifier", "password": STAFF_PASSWORD,
    }, follow_redirects=True)
    assert b"Account created." in response.data and b"sam@verify.example" in response.data


def test_every_route_declares_who_may_use_it(app):
    """Walk the URL map: each view is public, candidate-only or role-checked."""
    open_by_design = {"static", "auth.login", "auth.logout", "two_factor.sign_in_code", "passkeys.sign_in",
                      "portal.open_link",
                      "portal.use_link", "portal.request_link", "portal.sign_out", "referee.open_link",
                      "referee.use_link"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in open_by_design:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "access_rule", None), f"{rule.rule} has no access rule"


def test_a_case_whose_referees_have_all_answered_is_ready_for_review(app, client, staff, invited, sent_case):
    import re

    from .conftest import attest_referee, enter_referee, full_answers
    from .lifecycle_cases import build

    still_collecting = build(app, staff.id, "collecting")  # one referee has not answered yet
    for path in invited.values():
        browser = enter_referee(app, path)
        html = attest_referee(browser).data.decode()
        assert browser.post("/referee", data=full_answers(html)).status_code == 303
    sign_in(client, staff)

    def rows(url):
        html = client.get(url).data.decode()
        found = re.findall(r'<tr>\s*<td><a href="/staff/cases/\d+">RC-(\d+)</a></td>(.*?)</tr>', html, re.S)
        return {int(ref): " ".join(re.sub("<[^>]+>", " ", cells).split()) for ref, cells in found}, html

    listed, html = rows("/staff/")
    assert "ready for review" in listed[sent_case.id] and "collecting" not in listed[sent_case.id]
    assert "Our team" in listed[sent_case.id]
    assert "collecting" in listed[still_collecting.case_id]
    assert re.search(r"Collecting\s*<span class=\"count\">1</span>", html)
    assert re.search(r"Ready for review\s*<span class=\"count\">1</span>", html)

    ready, _ = rows("/staff/?state=ready_for_review")
    assert list(ready) == [sent_case.id]
    collecting, _ = rows("/staff/?state=collecting")
    assert list(collecting) == [still_collecting.case_id]
    case_page = client.get(f"/staff/cases/{sent_case.id}").data.decode()
    assert '<span class="badge state-ready">ready for review</span>' in case_page


def test_the_staff_timeline_names_who_acts_where_the_portal_says_you(app, client, staff):
    from .lifecycle_cases import build

    nominating = build(app, staff.id, "nominating")
    declined = build(app, staff.id, "declined")
    sign_in(client, staff)
    page = client.get(f"/staff/cases/{nominating.case_id}").data.decode()
    start = page.index('<ol class="timeline">')
    timeline = page[start:page.index("</ol>", start)]
    assert "Waiting on the candidate" in timeline and "The candidate names their referees" in timeline
    assert "The referees answer" in timeline
    assert " you" not in timeline.lower() and "your" not in timeline.lower()
    stopped = client.get(f"/staff/cases/{declined.case_id}").data.decode()
    assert "The candidate declined, so nothing was checked." in stopped
    assert "You declined" not in stopped

    # The candidate's own page still speaks to them.
    candidate = app.test_client()
    link = f"/c/{nominating.case_id}/{nominating.tokens['candidate']}"
    candidate.post(link, data={"csrf_token": csrf_from(candidate.get(link).data)})
    portal = candidate.get("/portal").data.decode()
    assert "Waiting on you" in portal and "You name your referees" in portal


def test_empty_staff_forms_say_what_is_missing_in_words(app, client, staff):
    import re
    from html import unescape

    from refcheck.models import QuestionSet

    from .lifecycle_cases import build

    draft = build(app, staff.id, "draft")
    collecting = build(app, staff.id, "collecting")
    with app.app_context():
        set_id = db.session.execute(sa.select(QuestionSet.id)).scalars().first()
    login_page = client.get("/staff/login")
    empty_login = client.post("/staff/login", data={"csrf_token": csrf_from(login_page.data)})
    assert "Enter your email address." in empty_login.data.decode()
    assert "This field is required." not in empty_login.data.decode()

    sign_in(client, staff)
    token = csrf_from(client.get("/staff/").data)
    forms = {
        "/staff/cases/new": ["Enter the candidate's full name.", "Enter the candidate's email address.",
                             "Enter the position offered.", "Enter the organisation that is hiring.",
                             "Enter the fewest referees, a number from 1 to 10.",
                             "Enter the first month the check covers.", "Name who receives the report."],
        f"/staff/cases/{draft.case_id}/edit": ["Enter the candidate's email address."],
        f"/staff/cases/{collecting.case_id}/referees": ["Enter the referee's full name.",
                                                       "Enter the referee's work email address.",
                                                       "Enter the referee's job title at the time."],
        "/staff/accounts": ["Enter their name.", "Enter their email address.",
                            "Choose a first password for them."],
        "/staff/question-sets/": ["Enter a short name, for example: engineering.", "Enter the set's title."],
        f"/staff/question-sets/{set_id}": ["Write the question."],
    }
    for url, messages in forms.items():
        html = client.post(url, data={"csrf_token": token}, follow_redirects=True).data.decode()
        text = unescape(" ".join(re.sub("<[^>]+>", " ", html).split()))
        assert "This field is required." not in text, url
        for message in messages:
            assert message in text, (url, message)
