"""Staff draft, lint and publish question sets; published sets never change."""

import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import QuestionSet

from .conftest import csrf_from, sign_in


def _create(client, **data):
    page = client.get("/staff/question-sets/")
    return client.post("/staff/question-sets/", data={**data, "csrf_token": csrf_from(page.data)})


def _add(client, set_id, **data):
    page = client.get(f"/staff/question-sets/{set_id}")
    return client.post(f"/staff/question-sets/{set_id}", data={"required": "y", **data,
                                                               "csrf_token": csrf_from(page.data)})


def seen_on(page) -> str:
    """Return the digest of the set a staff page showed, which its publish button sends."""
    return re.search(r'name="seen" value="([^"]*)"', page.get_data(as_text=True)).group(1)


def _publish(client, set_id):
    page = client.get(f"/staff/question-sets/{set_id}")
    return client.post(f"/staff/question-sets/{set_id}/publish", follow_redirects=True,
                       data={"csrf_token": csrf_from(page.data), "seen": seen_on(page)})


def test_a_biased_draft_cannot_be_published_until_fixed(app, client, staff):
    sign_in(client, staff)
    response = _create(client, key="engineering", title="Engineering references", relationship="")
    set_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    _add(client, set_id, text="How would you rate the quality of the candidate's code?", kind="rating",
         low_label="Far below the role", high_label="Far above the role")
    _add(client, set_id, text="Does she have young children?", kind="yes_no")
    page = client.get(f"/staff/question-sets/{set_id}")
    assert b"Protected:" in page.data  # the linter's view, before publishing

    refused = _publish(client, set_id)
    assert b"Question 2 is not neutral yet" in refused.data
    with app.app_context():
        question_set = db.session.get(QuestionSet, set_id)
        assert question_set.state == "draft"
        bad = question_set.questions[1].id
    client.post(f"/staff/question-sets/{set_id}/questions/{bad}/remove",
                data={"csrf_token": csrf_from(page.data)})
    published = _publish(client, set_id)
    assert b"Published engineering-v1" in published.data
    # The general set makes the family available to scopes.
    assert b"engineering-v1" in client.get("/staff/cases/new").data

    # Published means frozen: adding is refused and nothing changes.
    late = _add(client, set_id, text="What tools did the candidate use?", kind="text")
    assert b"cannot change" in late.data
    with app.app_context():
        assert len(db.session.get(QuestionSet, set_id).questions) == 1


def test_ratings_need_labels_and_choices_need_options(client, staff):
    sign_in(client, staff)
    set_id = int(_create(client, key="sales", title="Sales", relationship="manager")
                 .headers["Location"].rstrip("/").split("/")[-1])
    rating = _add(client, set_id, text="How would you rate the candidate's forecasting?", kind="rating")
    assert b"Label both ends of the scale." in rating.data
    choice = _add(client, set_id, text="Which region did the candidate cover?", kind="choice",
                  choices="North")
    assert b"at least two choices" in choice.data


def test_a_new_version_copies_a_published_set(app, client, staff):
    sign_in(client, staff)
    with app.app_context():
        manager = db.session.execute(sa.select(QuestionSet).where(
            QuestionSet.key == "standard", QuestionSet.relationship == "manager",
            QuestionSet.language == "en")).scalar_one()
        manager_id, count = manager.id, len(manager.questions)
    page = client.get(f"/staff/question-sets/{manager_id}")
    response = client.post(f"/staff/question-sets/{manager_id}/new-version",
                           data={"csrf_token": csrf_from(page.data)})
    draft_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        draft = db.session.get(QuestionSet, draft_id)
        assert (draft.family, draft.state, len(draft.questions)) == ("standard-v2", "draft", count)
    # A family missing sets for some relationships is not offered to scopes.
    _publish(client, draft_id)
    assert b"standard-v2" not in client.get("/staff/cases/new").data


def _draft_with(client, *questions):
    set_id = int(_create(client, key="wording", title="Wording", relationship="")
                 .headers["Location"].rstrip("/").split("/")[-1])
    for text, kind in questions:
        _add(client, set_id, text=text, kind=kind)
    return set_id


def _reword(client, set_id, question_id, wording, csrf=None):
    page = client.get(f"/staff/question-sets/{set_id}")
    return client.post(f"/staff/question-sets/{set_id}/questions/{question_id}/reword",
                       data={"wording": wording,
                             "csrf_token": csrf if csrf is not None else csrf_from(page.data)},
                       follow_redirects=True)


def test_a_flagged_question_shows_a_neutral_wording_that_staff_accept_in_one_step(app, client, staff):
    from refcheck.models import AuditEvent

    sign_in(client, staff)
    set_id = _draft_with(client, ("Did she always meet her deadlines?", "yes_no"),
                         ("How did the candidate respond to feedback?", "text"))
    page = client.get(f"/staff/question-sets/{set_id}")
    assert b"Suggested instead:</strong> How often did she meet her deadlines?" in page.data
    assert b"Use this wording" in page.data
    with app.app_context():
        first = db.session.get(QuestionSet, set_id).questions[0].id

    done = _reword(client, set_id, first, "How often did she meet her deadlines?")
    assert b"Question reworded." in done.data
    with app.app_context():
        questions = db.session.get(QuestionSet, set_id).questions
        # The answer kind follows the new wording: "how often" is not a yes-or-no question.
        assert [(q.position, q.text, q.kind) for q in questions] == [
            (1, "How often did she meet her deadlines?", "text"),
            (2, "How did the candidate respond to feedback?", "text")]
        event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "question.reworded")
                                   ).scalar_one()
        assert event.actor == f"staff:{staff.id}"
    # The set now publishes: the suggestion itself passes the linter.
    assert b"Published wording-v1" in _publish(client, set_id).data


def test_a_double_barrelled_question_splits_into_two_in_place(app, client, staff):
    sign_in(client, staff)
    set_id = _draft_with(client, ("What was the candidate's job title?", "text"),
                         ("Was he punctual and reliable?", "yes_no"),
                         ("Would you work with the candidate again?", "yes_no"))
    page = client.get(f"/staff/question-sets/{set_id}")
    assert b"Suggested instead, as two questions:" in page.data and b"Split into these two" in page.data
    with app.app_context():
        double = db.session.get(QuestionSet, set_id).questions[1].id
    done = _reword(client, set_id, double, "Was he punctual?\nWas he reliable?")
    assert b"Question split into two." in done.data
    # The same form sent again finds the question already neutral and splits nothing more.
    again = _reword(client, set_id, double, "Was he punctual?\nWas he reliable?")
    assert b"already reads as neutral" in again.data
    with app.app_context():
        questions = db.session.get(QuestionSet, set_id).questions
        assert [(q.position, q.text) for q in questions] == [
            (1, "What was the candidate's job title?"), (2, "Was he punctual?"), (3, "Was he reliable?"),
            (4, "Would you work with the candidate again?")]
        assert questions[2].kind == "yes_no" and questions[2].fact_key is None


def test_a_stale_or_forged_wording_changes_nothing(app, client, staff):
    sign_in(client, staff)
    set_id = _draft_with(client, ("How old is the candidate?", "text"))
    with app.app_context():
        question_id = db.session.get(QuestionSet, set_id).questions[0].id
    # Not the linter's suggestion: staff could otherwise slip any wording past the checks.
    forged = _reword(client, set_id, question_id, "Is she over 50?")
    assert b"The suggested wording has changed" in forged.data
    # Without the form's CSRF token nothing happens either.
    lawful = "What relevant experience did the candidate bring to the role?"
    refused = _reword(client, set_id, question_id, lawful, csrf="")
    assert b"The form had expired" in refused.data
    with app.app_context():
        assert db.session.get(QuestionSet, set_id).questions[0].text == "How old is the candidate?"


def test_a_published_set_cannot_be_reworded(app, client, staff):
    sign_in(client, staff)
    with app.app_context():
        manager = db.session.execute(sa.select(QuestionSet).where(
            QuestionSet.key == "standard", QuestionSet.relationship == "manager",
            QuestionSet.language == "en")).scalar_one()
        set_id, question = manager.id, manager.questions[0]
        question_id, text = question.id, question.text
    response = _reword(client, set_id, question_id, "How often did she meet her deadlines?")
    assert b"cannot change" in response.data
    with app.app_context():
        assert db.session.get(QuestionSet, set_id).questions[0].text == text


def test_a_question_tied_to_a_fact_is_changed_by_hand_not_in_one_step(app, client, staff):
    sign_in(client, staff)
    set_id = _draft_with(client)
    _add(client, set_id, text="What was the candidate's reason for leaving, and would you rehire them?",
         kind="choice", fact_key="reason_for_leaving", choices="Resigned\nDismissed")
    page = client.get(f"/staff/question-sets/{set_id}")
    assert b"Suggested instead, as two questions:" in page.data
    # Its answers are compared as the reason for leaving: a new wording must not inherit that silently.
    assert b"change it by hand" in page.data and b"Split into these two" not in page.data
    with app.app_context():
        question = db.session.get(QuestionSet, set_id).questions[0]
        question_id, offered = question.id, lint_offer(question.text)
    refused = _reword(client, set_id, question_id, offered)
    assert b"change it by hand" in refused.data
    with app.app_context():
        assert [q.text for q in db.session.get(QuestionSet, set_id).questions] == [
            "What was the candidate's reason for leaving, and would you rehire them?"]


def test_a_rating_replaced_by_another_question_becomes_free_text(app, client, staff):
    sign_in(client, staff)
    set_id = _draft_with(client)
    _add(client, set_id, text="How would you rate her energy compared with younger staff?", kind="rating",
         low_label="Low", high_label="High")
    with app.app_context():
        question = db.session.get(QuestionSet, set_id).questions[0]
        question_id, offered = question.id, lint_offer(question.text)
    assert offered == "What relevant experience did the candidate bring to the role?"
    _reword(client, set_id, question_id, offered)
    with app.app_context():
        question = db.session.get(QuestionSet, set_id).questions[0]
        assert (question.text, question.kind, question.low_label) == (offered, "text", None)


def lint_offer(text):
    from refcheck.linter import lint

    return lint(text).rewording


def test_a_set_changed_after_the_page_was_shown_is_not_published_unseen(app, client, staff):
    sign_in(client, staff)
    response = _create(client, key="support", title="Support references", relationship="")
    set_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    _add(client, set_id, text="How did the candidate handle escalated tickets?", kind="text")
    looked_at = client.get(f"/staff/question-sets/{set_id}")
    # A colleague adds a question after this page was shown.
    _add(client, set_id, text="What tools did the candidate use for tickets?", kind="text")
    refused = client.post(f"/staff/question-sets/{set_id}/publish", follow_redirects=True,
                          data={"csrf_token": csrf_from(looked_at.data), "seen": seen_on(looked_at)})
    assert "Someone changed this set after you opened it, so it was not published" in refused.text
    with app.app_context():
        assert db.session.get(QuestionSet, set_id).state == "draft"
    assert b"Published support-v1" in _publish(client, set_id).data  # once looked at as it stands
