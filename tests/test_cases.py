"""Staff open a case and define its scope; bad input is explained and nothing is half-saved."""

import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent, Candidate, Case, OutboxMessage, utcnow

from .conftest import csrf_from, sign_in

GOOD = {
    "candidate_name": "Amira Okafor", "candidate_email": "amira.okafor@candidate.example",
    "position": "Senior Data Engineer", "hiring_organisation": "Northwind Analytics Ltd",
    "purpose": "To confirm work history.", "due_date": "", "checks": ["references", "employment_history"],
    "min_referees": "2", "max_referees": "4", "rel_manager": "1", "rel_peer": "1",
    "rel_direct_report": "0", "rel_client": "off", "rel_other": "off",
    "period_from": "2021-01", "period_to": "2026-10", "question_set": "standard-v1",
    "report_recipients": "Priya Shah, Head of Talent", "retention_days": "180",
}


def _counts(app):
    with app.app_context():
        # A case's mail only: signing in emails the staff member too.
        case_mail = sa.select(OutboxMessage).where(OutboxMessage.case_id.is_not(None)).subquery()
        return tuple(db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
                     for m in (Case, Candidate, case_mail))


def _post_case(client, **changes):
    page = client.get("/staff/cases/new")
    data = {**GOOD, **changes, "csrf_token": csrf_from(page.data)}
    return client.post("/staff/cases/new", data=data)


def test_staff_open_a_case_and_send_it(app, client, staff):
    sign_in(client, staff)
    response = _post_case(client)
    assert response.status_code == 302
    case_page = client.get(response.headers["Location"])
    assert b"Amira Okafor" in case_page.data and b"draft" in case_page.data
    assert b"including at least 1 manager and 1 peer" in case_page.data
    with app.app_context():
        case = db.session.execute(sa.select(Case)).scalar_one()
        assert case.scope["relationships"] == {"manager": 1, "peer": 1, "direct_report": 0}
        case_id = case.id
    client.post(f"/staff/cases/{case_id}/invite", data={"csrf_token": csrf_from(case_page.data)})
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "awaiting_consent"
        message = db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.case_id == case_id)).scalar_one()
        assert message.kind == "candidate_invitation"
        assert message.unseal("recipient_enc") == "amira.okafor@candidate.example"
        assert f"https://refcheck.test/c/{case_id}/" in message.unseal("body_enc")
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
        assert "candidate.invited" in actions


def test_a_single_relationship_is_refused(app, client, staff):
    sign_in(client, staff)
    response = _post_case(client, rel_peer="off", rel_direct_report="off")
    assert response.status_code == 200
    assert b"at least two different relationships" in response.data
    assert b"Nothing has been saved yet" in response.data
    assert b'value="Amira Okafor"' in response.data  # what was typed is kept
    assert _counts(app) == (0, 0, 0)


def test_bad_fields_each_get_a_message(app, client, staff):
    sign_in(client, staff)
    response = _post_case(client, candidate_email="not an email", min_referees="1",
                          period_from="2026-10", period_to="2021-01", retention_days="5")
    text = response.data.decode()
    assert '="None"' not in text  # no attribute rendered from a missing value
    assert 'aria-invalid="true"' in text and "aria-describedby=" in text
    assert "Enter an email address like name@example.org." in text
    assert "never rely on one witness" in text
    assert "The period must end after it starts." in text
    assert "between 30 and 730" in text or "Number must be between 30 and 730" in text
    assert _counts(app) == (0, 0, 0)


def test_scope_is_frozen_once_the_candidate_is_asked(app, client, staff, sent_case):
    sign_in(client, staff)
    response = client.get(f"/staff/cases/{sent_case.id}/edit", follow_redirects=True)
    assert b"the scope is frozen" in response.data


def test_draft_can_be_edited(app, client, staff):
    sign_in(client, staff)
    location = _post_case(client).headers["Location"]
    case_id = int(location.rstrip("/").split("/")[-1])
    page = client.get(f"/staff/cases/{case_id}/edit")
    assert b'value="Senior Data Engineer"' in page.data
    data = {**GOOD, "position": "Lead Data Engineer", "csrf_token": csrf_from(page.data)}
    client.post(f"/staff/cases/{case_id}/edit", data=data)
    with app.app_context():
        assert db.session.get(Case, case_id).position == "Lead Data Engineer"


def test_staff_delay_reason_reaches_the_candidate_timeline(app, client, staff, sent_case):
    import datetime as dt

    from refcheck.models import utcnow

    from .conftest import enter_portal

    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        case.stage_times = {**case.stage_times,
                            "awaiting_consent": (utcnow() - dt.timedelta(days=9)).isoformat()}
        db.session.commit()
    sign_in(client, staff)
    page = client.get(f"/staff/cases/{sent_case.id}")
    client.post(f"/staff/cases/{sent_case.id}/delay",
                data={"csrf_token": csrf_from(page.data), "reason": "Our team was short-staffed."})
    candidate = app.test_client()
    enter_portal(candidate, sent_case)
    # While deciding, the candidate sees the decision page; the staff page shows the late step.
    staff_view = client.get(f"/staff/cases/{sent_case.id}")
    assert b"Why it is late:" in staff_view.data and b"short-staffed" in staff_view.data


def test_cancel_needs_a_reason_and_stops_the_case(app, client, staff, sent_case):
    sign_in(client, staff)
    page = client.get(f"/staff/cases/{sent_case.id}")
    refused = client.post(f"/staff/cases/{sent_case.id}/cancel",
                          data={"csrf_token": csrf_from(page.data), "reason": " "},
                          follow_redirects=True)
    assert b"Say why the case is cancelled" in refused.data
    client.post(f"/staff/cases/{sent_case.id}/cancel",
                data={"csrf_token": csrf_from(page.data), "reason": "The role was withdrawn."})
    with app.app_context():
        assert db.session.get(Case, sent_case.id).state == "cancelled"
    assert app.test_client().get(sent_case.path).status_code == 404


def test_dashboard_lists_cases_with_what_they_wait_on(app, client, staff, sent_case):
    sign_in(client, staff)
    page = client.get("/staff/")
    assert b"RC-" in page.data and b"Amira Okafor" in page.data
    assert b"Candidate, expected by" in page.data  # staff wording, not the candidate's "you"
    filtered = client.get("/staff/?state=released")
    assert b"No cases here yet" in filtered.data


def test_dashboard_queries_do_not_grow_with_the_number_of_cases(app, client, staff):
    from .conftest import OTHER_CANDIDATE, count_queries, send_case

    sign_in(client, staff)
    send_case(app, staff)
    client.get("/staff/")
    # Each view after a change decides the changed cases again (kept.remember_cases): one, then five.
    send_case(app, staff, OTHER_CANDIDATE)
    few = count_queries(app, client, "/staff/")
    for _ in range(5):
        send_case(app, staff, OTHER_CANDIDATE)
    assert count_queries(app, client, "/staff/") == few


def test_list_pages_show_cases_opened_at_the_same_moment_once_each(app, client, staff, monkeypatch):
    from refcheck.web.staff import cases as staff_views

    from .conftest import send_case

    sign_in(client, staff)
    opened = [send_case(app, staff).id for _ in range(5)]
    with app.app_context():
        # Imported cases can share an opening time; the list must still page through each once.
        db.session.execute(sa.update(Case).values(created_at=utcnow()))
        db.session.commit()
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    shown = []
    for page in (1, 2, 3):
        html = client.get(f"/staff/?page={page}").data.decode()
        shown += [int(ref) for ref in re.findall(r'href="/staff/cases/(\d+)"', html)]
    assert shown == sorted(opened, reverse=True)  # newest first, the later-opened first on a tie
    assert b"Older cases" not in client.get("/staff/?page=3").data


def test_case_page_queries_do_not_grow_with_referees_answers_and_claims(app, client, invited, staff,
                                                                       sent_case):
    from .conftest import attest_referee, count_queries, enter_referee, full_answers, nominate, peer

    url = f"/staff/cases/{sent_case.id}"
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    two_named = count_queries(app, staff_client, url)
    assert nominate(client, **peer(2)).status_code == 303
    assert count_queries(app, staff_client, url) == two_named
    for path in invited.values():
        browser = enter_referee(app, path)
        page = attest_referee(browser)
        assert browser.post("/referee", data=full_answers(page.data.decode())).status_code == 303
    # With answers in, the page also compares them with the claims: a few more queries, once.
    answered = count_queries(app, staff_client, url)
    assert nominate(client, **peer(3)).status_code == 303
    assert b"Peer 3" in staff_client.get(url).data
    assert count_queries(app, staff_client, url) == answered


def test_answers_in_from_loaded_referees_agrees_with_the_query(app, invited, sent_case):
    from refcheck import progress, referees

    from .conftest import attest_referee, enter_referee, full_answers

    def both() -> tuple[dict, dict]:
        with app.app_context():
            case = db.session.get(Case, sent_case.id)
            loaded = progress.answers_in_loaded(case, referees.all_referees(case),
                                             referees.consented_scope_or_none(case))
            return loaded, progress.answers_in([case])

    def answer(path: str) -> None:
        browser = enter_referee(app, path)
        page = attest_referee(browser)
        assert browser.post("/referee", data=full_answers(page.data.decode())).status_code == 303

    first, second = invited.values()
    assert both() == ({}, {})
    answer(first)
    assert both() == ({}, {})  # one referee is still to answer
    answer(second)
    loaded, queried = both()
    assert loaded == queried and sent_case.id in loaded


def _day(value) -> str:
    from refcheck.dates import day

    return day(value)


def _earliest():
    """The day the default pace (33 days from opening) can release a report of a case opened today."""
    import datetime as dt

    return (utcnow() + dt.timedelta(days=33)).date()


def test_the_new_case_form_proposes_the_earliest_due_date_the_pace_can_meet(app, client, staff):
    sign_in(client, staff)
    page = client.get("/staff/cases/new").data.decode()
    assert f'name="due_date" type="date" value="{_earliest().isoformat()}"' in page
    assert f"At the configured pace the report can be released around {_day(_earliest())}" in page
    # The hint says where the date comes from, step by step.
    assert "5 days for the candidate to decide" in page and "33 days in all" in page
    assert "I know this is tight" not in page  # nothing to confirm until a date is too early


def test_an_unreachable_due_date_is_refused_until_staff_say_they_know(app, client, staff):
    import datetime as dt

    sign_in(client, staff)
    too_early = (utcnow() + dt.timedelta(days=16)).date()
    refused = _post_case(client, due_date=too_early.isoformat())
    text = refused.data.decode()
    assert f"At the configured pace the report can be released around {_day(_earliest())}. " \
           f"Choose {_day(_earliest())} or later" in text
    assert "Nothing has been saved yet" in text and 'value="Amira Okafor"' in text
    assert "I know this is tight" in text  # the way to keep the date is offered with the refusal
    assert _counts(app) == (0, 0, 0)
    kept = _post_case(client, due_date=too_early.isoformat(), tight_ok="y")
    assert kept.status_code == 302
    with app.app_context():
        assert db.session.execute(sa.select(Case.due_date)).scalar_one() == too_early
    # The date the form proposed is accepted as it is.
    assert _post_case(client, due_date=_earliest().isoformat()).status_code == 302


def test_a_draft_due_date_moved_too_early_is_refused_the_same_way(app, client, staff):
    import datetime as dt

    sign_in(client, staff)
    location = _post_case(client, due_date=_earliest().isoformat()).headers["Location"]
    case_id = int(location.rstrip("/").split("/")[-1])
    page = client.get(f"/staff/cases/{case_id}/edit")
    assert f"released around {_day(_earliest())}".encode() in page.data
    too_early = (utcnow() + dt.timedelta(days=20)).date().isoformat()
    data = {**GOOD, "due_date": too_early, "position": "Lead Data Engineer",
            "csrf_token": csrf_from(page.data)}
    refused = client.post(f"/staff/cases/{case_id}/edit", data=data)
    assert f"Choose {_day(_earliest())} or later".encode() in refused.data
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.due_date, case.position) == (_earliest(), "Senior Data Engineer")  # nothing half-saved
    client.post(f"/staff/cases/{case_id}/edit", data={**data, "tight_ok": "y"})
    with app.app_context():
        assert db.session.get(Case, case_id).due_date.isoformat() == too_early
    # A tight date already agreed does not stop other edits.
    page = client.get(f"/staff/cases/{case_id}/edit")
    client.post(f"/staff/cases/{case_id}/edit", data={**data, "position": "Staff Data Engineer",
                                                      "csrf_token": csrf_from(page.data)})
    with app.app_context():
        assert db.session.get(Case, case_id).position == "Staff Data Engineer"
