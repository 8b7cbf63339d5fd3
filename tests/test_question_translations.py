"""Question sets in Spanish and French: staff translate a published set, word it, publish it once checked."""

from __future__ import annotations

import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.linter import lint
from refcheck.models import AuditEvent, Question, QuestionSet

from .conftest import attest_referee, csrf_from, enter_referee, full_answers, make_staff, sign_in
from .test_question_editor import _add, _create, _publish, seen_on


def _published_set(client) -> int:
    """Publish a small general set with a rating, a custom choice and a free-text question; return its id."""
    set_id = int(_create(client, key="support", title="Support references", relationship="")
                 .headers["Location"].rstrip("/").split("/")[-1])
    _add(client, set_id, text="How would you rate the candidate's handling of customer tickets?",
         kind="rating", low_label="Far below the role", high_label="Far above the role")
    _add(client, set_id, text="Which shift pattern did the candidate mostly work?", kind="choice",
         choices="Days\nNights\nRotating")
    _add(client, set_id, text="What did the candidate do best with customers?", kind="text")
    assert b"Published support-v1" in _publish(client, set_id).data
    return set_id


def _translate(client, set_id: int, language: str):
    page = client.get(f"/staff/question-sets/{set_id}")
    return client.post(f"/staff/question-sets/{set_id}/translate",
                       data={"csrf_token": csrf_from(page.data), "language": language})


def _stored(app, translation_id: int) -> dict[str, str]:
    """Return the translation form's fields as the page fills them: the words stored now."""
    with app.app_context():
        translation = db.session.get(QuestionSet, translation_id)
        fields = {"title": translation.title}
        for q in translation.questions:
            fields[f"text-{q.id}"] = q.text
            if q.kind == "rating":
                fields[f"low-{q.id}"], fields[f"high-{q.id}"] = q.low_label, q.high_label
            if q.choices and not q.fact_key:
                fields[f"choices-{q.id}"] = "\n".join(q.choices)
    return fields


def _word(app, client, translation_id: int, words: dict[str, str]):
    """Send the translation form as the page would: what is stored now, with `words` typed over it."""
    fields = _stored(app, translation_id)
    page = client.get(f"/staff/question-sets/{translation_id}/translation")
    seen = re.search(r'name="seen" value="([^"]*)"', page.text).group(1)
    return client.post(f"/staff/question-sets/{translation_id}/translation",
                       data={**fields, **words, "seen": seen, "csrf_token": csrf_from(page.data)})


def _ids(app, translation_id: int) -> list[int]:
    with app.app_context():
        return [q.id for q in db.session.get(QuestionSet, translation_id).questions]


def test_staff_translate_a_published_set_word_for_word_and_publish_it_once_checked(app, client, staff):
    sign_in(client, staff)
    source_id = _published_set(client)
    started = _translate(client, source_id, "es")
    assert started.status_code == 302
    translation_id = int(re.search(r"/(\d+)/translation$", started.headers["Location"]).group(1))
    rating, choice, text = _ids(app, translation_id)

    # Nothing translated yet: the source's words are refused at publishing.
    page = client.get(f"/staff/question-sets/{translation_id}/translation")
    assert page.status_code == 200 and b"Spanish translation" in page.data
    refused = client.post(f"/staff/question-sets/{translation_id}/translation/publish",
                          follow_redirects=True,
                          data={"csrf_token": csrf_from(page.data), "seen": seen_on(page)})
    assert "Question 1 is still in the words of the set it translates." in refused.text

    # A choice question keeps its number of choices, in order.
    short = _word(app, client, translation_id, {f"choices-{choice}": "De día\nDe noche"})
    assert short.status_code == 422 and "Give 3 choices for question 2" in short.text
    with app.app_context():
        assert db.session.get(Question, choice).choices == ["Days", "Nights", "Rotating"]

    saved = _word(app, client, translation_id, {
        "title": "Referencias de atención al cliente",
        f"text-{rating}": "¿Cómo valoraría la gestión de incidencias de clientes de la persona candidata?",
        f"low-{rating}": "Muy por debajo del puesto", f"high-{rating}": "Muy por encima del puesto",
        f"text-{choice}": "¿En qué turnos trabajaba principalmente la persona candidata?",
        f"choices-{choice}": "De día\nDe noche\nRotativos",
        f"text-{text}": "¿Qué hacía mejor la persona candidata con la clientela?"})
    assert saved.status_code == 302
    page = client.get(f"/staff/question-sets/{translation_id}/translation")
    published = client.post(f"/staff/question-sets/{translation_id}/translation/publish",
                            follow_redirects=True,
                            data={"csrf_token": csrf_from(page.data), "seen": seen_on(page)})
    assert "Published the Spanish translation" in published.text
    with app.app_context():
        translation = db.session.get(QuestionSet, translation_id)
        assert (translation.state, translation.language, translation.translation_of_id) == \
            ("published", "es", source_id)
        assert translation.questions[1].choices == ["De día", "De noche", "Rotativos"]
        assert translation.questions[0].low_label == "Muy por debajo del puesto"
        actions = db.session.execute(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("question_set.translation%"))).scalars().all()
        assert actions == ["question_set.translation_started", "question_set.translation_published"]

    # Published means frozen, and there is one translation per language.
    late = _word(app, client, translation_id, {f"text-{text}": "¿Algo más?"})
    assert "published and cannot change" in late.text
    again = _translate(client, source_id, "es")
    assert again.status_code == 302
    assert "already has a translation into Spanish" in client.get(again.headers["Location"]).text
    # Its questions are the source's: none can be added to a translation.
    page = client.get(f"/staff/question-sets/{translation_id}/translation")
    added = client.post(f"/staff/question-sets/{translation_id}", data={
        "csrf_token": csrf_from(page.data), "text": "What tools did the candidate use?", "kind": "text"})
    assert added.status_code == 302 and len(_ids(app, translation_id)) == 3


def test_two_translators_saving_one_draft_never_lose_words_without_knowing(app, client, staff):
    sign_in(client, staff)
    translation_id = int(re.search(r"/(\d+)/translation$", _translate(
        client, _published_set(client), "fr").headers["Location"]).group(1))
    _rating, _choice, text = _ids(app, translation_id)
    other = app.test_client()
    sign_in(other, make_staff(app, "lea@verify.example", role="verifier"))
    stale = other.get(f"/staff/question-sets/{translation_id}/translation")  # opened before the save below
    fields = _stored(app, translation_id)
    saved = _word(app, client, translation_id, {f"text-{text}": "Qu'a-t-elle le mieux réussi ?"})
    assert saved.status_code == 302

    theirs = {**fields, f"text-{text}": "Qu'a-t-elle fait de mieux ?", "csrf_token": csrf_from(stale.data),
              "seen": re.search(r'name="seen" value="([^"]*)"', stale.text).group(1)}
    refused = other.post(f"/staff/question-sets/{translation_id}/translation", data=theirs)
    assert refused.status_code == 422 and "Someone saved other words for this translation" in refused.text
    assert "Qu&#39;a-t-elle fait de mieux ?" in refused.text  # what they typed is still in the form
    with app.app_context():
        assert db.session.get(Question, text).text == "Qu'a-t-elle le mieux réussi ?"
    # Saving again, knowing, keeps theirs.
    theirs["seen"] = re.search(r'name="seen" value="([^"]*)"', refused.text).group(1)
    assert other.post(f"/staff/question-sets/{translation_id}/translation", data=theirs).status_code == 302
    with app.app_context():
        assert db.session.get(Question, text).text == "Qu'a-t-elle fait de mieux ?"


def test_a_translation_is_checked_with_the_linter_in_its_language(app, client, staff):
    sign_in(client, staff)
    source_id = _published_set(client)
    translation_id = int(re.search(r"/(\d+)/translation$", _translate(client, source_id, "fr")
                                   .headers["Location"]).group(1))
    rating, choice, text = _ids(app, translation_id)
    _word(app, client, translation_id, {
        f"text-{rating}": "Comment évalueriez-vous sa gestion des tickets clients ?",
        f"low-{rating}": "Bien en deçà du poste", f"high-{rating}": "Bien au-delà du poste",
        f"text-{choice}": "Sur quels horaires la personne candidate travaillait-elle surtout ?",
        f"choices-{choice}": "De jour\nDe nuit\nEn rotation",
        # Absolute wording ("toujours", "tous"): it may not be published.
        f"text-{text}": "La personne candidate a-t-elle toujours été aimable avec tous les clients ?"})
    page = client.get(f"/staff/question-sets/{translation_id}/translation")
    assert "Absolute:" in page.text
    refused = client.post(f"/staff/question-sets/{translation_id}/translation/publish",
                          follow_redirects=True,
                          data={"csrf_token": csrf_from(page.data), "seen": seen_on(page)})
    assert "Question 3 is not neutral yet" in refused.text
    with app.app_context():
        assert db.session.get(QuestionSet, translation_id).state == "draft"


def test_the_shipped_translations_have_the_standard_questions_and_pass_the_linter_in_their_language(app):
    with app.app_context():
        sets = db.session.execute(sa.select(QuestionSet).where(QuestionSet.key == "standard")).scalars().all()
        sources = {s.id: s for s in sets if s.translation_of_id is None}
        translations = [s for s in sets if s.translation_of_id is not None]
        assert sorted((s.language, s.relationship or "") for s in translations) == sorted(
            (language, s.relationship or "") for s in sources.values() for language in ("es", "fr"))
        for translation in translations:
            source = sources[translation.translation_of_id]
            assert translation.state == "published"
            assert [(q.position, q.kind, q.fact_key, q.choices) for q in translation.questions] == \
                [(q.position, q.kind, q.fact_key, q.choices) for q in source.questions]
            for question in translation.questions:
                assert question.text != source.questions[question.position - 1].text
                result = lint(question.text, language=translation.language)
                assert result.ok, (question.text, [p.message for p in result.problems])


def test_a_referee_answers_in_spanish_and_the_report_shows_the_questions_as_the_hiring_side_reads_them(
        app, client, staff, invited):
    from refcheck import report
    from refcheck.models import Case, Referee, Response

    browser = enter_referee(app, invited["Grace Lindqvist"])
    page = browser.get("/referee")
    browser.post("/referee", data={"csrf_token": csrf_from(page.data), "choose_language": "es"})
    browser.post("/referee/attest", data={"csrf_token": csrf_from(page.data), "identity": "y",
                                          "truthful": "y"})
    questionnaire = browser.get("/referee/all").data.decode()
    # The shipped Spanish words, with the same fields as the English set: answers go to the same questions.
    assert "¿Qué relación laboral tenía usted con la persona candidata?" in questionnaire
    assert "What was your working relationship" not in questionnaire
    english = attest_referee(enter_referee(app, invited["Peer 1"])).data.decode()
    assert "What was your working relationship with Amira?" in english
    assert browser.post("/referee", data=full_answers(questionnaire)).status_code == 303
    with app.app_context():
        referee = db.session.execute(sa.select(Referee).where(Referee.language == "es")).scalar_one()
        response = db.session.execute(
            sa.select(Response).where(Response.referee_id == referee.id)).scalar_one()
        source = db.session.get(QuestionSet, response.question_set_id)
        # Kept against the English set's questions, with the language the referee read them in.
        assert (response.language, source.language, source.translation_of_id) == ("es", "en", None)
        assert set(response.unseal("answers_enc")["answers"]) <= {str(q.id) for q in source.questions}
        data = report.gather(db.session.execute(sa.select(Case)).scalar_one(), attributed=True)
    assert "answered in Spanish" in data["language_note"]
    assert "each question is shown here as it is asked in English" in data["language_note"]
    assert any(row["question"] == "What was your working relationship with the candidate?"
               for row in data["answers"])
