"""Referee answers: the published questions, and the commands to attest, answer, decline, correct, withdraw.

Answers are sealed and stored exactly once per referee; until the report is released the referee
may correct or withdraw them, and the frozen findings follow. The questionnaire's form lives with
the referee's pages (refcheck.web.referee).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, lazy_gettext

from . import access, audit, check_events, drafts, fraud, i18n, mail, review
from .cases import base_url
from .commands import Actor, CommandRefused, begin, referee_of
from .errors import CaseError
from .extensions import db
from .models import (
    CANCELLED,
    COLLECTING,
    RELEASED,
    WITHDRAWN,
    AccessLink,
    FraudSignal,
    QuestionSet,
    Referee,
    Response,
    keyring,
)
from .scope import RELATIONSHIPS, Scope
from .words import N_

UNKNOWN = "unknown"
# fact key of a month range's start -> fact key of its end.
RANGE_ENDS = {"start_month": "end_month", "worked_together_from": "worked_together_to"}
# The words a referee reads for a fact's choices; choice_options() writes them in the referee's language.
CHOICE_LABELS = {
    "relationship": {
        "manager": N_("I was their manager"), "peer": N_("We were peers"),
        "direct_report": N_("I reported to them"), "client": N_("I was their client"),
        "other": N_("Another relationship"),
    },
    "reason_for_leaving": {
        "resigned": N_("They resigned"), "contract_ended": N_("Their contract ended"),
        "laid_off": N_("They were laid off (redundancy)"), "dismissed": N_("They were dismissed"),
        "other": N_("Another reason"), "still_employed": N_("They still work there"),
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
    # A translation's words for a choice question's own choices; the stored values stay the source's.
    choice_labels: tuple[str, ...] | None = None


@dataclass(frozen=True, eq=False)
class PublishedSet:
    """A published question set with its questions, which never change (so requests share one copy)."""

    id: int
    key: str
    version: int
    relationship: str | None
    title: str
    published_at: dt.datetime | None
    questions: tuple[AskedQuestion, ...]
    # The language the words are in: a translation (refcheck.translated_sets) keeps the source's ids.
    language: str = "en"

    @property
    def family(self) -> str:
        """Return the name scopes use for this set's family and version."""
        return f"{self.key}-v{self.version}"


# Built once: composing the query costs more than running it, on every questionnaire and submission.
_PUBLISHED_IN_FAMILY = (
    sa.select(QuestionSet.id, QuestionSet.relationship, QuestionSet.published_at)
    .where(QuestionSet.key == sa.bindparam("key"), QuestionSet.version == sa.bindparam("version"),
           QuestionSet.state == "published", QuestionSet.translation_of_id.is_(None),
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
        raise CaseError(gettext("The questions for this reference are not available. Please contact us."))
    return _published(chosen.id, chosen.published_at)


def question_set_by_id(set_id: int) -> PublishedSet:
    """Return the set a referee's answers were given to."""
    row = db.session.execute(
        sa.select(QuestionSet.state, QuestionSet.published_at).where(QuestionSet.id == set_id)
    ).one()
    if row.state != "published":
        # Answers are only ever given to published sets; a draft could still change, so it is never kept.
        draft = db.session.execute(sa.select(QuestionSet).where(QuestionSet.id == set_id)).scalar_one()
        return _snapshot(draft)
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
    """Copy a set and its questions out of the session."""
    questions = tuple(
        AskedQuestion(id=q.id, position=q.position, text=q.text, kind=q.kind, fact_key=q.fact_key,
                      choices=tuple(q.choices) if q.choices is not None else None, required=q.required,
                      low_label=q.low_label, high_label=q.high_label)
        for q in question_set.questions
    )
    return PublishedSet(id=question_set.id, key=question_set.key, version=question_set.version,
                        relationship=question_set.relationship, title=question_set.title,
                        published_at=question_set.published_at, questions=questions,
                        language=question_set.language)


def field_name(question: AskedQuestion) -> str:
    """Name a question's form field."""
    return f"q{question.id}"


def choice_options(question: AskedQuestion) -> list[tuple[str, str]]:
    """Return the (value, words) a referee chooses from for a rating, yes/no or choice question.

    The words are in the language of the page; a translated set brings its own words for its choices.
    """
    if question.kind == "rating":
        return [(str(n), str(n)) for n in range(1, 6)] + [(UNKNOWN, gettext("I can't judge this"))]
    if question.kind == "yes_no":
        return [("yes", gettext("Yes")), ("no", gettext("No")), (UNKNOWN, gettext("I don't know"))]
    labels = (dict(zip(question.choices or (), question.choice_labels, strict=True)) if question.choice_labels
              else {c: gettext(words) for c, words in CHOICE_LABELS.get(question.fact_key or "", {}).items()})
    return ([(c, labels.get(c, c.replace("_", " ").capitalize())) for c in question.choices or []]
            + [(UNKNOWN, gettext("I don't know"))])


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


def open_link(case_id: int, actor: Actor, token: str, now: dt.datetime) -> str:
    """Let a referee in through their link and return their session's token; the first time, note it.

    The link and the request are looked at again under the case's lock: a request closed while the
    link was being opened (review started, declined, revoked) lets nobody in.
    """
    case = begin("referee.open", case_id, actor)
    referee = referee_of(case, actor)
    link = access.find_link(token, "referee", now, referee_id=referee.id)
    if link is None or referee.state not in ("invited", "opened", "submitted"):
        english = N_("We could not open your request: this link no longer works.")
        raise CommandRefused(gettext(english), "referee.open", case.state, "link", english=english)
    if referee.state == "invited":
        referee.state = "opened"
        referee.opened_at = now
        audit.record("referee.opened", actor.name, case.id, referee=referee.id)
    return access.start_session("referee", now, case_id=case.id, referee_id=referee.id)


def attest(case_id: int, actor: Actor, now: dt.datetime) -> Referee:
    """Record that the referee confirmed their identity and the truth of their answers."""
    case = begin("referee.attest", case_id, actor)
    referee = _still_asked(referee_of(case, actor))
    referee.attested_at = now
    audit.record("referee.attested", actor.name, case.id, referee=referee.id)
    return referee


def submit(case_id: int, actor: Actor, question_set: PublishedSet, answers: dict[str, Any], ip: str | None,
           now: dt.datetime) -> Response:
    """Store the answers sealed, exactly once, while answers are being collected."""
    case = begin("answers.submit", case_id, actor)
    referee = referee_of(case, actor)
    if referee.state == "submitted":
        raise CaseError(gettext("We already have your answers. Thank you."))
    _still_asked(referee)
    if referee.attested_at is None:
        raise CaseError(gettext("Please confirm who you are before answering."))
    ip_hash = keyring().lookup_hash(ip) if ip else None
    # Read before anything is added, so the answers, the signals and the referee go in one flush.
    signals = _submission_signals(referee, ip_hash, len(question_set.questions), now)
    response = Response(referee_id=referee.id, data_key=referee.data_key, question_set_id=question_set.id,
                        started_at=referee.opened_at, submitted_at=now, ip_hash=ip_hash,
                        language=question_set.language)
    response.seal("answers_enc", {"answers": answers, "facts": facts_from(question_set.questions, answers)})
    db.session.add(response)
    db.session.add_all(signals)
    referee.state = "submitted"
    referee.finished_at = now
    # The answers so far become the answers: nothing half-written is kept beside them.
    drafts.drop([referee.id])
    # The unique referee_id stops a twin at the database too, should anything get past the lock.
    db.session.flush()
    # The link stays open: until the report is released the referee may come back to read,
    # correct or withdraw what they said.
    audit.record("referee.submitted", actor.name, case.id, referee=referee.id, question_set=question_set.id)
    check_events.emit(case, check_events.REFEREE_ANSWERED, now)
    return response


def _still_asked(referee: Referee) -> Referee:
    """Refuse a referee whose request is no longer open (declined, withdrawn, closed, expired)."""
    if referee.state not in ("invited", "opened"):
        raise CaseError(gettext("This reference request is closed."))
    return referee


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
            ip_hash, keyring().lookup_hash(candidate_ip) if candidate_ip else None,
            [network for network in others if network is not None],
            (now - began).total_seconds() if began else None, question_count,
        )
    ]


def decline(case_id: int, actor: Actor, reason: str, call_requested: bool, now: dt.datetime) -> Referee:
    """Record that the referee will not answer; tell the candidate so they can name someone else."""
    case = begin("referee.decline", case_id, actor)
    referee = _still_asked(referee_of(case, actor))
    referee.state = "declined"
    referee.finished_at = now
    referee.call_requested = call_requested
    referee.seal("decline_reason_enc", reason.strip() or None)
    access.revoke_referee_links(referee.id, now)
    drafts.drop([referee.id])
    audit.record("referee.declined", actor.name, case.id, referee=referee.id, call_requested=call_requested)
    mail.queue("referee_declined", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language, case=case,
               name=case.candidate.name, relationship=lazy_gettext(RELATIONSHIPS[referee.relationship][0]),
               call_requested=call_requested, base_url=base_url())
    return referee


# ---------------------------------------------------------------- the referee's rights after answering

def locked_reason(referee: Referee) -> str | None:
    """Return why a referee's sent answers can no longer change ("released" or "stopped"), else None."""
    state = referee.case.state
    if state == RELEASED:
        return "released"
    if state in (WITHDRAWN, CANCELLED) or referee.case.is_closed:
        return "stopped"
    return None


def response_of(referee: Referee) -> Response:
    """Return the one sealed Response of a referee."""
    return db.session.execute(
        sa.select(Response).where(Response.referee_id == referee.id)
    ).scalar_one()


def _answered(referee: Referee) -> Response:
    """Return the referee's sealed answers; refuse when there are none to change."""
    if referee.state != "submitted":
        raise CaseError(gettext("There are no answers of yours to change."))
    return response_of(referee)


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
        return gettext("where 1 is \u201c%(low)s\u201d and 5 is \u201c%(high)s\u201d", low=question.low_label,
                       high=question.high_label)
    return gettext("where 1 is the lowest and 5 the highest")


def read_back(question_set: PublishedSet, answers: dict[str, Any]) -> list[tuple[AskedQuestion, str, str]]:
    """Return each question with the answer in the words the referee saw, and a hint (a rating's scale).

    Written in the language of the referee's page.
    """
    shown = []
    for question in question_set.questions:
        value, hint = answers.get(str(question.id)), ""
        if value in (None, ""):
            text = gettext("No answer")
        elif question.kind == "month_range":
            text = (i18n.period(value["from"], value["to"]) if isinstance(value, dict)
                    else gettext("I don't remember"))
        elif question.kind in ("rating", "yes_no", "choice"):
            text = dict(choice_options(question)).get(str(value), str(value))
            if question.kind == "rating" and value != UNKNOWN:
                text, hint = gettext("%(value)s of 5", value=value), rating_scale(question)
        else:
            text = str(value)
        shown.append((question, text, hint))
    return shown


def correct(case_id: int, actor: Actor, question_set: PublishedSet, answers: dict[str, Any],
            now: dt.datetime) -> Response:
    """Re-seal a referee's corrected answers into their one Response, and refresh frozen findings."""
    case = begin("answers.correct", case_id, actor)
    referee = referee_of(case, actor)
    response = _answered(referee)
    before = response.unseal("answers_enc")["answers"]
    changed = sum(1 for key in set(before) | set(answers) if before.get(key) != answers.get(key))
    response.question_set_id = question_set.id
    response.language = question_set.language
    response.seal("answers_enc", {"answers": answers, "facts": facts_from(question_set.questions, answers)})
    # How many answers changed, never what they say.
    audit.record("referee.corrected", actor.name, case.id, referee=referee.id, changed=changed)
    if changed:
        review.refresh_findings(case, actor.name, now)
    return response


def withdraw(case_id: int, actor: Actor, now: dt.datetime) -> None:
    """Delete a referee's answers at their request and tell the candidate, who may name someone else."""
    case = begin("answers.withdraw", case_id, actor)
    referee = referee_of(case, actor)
    response = _answered(referee)
    db.session.delete(response)
    drafts.drop([referee.id])
    referee.state = "withdrawn"
    referee.finished_at = now
    access.revoke_referee_links(referee.id, now)
    audit.record("referee.withdrawn", actor.name, case.id, referee=referee.id)
    review.refresh_findings(case, actor.name, now)
    mail.queue("referee_withdrew", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language, case=case,
               name=case.candidate.name, relationship=lazy_gettext(RELATIONSHIPS[referee.relationship][0]),
               can_replace=case.state == COLLECTING, base_url=base_url())


def link_expires(referee: Referee, now: dt.datetime) -> dt.datetime | None:
    """Return when the referee's live link stops working, or None when none is live."""
    return db.session.execute(
        sa.select(sa.func.max(AccessLink.expires_at))
        .where(AccessLink.referee_id == referee.id, AccessLink.revoked_at.is_(None),
               AccessLink.expires_at > now)
    ).scalar_one_or_none()
