"""Staff draft, lint and publish question sets; published sets never change."""

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


def _publish(client, set_id):
    page = client.get(f"/staff/question-sets/{set_id}")
    return client.post(f"/staff/question-sets/{set_id}/publish", data={"csrf_token": csrf_from(page.data)},
                       follow_redirects=True)


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
            QuestionSet.key == "standard", QuestionSet.relationship == "manager")).scalar_one()
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
