"""The referee pages' short cuts: a shared copy of each published question set, and radios written out."""

import datetime as dt
import re

import sqlalchemy as sa
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from refcheck import answers
from refcheck.extensions import db
from refcheck.models import Question, QuestionSet, Referee, utcnow
from refcheck.scope import Scope
from refcheck.web.referee.questionnaire import build_form

from .conftest import (
    MANAGER,
    attest_referee,
    consent,
    count_queries,
    csrf_from,
    default_scope,
    enter_portal,
    enter_referee,
    full_answers,
    invitation_links,
    nominate,
    peer,
    send_case,
    state_work_history,
)

CLIENT = {**MANAGER, "name": "Chidi Client", "email": "chidi@customer.example", "relationship": "client",
          "organisation": "Customer Ltd", "job_title": "Buyer"}
CLIENT_ONLY = "Which projects of the candidate did your organisation buy?"
# As the referee reads it: the candidate by their first name.
CLIENT_ONLY_SHOWN = "Which projects of Amira did your organisation buy?"


def _invite(app, client, sent_case, *people):
    """Consent, nominate these people and invite them; return the referee link paths by name."""
    enter_portal(client, sent_case)
    consent(client)
    for person in people:
        assert nominate(client, **person).status_code == 303
    state_work_history(client)
    page = client.get("/portal/referees")
    assert client.post("/portal/referees/invite",
                       data={"csrf_token": csrf_from(page.data)}).status_code == 303
    return invitation_links(app)


def _publish_client_set(app, text: str = CLIENT_ONLY) -> int:
    """Publish a client set into the standard-v1 family, as staff may do after it is in use."""
    with app.app_context():
        question_set = QuestionSet(key="standard", version=1, relationship="client", title="For clients",
                                   state="published", created_at=utcnow(), published_at=utcnow())
        question_set.questions = [Question(position=1, text=text, kind="text", required=True)]
        db.session.add(question_set)
        db.session.commit()
        return question_set.id


def test_a_relationship_set_published_later_reaches_its_referees(app, client, sent_case):
    links = _invite(app, client, sent_case, MANAGER, peer(1), CLIENT)
    browser = enter_referee(app, links["Chidi Client"])
    before = attest_referee(browser)
    assert CLIENT_ONLY_SHOWN.encode() not in before.data  # the family's general set, for now

    _publish_client_set(app)
    after = browser.get("/referee/all")
    assert CLIENT_ONLY_SHOWN.encode() in after.data
    assert b"1 questions" in after.data
    # The answers go to the new set, and are read back in its words.
    assert browser.post("/referee", data=full_answers(after.data.decode())).status_code == 303
    shown = browser.get("/referee/answers")
    assert CLIENT_ONLY_SHOWN.encode() in shown.data


def test_referees_of_different_relationships_answer_their_own_sets(app, client, sent_case):
    links = _invite(app, client, sent_case, MANAGER, peer(1))
    manager = attest_referee(enter_referee(app, links[MANAGER["name"]])).data.decode()
    colleague = attest_referee(enter_referee(app, links["Peer 1"])).data.decode()
    ending = "employment there end, as far as you know?"
    collaborator = "How would you rate Amira as a collaborator on shared work?"
    assert ending in manager and collaborator not in manager
    assert collaborator in colleague and ending not in colleague
    # Again, now that both sets are kept by the process.
    assert ending in attest_referee(enter_referee(app, links[MANAGER["name"]])).data.decode()
    assert ending not in attest_referee(enter_referee(app, links["Peer 1"])).data.decode()


def test_the_kept_copy_is_a_plain_value_shared_across_requests(app):
    scope = default_scope()
    with app.app_context():
        first = answers.question_set_for(scope, "manager")
        ids = [q.id for q in first.questions]
        db.session.remove()
    with app.app_context():
        second = answers.question_set_for(scope, "manager")
        expected = db.session.execute(
            sa.select(Question.id).join(QuestionSet)
            .where(QuestionSet.key == "standard", QuestionSet.relationship == "manager",
                   QuestionSet.language == "en")
            .order_by(Question.position)
        ).scalars().all()
    assert second is first
    assert not isinstance(first, QuestionSet)
    assert ids == list(expected)
    # Readable with no session at all: nothing is loaded lazily from a closed one.
    assert [q.text for q in second.questions][0].startswith("What was your working relationship")


def test_a_rebuilt_set_under_a_reused_id_is_read_again(app):
    scope = default_scope()
    with app.app_context():
        old = answers.question_set_for(scope, "peer")
        # As if the database had been rebuilt with other content under the same ids.
        db.session.execute(sa.update(QuestionSet).where(QuestionSet.id == old.id)
                           .values(published_at=utcnow() + dt.timedelta(days=1)))
        db.session.execute(sa.update(Question).where(Question.id == old.questions[0].id)
                           .values(text="A different first question?"))
        db.session.commit()
        new = answers.question_set_for(scope, "peer")
    assert new is not old
    assert new.questions[0].text == "A different first question?"


def test_forms_share_a_class_but_never_answers(app):
    scope = default_scope()
    with app.test_request_context(method="POST"):
        question_set = answers.question_set_for(scope, "manager")
        rating = next(q for q in question_set.questions if q.kind == "rating")
        name = answers.field_name(rating)
        posted = build_form(question_set, formdata=MultiDict({name: "4"}))
        fresh = build_form(question_set)
        assert type(posted) is type(fresh)
        assert posted[name].data == "4"
        assert fresh[name].data is None


def test_radio_buttons_match_what_wtforms_would_write(app, client, sent_case):
    links = _invite(app, client, sent_case, MANAGER, peer(1))
    browser = enter_referee(app, links[MANAGER["name"]])
    page = attest_referee(browser).data.decode()
    data = full_answers(page)
    radios = sorted(set(re.findall(r'name="(q\d+)"[^>]*type="radio"', page)))
    data[radios[0]] = "not-a-choice"
    del data[radios[1]]
    posted = browser.post("/referee", data=data)
    assert posted.status_code == 422
    html = posted.data.decode()
    with app.test_request_context(method="POST", data=data):
        referee = db.session.execute(
            sa.select(Referee).where(Referee.relationship == "manager")).scalar_one()
        question_set = answers.question_set_for(Scope.from_json(referee.case.consent.scope), "manager")
        form = build_form(question_set)
        form.validate()
        written = 0
        for name in radios:
            for option in form[name]:
                # What the template wrote before: WTForms' option widget and its escaped label.
                label = escape(option.label.text)
                assert f'<label class="option">{option()} <span>{label}</span></label>' in html
                written += 1
    assert written == html.count('type="radio"')
    assert 'checked id="' in html and "required" in html


def test_referee_pages_read_the_session_case_and_scope_in_one_query(app, client, sent_case):
    links = _invite(app, client, sent_case, MANAGER, peer(1))
    path = links[MANAGER["name"]]
    # The link page: the link, then the referee with case, consent and candidate; their link's expiry.
    assert count_queries(app, app.test_client(), path) <= 4
    browser = enter_referee(app, path)
    # The attestation page: the session with everything it shows, then the link's expiry.
    assert count_queries(app, browser, "/referee") == 2
    attest_referee(browser)
    # A page of questions, and all of them on one: the session, which published set applies (the set
    # itself is kept), and the referee's draft.
    assert count_queries(app, browser, "/referee/questions/1") == 3
    assert count_queries(app, browser, "/referee/all") == 3


def _without_token(html: str) -> str:
    """Return a page with its CSRF token taken out, to compare two sessions' pages."""
    return html.replace(csrf_from(html), "")


def test_a_kept_blank_questionnaire_is_the_page_rendered_afresh(app, client, sent_case):
    links = _invite(app, client, sent_case, MANAGER, peer(1), peer(2))
    first = attest_referee(enter_referee(app, links["Peer 1"]))
    browser = enter_referee(app, links["Peer 2"])
    kept = attest_referee(browser)
    # Without the kept fieldsets, the same referee's page is rendered from scratch.
    app.extensions.pop("refcheck.blank_question_fields")
    fresh = browser.get("/referee/all")
    assert first.status_code == kept.status_code == fresh.status_code == 200
    assert _without_token(kept.data.decode()) == _without_token(fresh.data.decode())
    assert kept.data.count(b'<fieldset class="card question"') > 10
    # Each referee's page carries the token of their own session.
    assert csrf_from(kept.data) == csrf_from(fresh.data) != csrf_from(first.data)


def test_a_referees_draft_errors_name_and_token_never_reach_another(app, client, staff, sent_case):
    links = _invite(app, client, sent_case, MANAGER, peer(1), peer(2))
    other_case = send_case(app, staff, ("Bea Lindgren", "bea.lindgren@example.org"))
    links.update(_invite(app, app.test_client(), other_case, {**peer(3), "email": "peer3@elsewhere.example"},
                         {**MANAGER, "name": "Mo Manager", "email": "mo@elsewhere.example"}))
    one = enter_referee(app, links["Peer 1"])
    page = attest_referee(one).data.decode()
    essay = re.search(r'<textarea[^>]*name="(q\d+)"', page).group(1)
    radio = re.search(r'name="(q\d+)"[^>]*type="radio"', page).group(1)
    draft = full_answers(page, {essay: "Words only Peer 1 wrote."})
    del draft[radio]
    refused = one.post("/referee", data=draft)
    assert refused.status_code == 422
    assert b"Words only Peer 1 wrote." in refused.data and b'class="error"' in refused.data

    two = enter_referee(app, links["Peer 2"])
    blank = attest_referee(two).data.decode()
    assert "Words only Peer 1 wrote." not in blank
    assert 'class="error"' not in blank and "checked" not in blank and "Error:" not in blank
    assert csrf_from(blank) != csrf_from(refused.data)
    # Peer 1's token is no use in Peer 2's session; Peer 2's own is.
    assert two.post("/referee", data={**full_answers(blank), "csrf_token": csrf_from(refused.data)}
                    ).status_code == 400
    assert two.post("/referee", data=full_answers(blank)).status_code == 303

    three = enter_referee(app, links["Peer 3"])
    elsewhere = attest_referee(three).data.decode()
    assert "Bea Lindgren" in elsewhere and sent_case.name not in elsewhere
    assert "Words only Peer 1 wrote." not in elsewhere and "checked" not in elsewhere

    # Peer 1's own page is blank again (nothing was saved), and their correction later shows their answers.
    again = one.get("/referee/all").data.decode()
    assert "Words only Peer 1 wrote." not in again and _without_token(again) == _without_token(blank)
    assert one.post("/referee", data=full_answers(again, {essay: "Peer 1, sent."})).status_code == 303
    correcting = one.get("/referee/correct").data.decode()
    assert "Peer 1, sent." in correcting and "checked" in correcting
