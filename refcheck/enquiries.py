"""The candidate's named contact: questions and concerns asked from the portal, and staff's answers.

Commands (lock the case, check state and actor, never commit) and the read-only look-ups the
staff list and the timeline use.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, lazy_gettext

from . import audit, i18n, mail, organisations
from .cases import base_url
from .commands import Actor, begin
from .errors import CaseError
from .extensions import db
from .models import ENQUIRY_KINDS, Case, Enquiry, StaffUser
from .review import add_working_days

TEXT_LIMIT = 2000
KIND_WORDS = {"question": lazy_gettext("Question"), "concern": lazy_gettext("Concern")}


def ask(case_id: int, actor: Actor, kind: str, text: str, now: dt.datetime) -> Enquiry:
    """Record the candidate's question or concern, sealed, with the date they are told to expect an answer."""
    case = begin("enquiry.ask", case_id, actor)
    text = (text or "").strip()
    if kind not in ENQUIRY_KINDS:
        raise CaseError(gettext("Choose whether this is a question or a concern."), field="kind")
    if not text:
        raise CaseError(gettext("Write your question, so your contact knows what to answer."), field="text")
    if len(text) > TEXT_LIMIT:
        raise CaseError(gettext("Please keep it under %(limit)s characters.",
                                limit=i18n.thousands(TEXT_LIMIT)), field="text")
    enquiry = Enquiry(case_id=case.id, data_key=case.data_key, kind=kind, asked_at=now,
                      answer_by=answer_by(now))
    db.session.add(enquiry)
    enquiry.seal("text_enc", text)
    audit.record("enquiry.asked", actor.name, case.id, enquiry=enquiry.id, kind=kind)
    # The contact learns there is something to answer, not what: the text stays behind sign-in.
    mail.queue("enquiry_asked", case.contact.email, case.data_key, case.id, case=case, about=kind,
               answer_by=enquiry.answer_by, base_url=base_url())
    return enquiry


def answer(case_id: int, actor: Actor, enquiry_id: str, text: str, now: dt.datetime) -> Enquiry:
    """Record staff's answer to one of the case's enquiries, once, and tell the candidate it is there."""
    case = begin("enquiry.answer", case_id, actor)
    enquiry = db.session.get(Enquiry, enquiry_id)
    if enquiry is None or enquiry.case_id != case.id:
        raise CaseError("That question is not on this case.")
    if enquiry.answered_at is not None:
        raise CaseError("That question has already been answered; the candidate can read the answer.")
    text = (text or "").strip()
    if not text:
        raise CaseError("Write the answer the candidate will read.", field="text")
    if len(text) > TEXT_LIMIT:
        raise CaseError(f"Please keep the answer under {TEXT_LIMIT:,} characters.", field="text")
    enquiry.seal("answer_enc", text)
    enquiry.answered_at = now
    enquiry.answered_by_id = actor.staff_id
    audit.record("enquiry.answered", actor.name, case.id, enquiry=enquiry.id)
    mail.queue("enquiry_answered", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language, case=case,
               name=case.candidate.name, contact=case.contact.name, base_url=base_url())
    return enquiry


def set_contact(case_id: int, actor: Actor, staff_id: int, now: dt.datetime) -> StaffUser:
    """Name the verifier the candidate sees as their contact: an active member of staff."""
    case = begin("case.contact", case_id, actor)
    person = db.session.get(StaffUser, staff_id)
    if person is None or not person.active or not organisations.may_use(person, case.organisation_id) \
            or person.is_client:
        raise CaseError("Choose an active member of staff who works on this organisation's cases.")
    case.contact_id = person.id
    audit.record("case.contact_named", actor.name, case.id, staff=person.id)
    return person


def answer_by(asked: dt.datetime) -> dt.datetime:
    """Return when a question asked at `asked` is to be answered, at the configured pace."""
    return add_working_days(asked, current_app.config["ENQUIRY_WORKING_DAYS"])


def of_case(case_id: int) -> list[Enquiry]:
    """Return a case's enquiries, oldest first, with who answered each (one more query, not one each)."""
    return list(db.session.execute(
        sa.select(Enquiry).options(sa.orm.selectinload(Enquiry.answered_by))
        .where(Enquiry.case_id == case_id).order_by(Enquiry.asked_at, Enquiry.id)
    ).scalars())


def open_on_case() -> sa.ColumnElement[bool]:
    """Filter the cases with a question still to answer (the index on case and answered_at serves it)."""
    return sa.exists().where(Enquiry.case_id == Case.id, Enquiry.answered_at.is_(None))


def cases_waiting(visible: sa.ColumnElement[bool] | None = None) -> int:
    """Count the cases (of those `visible` picks) with a question to answer, by the answered_at index."""
    query = sa.select(sa.func.count(sa.distinct(Enquiry.case_id))).where(Enquiry.answered_at.is_(None))
    if visible is not None:
        query = query.join(Case, Case.id == Enquiry.case_id).where(visible)
    return db.session.execute(query).scalar_one()
