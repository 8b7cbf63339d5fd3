"""Referee answers: the questionnaire form, sealed submission exactly once, and declining."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from . import access, audit, fraud, mail
from .cases import CaseError
from .extensions import db
from .models import FraudSignal, Question, QuestionSet, Referee, Response, keyring
from .scope import RELATIONSHIPS, Scope

UNKNOWN = "unknown"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# fact key of a month range's start -> fact key of its end.
RANGE_ENDS = {"start_month": "end_month", "worked_together_from": "worked_together_to"}
CHOICE_LABELS = {
    "relationship": {
        "manager": "I was their manager", "peer": "We were peers",
        "direct_report": "I reported to them", "client": "I was their client",
        "other": "Another relationship",
    },
    "reason_for_leaving": {
        "resigned": "They resigned", "contract_ended": "Their contract ended",
        "laid_off": "They were laid off (redundancy)", "dismissed": "They were dismissed",
        "other": "Another reason", "still_employed": "They still work there",
    },
}
TEXT_LIMIT = 4000


def question_set_for(scope: Scope, relationship: str) -> QuestionSet:
    """Return the published set of the scope's family for a relationship, or the family's general set."""
    key, _, version = scope.question_set.rpartition("-v")
    sets = db.session.execute(
        sa.select(QuestionSet).options(sa.orm.selectinload(QuestionSet.questions))
        .where(QuestionSet.key == key, QuestionSet.version == int(version or 0),
               QuestionSet.state == "published")
    ).scalars().all()
    chosen = next((s for s in sets if s.relationship == relationship), None) or next(
        (s for s in sets if s.relationship is None), None)
    if chosen is None:
        raise CaseError("The questions for this reference are not available. Please contact us.")
    return chosen


def field_name(question: Question) -> str:
    """Name a question's form field."""
    return f"q{question.id}"


def build_form(questions: list[Question], formdata: Any = None) -> FlaskForm:
    """Build a form class for a question set and return an instance bound to the request."""

    class QuestionnaireForm(FlaskForm):
        pass

    for question in questions:
        name = field_name(question)
        answer_needed = InputRequired(message="Please answer this question.")
        required = [answer_needed] if question.required else [Optional()]
        if question.kind == "rating":
            choices = [SelectChoice(str(n), str(n)) for n in range(1, 6)]
            choices.append(SelectChoice(UNKNOWN, "I can't judge this"))
            setattr(QuestionnaireForm, name, RadioField(question.text, choices=choices, validators=required))
        elif question.kind == "yes_no":
            setattr(QuestionnaireForm, name, RadioField(question.text, choices=[
                SelectChoice("yes", "Yes"), SelectChoice("no", "No"), SelectChoice(UNKNOWN, "I don't know"),
            ], validators=required))
        elif question.kind == "choice":
            labels = CHOICE_LABELS.get(question.fact_key or "", {})
            choices = [SelectChoice(c, labels.get(c, c.replace("_", " ").capitalize()))
                       for c in question.choices or []]
            choices.append(SelectChoice(UNKNOWN, "I don't know"))
            setattr(QuestionnaireForm, name, RadioField(question.text, choices=choices, validators=required))
        elif question.kind == "month_range":
            month = Regexp(MONTH_PATTERN, message="Use the form YYYY-MM, for example 2022-04.")
            setattr(QuestionnaireForm, f"{name}_from", StringField(
                "From (YYYY-MM)", validators=[Optional(), month],
                render_kw={"placeholder": "2021-03", "inputmode": "numeric"}))
            setattr(QuestionnaireForm, f"{name}_to", StringField(
                "To (YYYY-MM)", validators=[Optional(), month],
                render_kw={"placeholder": "2024-09", "inputmode": "numeric"}))
            setattr(QuestionnaireForm, f"{name}_unknown", BooleanField("I don't remember"))
        elif question.fact_key:
            # A fact (employer, job title) is a line, not an essay.
            setattr(QuestionnaireForm, name, StringField(
                question.text, validators=[*required, Length(max=200)], render_kw={"maxlength": 200}))
        else:
            setattr(QuestionnaireForm, name, TextAreaField(
                question.text, validators=[*required, Length(max=TEXT_LIMIT)],
                render_kw={"maxlength": TEXT_LIMIT, "rows": 4}))
    form = QuestionnaireForm(formdata=formdata) if formdata is not None else QuestionnaireForm()
    form.questions = questions  # type: ignore[attr-defined]
    return form


def read_answers(form: FlaskForm, questions: list[Question]) -> dict[str, Any]:
    """Return the answers keyed by question id, or raise CaseError naming the first gap."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = field_name(question)
        if question.kind == "month_range":
            start, end = form[f"{name}_from"].data, form[f"{name}_to"].data
            if form[f"{name}_unknown"].data:
                answers[str(question.id)] = UNKNOWN
            elif start and end:
                if end < start:
                    raise CaseError("The end cannot be before the start.", field=f"{name}_to")
                answers[str(question.id)] = {"from": start, "to": end}
            elif question.required:
                raise CaseError("Give both months, or tick \u201cI don't remember\u201d.",
                                field=f"{name}_from")
        else:
            value = form[name].data
            answers[str(question.id)] = value.strip() if isinstance(value, str) else value
    return answers


def facts_from(questions: list[Question], answers: dict[str, Any]) -> dict[str, str]:
    """Turn answers to fact-keyed questions into facts for cross-verification."""
    facts: dict[str, str] = {}
    for question in questions:
        value = answers.get(str(question.id))
        if not question.fact_key or value in (None, ""):
            continue
        if question.kind == "month_range":
            end_key = RANGE_ENDS.get(question.fact_key, question.fact_key + "_end")
            facts[question.fact_key] = value["from"] if isinstance(value, dict) else UNKNOWN
            facts[end_key] = value["to"] if isinstance(value, dict) else UNKNOWN
        else:
            facts[question.fact_key] = value
    return facts


def submit(referee: Referee, question_set: QuestionSet, answers: dict[str, Any], ip: str | None,
           now: dt.datetime) -> Response:
    """Store the answers sealed, exactly once; a second submission is refused."""
    if referee.state == "submitted":
        raise CaseError("We already have your answers. Thank you.")
    if referee.state not in ("invited", "opened"):
        raise CaseError("This reference request is closed.")
    if referee.attested_at is None:
        raise CaseError("Please confirm who you are before answering.")
    response = Response(referee_id=referee.id, data_key=referee.data_key, question_set_id=question_set.id,
                        started_at=referee.opened_at, submitted_at=now,
                        ip_hash=keyring().lookup_hash(ip) if ip else None)
    response.seal("answers_enc", {"answers": answers, "facts": facts_from(question_set.questions, answers)})
    db.session.add(response)
    # The unique referee_id stops a twin request at the database, whatever the timing.
    db.session.flush()
    _record_submission_signals(referee, response, len(question_set.questions), now)
    referee.state = "submitted"
    referee.finished_at = now
    access.revoke_referee_links(referee.id, now)
    audit.record("referee.submitted", f"referee:{referee.id}", referee.case_id, referee=referee.id,
                 question_set=question_set.id)
    return response


def _record_submission_signals(referee: Referee, response: Response, question_count: int,
                               now: dt.datetime) -> None:
    """Compare the submission's network and pace with the candidate's and other referees'."""
    consent = referee.case.consent
    candidate_ip = consent.unseal("ip_enc") if consent is not None else None
    others = db.session.execute(
        sa.select(Response.ip_hash).join(Referee, Referee.id == Response.referee_id)
        .where(Referee.case_id == referee.case_id, Referee.id != referee.id, Response.ip_hash.is_not(None))
    ).scalars().all()
    began = referee.attested_at or referee.opened_at
    for signal in fraud.submission_signals(
        response.ip_hash, keyring().lookup_hash(candidate_ip) if candidate_ip else None, list(others),
        (now - began).total_seconds() if began else None, question_count,
    ):
        db.session.add(FraudSignal(case_id=referee.case_id, referee=referee, rule=signal.rule,
                                   detail=signal.detail, created_at=now))


def attest(referee: Referee, now: dt.datetime) -> None:
    """Record that the referee confirmed their identity and the truth of their answers."""
    if referee.state not in ("invited", "opened"):
        raise CaseError("This reference request is closed.")
    referee.attested_at = now
    audit.record("referee.attested", f"referee:{referee.id}", referee.case_id, referee=referee.id)


def decline(referee: Referee, reason: str, call_requested: bool, now: dt.datetime) -> None:
    """Record that the referee will not answer; tell the candidate so they can name someone else."""
    if referee.state not in ("invited", "opened"):
        raise CaseError("This reference request is closed.")
    referee.state = "declined"
    referee.finished_at = now
    referee.call_requested = call_requested
    referee.seal("decline_reason_enc", reason.strip() or None)
    access.revoke_referee_links(referee.id, now)
    audit.record("referee.declined", f"referee:{referee.id}", referee.case_id, referee=referee.id,
                 call_requested=call_requested)
    case = referee.case
    mail.queue("referee_declined", case.candidate.email, case.data_key, case.id, case=case,
               name=case.candidate.name, relationship=RELATIONSHIPS[referee.relationship][0],
               call_requested=call_requested, base_url=current_app.config["BASE_URL"].rstrip("/"))


def mark_opened(referee: Referee, now: dt.datetime) -> None:
    """Note the first time a referee opens their form."""
    if referee.state == "invited":
        referee.state = "opened"
        referee.opened_at = now
        audit.record("referee.opened", f"referee:{referee.id}", referee.case_id, referee=referee.id)
