"""Referee answers: the questionnaire, sealed submission once, correction or withdrawal until release."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from . import access, audit, fraud, mail, review
from .cases import CaseError
from .extensions import db
from .forms import MONTH, MONTH_INPUT, ONE_LINE
from .models import (
    CANCELLED,
    COLLECTING,
    RELEASED,
    WITHDRAWN,
    AccessLink,
    Case,
    FraudSignal,
    QuestionSet,
    Referee,
    Response,
    keyring,
)
from .months import MONTH_HINT, normalise_month
from .scope import RELATIONSHIPS, Scope, month_name

UNKNOWN = "unknown"
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


@dataclass(frozen=True)
class AskedQuestion:
    """One question of a published set, copied out of the database so requests can share it."""

    id: int
    position: int
    text: str
    kind: str
    fact_key: str | None
    choices: tuple[str, ...] | None
    required: bool
    low_label: str | None
    high_label: str | None


@dataclass(frozen=True, eq=False)
class PublishedSet:
    """A published question set with its questions and its form class, which never change."""

    id: int
    key: str
    version: int
    relationship: str | None
    title: str
    published_at: dt.datetime | None
    questions: tuple[AskedQuestion, ...]
    form_class: type[FlaskForm]

    @property
    def family(self) -> str:
        """Return the name scopes use for this set's family and version."""
        return f"{self.key}-v{self.version}"


# Built once: composing the query costs more than running it, on every questionnaire and submission.
_PUBLISHED_IN_FAMILY = (
    sa.select(QuestionSet.id, QuestionSet.relationship, QuestionSet.published_at)
    .where(QuestionSet.key == sa.bindparam("key"), QuestionSet.version == sa.bindparam("version"),
           QuestionSet.state == "published",
           sa.or_(QuestionSet.relationship == sa.bindparam("relationship"),
                  QuestionSet.relationship.is_(None)))
)


def question_set_for(scope: Scope, relationship: str) -> PublishedSet:
    """Return the published set of the scope's family for a relationship, or the family's general set."""
    key, _, version = scope.question_set.rpartition("-v")
    # Only which sets exist is asked every time: a relationship's own set may be published later
    # in the same family and version, and from then on it is the one its referees answer.
    rows = db.session.execute(
        _PUBLISHED_IN_FAMILY, {"key": key, "version": int(version or 0), "relationship": relationship}
    ).all()
    chosen = next((r for r in rows if r.relationship == relationship), None) or next(
        (r for r in rows if r.relationship is None), None)
    if chosen is None:
        raise CaseError("The questions for this reference are not available. Please contact us.")
    return _published(chosen.id, chosen.published_at)


def question_set_by_id(set_id: int) -> PublishedSet:
    """Return the set a referee's answers were given to."""
    row = db.session.execute(
        sa.select(QuestionSet.state, QuestionSet.published_at).where(QuestionSet.id == set_id)
    ).one()
    if row.state != "published":
        # Answers are only ever given to published sets; a draft could still change, so it is never kept.
        return _snapshot(db.session.get(QuestionSet, set_id))
    return _published(set_id, row.published_at)


def _published(set_id: int, published_at: dt.datetime | None) -> PublishedSet:
    """Return the process's copy of a published set, loading it on first use.

    A published set never changes (question_editor refuses), so its copy serves every request
    of this app. The publication time must match as well, so that a rebuilt database reusing an
    id is never answered from a copy of the old one.
    """
    cache: dict[int, PublishedSet] = current_app.extensions.setdefault("refcheck.published_sets", {})
    copy = cache.get(set_id)
    if copy is None or copy.published_at != published_at:
        question_set = db.session.execute(
            sa.select(QuestionSet).options(sa.orm.selectinload(QuestionSet.questions))
            .where(QuestionSet.id == set_id)
        ).scalar_one()
        copy = cache[set_id] = _snapshot(question_set)
    return copy


def _snapshot(question_set: QuestionSet) -> PublishedSet:
    """Copy a set and its questions out of the session and build its form class."""
    questions = tuple(
        AskedQuestion(id=q.id, position=q.position, text=q.text, kind=q.kind, fact_key=q.fact_key,
                      choices=tuple(q.choices) if q.choices is not None else None, required=q.required,
                      low_label=q.low_label, high_label=q.high_label)
        for q in question_set.questions
    )
    return PublishedSet(id=question_set.id, key=question_set.key, version=question_set.version,
                        relationship=question_set.relationship, title=question_set.title,
                        published_at=question_set.published_at, questions=questions,
                        form_class=_questionnaire_class(questions))


def field_name(question: AskedQuestion) -> str:
    """Name a question's form field."""
    return f"q{question.id}"


def _questionnaire_class(questions: tuple[AskedQuestion, ...]) -> type[FlaskForm]:
    """Build the form class of a question set; classes hold no request data, so one serves every request."""

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
            setattr(QuestionnaireForm, f"{name}_from", StringField(
                "From", validators=[Optional(), MONTH], filters=[normalise_month],
                description=MONTH_HINT, render_kw=MONTH_INPUT))
            setattr(QuestionnaireForm, f"{name}_to", StringField(
                "To", validators=[Optional(), MONTH], filters=[normalise_month],
                description=MONTH_HINT, render_kw=MONTH_INPUT))
            setattr(QuestionnaireForm, f"{name}_unknown", BooleanField("I don't remember"))
        elif question.fact_key:
            # A fact (employer, job title) is a line, not an essay.
            setattr(QuestionnaireForm, name, StringField(
                question.text, validators=[*required, Length(max=200), ONE_LINE],
                render_kw={"maxlength": 200}))
        else:
            setattr(QuestionnaireForm, name, TextAreaField(
                question.text, validators=[*required, Length(max=TEXT_LIMIT)],
                render_kw={"maxlength": TEXT_LIMIT, "rows": 4}))
    return QuestionnaireForm


def build_form(question_set: PublishedSet, formdata: Any = None,
               data: dict[str, Any] | None = None) -> FlaskForm:
    """Return the set's questionnaire bound to the request.

    `data` pre-fills the form (a correction starts from the sealed answers); a posted form ignores it.
    The form is `blank` when nothing of the referee's can be in it: no data given and nothing posted.
    """
    if formdata is not None:
        form = question_set.form_class(formdata=formdata)
    elif data is not None:
        form = question_set.form_class(data=data)
    else:
        form = question_set.form_class()
    form.questions = list(question_set.questions)  # type: ignore[attr-defined]
    form.blank = formdata is None and data is None and not form.is_submitted()  # type: ignore[attr-defined]
    return form


def read_answers(form: FlaskForm, questions: Sequence[AskedQuestion]) -> dict[str, Any]:
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


def facts_from(questions: Sequence[AskedQuestion], answers: dict[str, Any]) -> dict[str, str]:
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


def submit(referee: Referee, question_set: PublishedSet, answers: dict[str, Any], ip: str | None,
           now: dt.datetime) -> Response:
    """Store the answers sealed, exactly once; a second submission is refused."""
    if referee.state == "submitted":
        raise CaseError("We already have your answers. Thank you.")
    if referee.state not in ("invited", "opened"):
        raise CaseError("This reference request is closed.")
    if referee.attested_at is None:
        raise CaseError("Please confirm who you are before answering.")
    ip_hash = keyring().lookup_hash(ip) if ip else None
    # Read before anything is added, so the answers, the signals and the referee go in one flush.
    signals = _submission_signals(referee, ip_hash, len(question_set.questions), now)
    response = Response(referee_id=referee.id, data_key=referee.data_key, question_set_id=question_set.id,
                        started_at=referee.opened_at, submitted_at=now, ip_hash=ip_hash)
    response.seal("answers_enc", {"answers": answers, "facts": facts_from(question_set.questions, answers)})
    db.session.add(response)
    db.session.add_all(signals)
    referee.state = "submitted"
    referee.finished_at = now
    # The unique referee_id stops a twin request at the database, whatever the timing.
    db.session.flush()
    # The link stays open: until the report is released the referee may come back to read,
    # correct or withdraw what they said.
    audit.record("referee.submitted", f"referee:{referee.id}", referee.case_id, referee=referee.id,
                 question_set=question_set.id)
    return response


# Built once: composing the query costs more than running it, on every submission.
_OTHER_REFEREES_NETWORKS = (
    sa.select(Response.ip_hash).join(Referee, Referee.id == Response.referee_id)
    .where(Referee.case_id == sa.bindparam("case_id"), Referee.id != sa.bindparam("referee_id"),
           Response.ip_hash.is_not(None))
)


def _submission_signals(referee: Referee, ip_hash: str | None, question_count: int,
                        now: dt.datetime) -> list[FraudSignal]:
    """Compare the submission's network and pace with the candidate's and other referees'."""
    consent = referee.case.consent
    candidate_ip = consent.unseal("ip_enc") if consent is not None else None
    others = db.session.execute(
        _OTHER_REFEREES_NETWORKS, {"case_id": referee.case_id, "referee_id": referee.id}
    ).scalars().all()
    began = referee.attested_at or referee.opened_at
    return [
        FraudSignal(case_id=referee.case_id, referee=referee, rule=signal.rule, detail=signal.detail,
                    created_at=now)
        for signal in fraud.submission_signals(
            ip_hash, keyring().lookup_hash(candidate_ip) if candidate_ip else None, list(others),
            (now - began).total_seconds() if began else None, question_count,
        )
    ]


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


# ---------------------------------------------------------------- the referee's rights after answering

def locked_reason(referee: Referee) -> str | None:
    """Return why a referee's sent answers can no longer change ("released" or "stopped"), else None."""
    state = referee.case.state
    if state == RELEASED:
        return "released"
    if state in (WITHDRAWN, CANCELLED) or referee.case.is_closed:
        return "stopped"
    return None


def _changeable_response(referee: Referee) -> Response:
    """Return the referee's sealed answers if they may still change; refuse with a reason otherwise."""
    if referee.state != "submitted":
        raise CaseError("There are no answers of yours to change.")
    reason = locked_reason(referee)
    if reason == "released":
        raise CaseError("The report has been released, so your answers can no longer be changed.")
    if reason == "stopped":
        raise CaseError("This check has stopped, so your answers can no longer be changed.")
    return response_of(referee)


def response_of(referee: Referee) -> Response:
    """Return the one sealed Response of a referee."""
    return db.session.execute(
        sa.select(Response).where(Response.referee_id == referee.id)
    ).scalar_one()


def prefill(questions: Sequence[AskedQuestion], answers: dict[str, Any]) -> dict[str, Any]:
    """Turn sealed answers back into form data, so a correction starts from what was sent."""
    data: dict[str, Any] = {}
    for question in questions:
        name, value = field_name(question), answers.get(str(question.id))
        if question.kind == "month_range":
            if isinstance(value, dict):
                data[f"{name}_from"], data[f"{name}_to"] = value.get("from"), value.get("to")
            data[f"{name}_unknown"] = value == UNKNOWN
        elif value is not None:
            data[name] = value
    return data


def rating_scale(question: AskedQuestion) -> str:
    """Describe both ends of a rating's scale, so a number read back alone still means something."""
    if question.low_label and question.high_label:
        return f"where 1 is \u201c{question.low_label}\u201d and 5 is \u201c{question.high_label}\u201d"
    return "where 1 is the lowest and 5 the highest"


def read_back(question_set: PublishedSet, answers: dict[str, Any]) -> list[tuple[AskedQuestion, str, str]]:
    """Return each question with the answer in the words the referee saw, and a hint (a rating's scale)."""
    form = build_form(question_set, data=prefill(question_set.questions, answers))
    shown = []
    for question in question_set.questions:
        value, hint = answers.get(str(question.id)), ""
        if value in (None, ""):
            text = "No answer"
        elif question.kind == "month_range":
            text = (f"{month_name(value['from'])} to {month_name(value['to'])}" if isinstance(value, dict)
                    else "I don't remember")
        elif question.kind in ("rating", "yes_no", "choice"):
            labels = {str(option.data): option.label.text for option in form[field_name(question)]}
            text = labels.get(str(value), str(value))
            if question.kind == "rating" and value != UNKNOWN:
                text, hint = f"{value} of 5", rating_scale(question)
        else:
            text = str(value)
        shown.append((question, text, hint))
    return shown


def correct(referee: Referee, question_set: PublishedSet, answers: dict[str, Any],
            now: dt.datetime) -> Response:
    """Re-seal a referee's corrected answers into their one Response, and refresh frozen findings."""
    response = _changeable_response(referee)
    before = response.unseal("answers_enc")["answers"]
    changed = sum(1 for key in set(before) | set(answers) if before.get(key) != answers.get(key))
    response.question_set_id = question_set.id
    response.seal("answers_enc", {"answers": answers, "facts": facts_from(question_set.questions, answers)})
    actor = f"referee:{referee.id}"
    # How many answers changed, never what they say.
    audit.record("referee.corrected", actor, referee.case_id, referee=referee.id, changed=changed)
    if changed:
        review.refresh_findings(referee.case, actor, now)
    return response


def withdraw(referee: Referee, now: dt.datetime) -> None:
    """Delete a referee's answers at their request and tell the candidate, who may name someone else."""
    response = _changeable_response(referee)
    db.session.delete(response)
    referee.state = "withdrawn"
    referee.finished_at = now
    access.revoke_referee_links(referee.id, now)
    actor = f"referee:{referee.id}"
    audit.record("referee.withdrawn", actor, referee.case_id, referee=referee.id)
    case: Case = referee.case
    review.refresh_findings(case, actor, now)
    mail.queue("referee_withdrew", case.candidate.email, case.data_key, case.id, case=case,
               name=case.candidate.name, relationship=RELATIONSHIPS[referee.relationship][0],
               can_replace=case.state == COLLECTING, base_url=current_app.config["BASE_URL"].rstrip("/"))


def close_referee_links(case: Case, now: dt.datetime) -> None:
    """Revoke every referee link of a case whose answers are now final."""
    db.session.execute(
        sa.update(AccessLink)
        .where(AccessLink.case_id == case.id, AccessLink.purpose == "referee",
               AccessLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def link_expires(referee: Referee, now: dt.datetime) -> dt.datetime | None:
    """Return when the referee's live link stops working, or None when none is live."""
    return db.session.execute(
        sa.select(sa.func.max(AccessLink.expires_at))
        .where(AccessLink.referee_id == referee.id, AccessLink.revoked_at.is_(None),
               AccessLink.expires_at > now)
    ).scalar_one_or_none()
