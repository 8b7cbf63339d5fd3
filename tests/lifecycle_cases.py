"""Cases built through the commands into any state, with the rows each command needs to act on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from refcheck import answers, cases, enquiries, referees, report, review
from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import Claim, Finding, FraudSignal, Referee, StaffUser, utcnow
from refcheck.scope import Scope

from .conftest import CANDIDATE, default_scope

CLAIM = referees.ClaimFacts(employer="Northwind Analytics Ltd", title="Senior Data Engineer",
                            start_month="2022-01", end_month="2024-06", reason_for_leaving="resigned")
PEOPLE = {
    "manager": referees.RefereeDetails("Grace Lindqvist", "grace@northwind.example", "Northwind Analytics",
                                       "Head of Data", "manager", "2022-01", "2024-06"),
    "peer": referees.RefereeDetails("Tomás Ibarra", "tomas@northwind.example", "Northwind Analytics Ltd",
                                    "Data Engineer", "peer", "2022-03", "2024-06"),
    # A personal address: the nomination raises a fraud signal for staff to handle.
    "extra": referees.RefereeDetails("Wei Chen", "wei.chen@gmail.com", "Northwind Analytics Ltd",
                                     "Analytics Engineer", "client", "2022-06", "2024-06"),
    "another": referees.RefereeDetails("Sara Holm", "sara@northwind.example", "Northwind Analytics Ltd",
                                       "Data Lead", "peer", "2022-06", "2024-06"),
}


@dataclass
class Built:
    """A case in a known state and the ids its commands act on."""

    case_id: int
    staff: Actor
    candidate: Actor
    referees: dict[str, str] = field(default_factory=dict)
    claim_id: str | None = None
    # Live link tokens: the candidate's (every state but draft) and each invited referee's.
    tokens: dict[str, str] = field(default_factory=dict)
    finding_id: str | None = None
    signal_id: int | None = None
    # A question the candidate asked their contact (every state but draft), not yet answered.
    enquiry_id: str | None = None

    def referee(self, role: str) -> Actor:
        """Return one of the case's referees as an actor."""
        return Actor.referee(self.referees.get(role, "nobody"), self.case_id)


def consistent_answers(question_set: answers.PublishedSet,
                       details: referees.RefereeDetails) -> dict[str, Any]:
    """Answer every question as the claim and the nomination say, so nothing is in conflict."""
    given: dict[str, Any] = {}
    for question in question_set.questions:
        key = str(question.id)
        if question.kind == "rating":
            given[key] = "4"
        elif question.kind == "yes_no":
            given[key] = "yes"
        elif question.fact_key == "relationship":
            given[key] = details.relationship
        elif question.fact_key == "reason_for_leaving":
            given[key] = CLAIM.reason_for_leaving
        elif question.fact_key == "worked_together_from":
            given[key] = {"from": details.worked_from, "to": details.worked_to}
        elif question.fact_key == "start_month":
            given[key] = {"from": CLAIM.start_month, "to": CLAIM.end_month}
        elif question.fact_key == "employer":
            given[key] = CLAIM.employer
        elif question.fact_key == "title":
            given[key] = CLAIM.title
        else:
            given[key] = "Careful, reliable work."
    return given


def _commit(value: Any = None) -> Any:
    db.session.commit()
    return value


def build(app: Any, staff_id: int, state: str, case_id: int | None = None) -> Built:
    """Take a new case (or the draft `case_id`) to `state` through the commands, committing each step as a
    page would."""
    built = _build(app, staff_id, state, case_id)
    if state != "draft":
        with app.app_context():
            built.tokens["candidate"] = _commit(cases.send_new_link(built.case_id, Actor.system(), utcnow()))
            built.enquiry_id = _commit(enquiries.ask(built.case_id, built.candidate, "question",
                                                     "When will my referees be asked?", utcnow()).id)
    return built


def _build(app: Any, staff_id: int, state: str, case_id: int | None) -> Built:
    """Take a new case, or a draft already opened, to `state`; `build` adds a fresh candidate link."""
    with app.app_context():
        staff = Actor.staff(db.session.get(StaffUser, staff_id))
        if case_id is None:
            details = cases.CaseDetails(*CANDIDATE, "Senior Data Engineer", "Northwind Analytics Ltd",
                                        "To confirm work history.", None)
            case_id = _commit(cases.open_case(details, default_scope(), staff, utcnow()).id)
        built = Built(case_id, staff, Actor.candidate(case_id))
        if state == "draft":
            return built
        _commit(cases.invite_candidate(case_id, staff, utcnow()))
        if state == "awaiting_consent":
            return built
        if state == "declined":
            _commit(cases.decline_consent(case_id, built.candidate, "", None, None, utcnow()))
            return built
        _commit(cases.grant_consent(case_id, built.candidate, CANDIDATE[0], "198.51.100.1", "test",
                                    utcnow()))
        built.claim_id = _commit(referees.save_claim(case_id, built.candidate, CLAIM, utcnow()).id)
        for role in ("manager", "peer"):
            built.referees[role] = _commit(
                referees.nominate(case_id, built.candidate, PEOPLE[role], utcnow()).id)
        if state == "nominating":
            built.referees["extra"] = _commit(
                referees.nominate(case_id, built.candidate, PEOPLE["extra"], utcnow()).id)
            return _with_signal(built)
        invited = referees.send_invitations(case_id, built.candidate, utcnow())
        by_id = {referee.id: token for referee, token in invited}
        db.session.commit()
        built.tokens.update({role: by_id[referee_id] for role, referee_id in built.referees.items()})
        scope = Scope.from_json(default_scope().to_json())
        for role in ("manager", "peer"):
            _commit(answers.open_link(case_id, built.referee(role), built.tokens[role], utcnow()))
            _commit(answers.attest(case_id, built.referee(role), utcnow() - dt.timedelta(minutes=20)))
        question_set = answers.question_set_for(scope, "manager")
        _commit(answers.submit(case_id, built.referee("manager"), question_set,
                               consistent_answers(question_set, PEOPLE["manager"]), None, utcnow()))
        built.referees["extra"] = _commit(
            referees.nominate(case_id, built.candidate, PEOPLE["extra"], utcnow()).id)
        _with_signal(built)
        if state == "collecting":
            return built
        if state in ("withdrawn", "cancelled"):
            if state == "withdrawn":
                _commit(cases.withdraw_consent(case_id, built.candidate, "", utcnow()))
            else:
                _commit(cases.cancel_case(case_id, staff, "The role was withdrawn.", utcnow()))
            return built
        _commit(review.start_review(case_id, staff, utcnow()))
        built.finding_id = db.session.execute(
            sa.select(Finding.id).where(Finding.case_id == case_id).order_by(Finding.position)
        ).scalars().first()
        open_conflicts = db.session.execute(sa.select(Finding.id).where(
            Finding.case_id == case_id, Finding.status == "conflict")).scalars().all()
        assert open_conflicts == [], "the built answers were meant to agree with the claim"
        if state == "review":
            return built
        _commit(review.send_to_candidate(case_id, staff, utcnow()))
        for signal_id in db.session.execute(
                sa.select(FraudSignal.id).where(FraudSignal.case_id == case_id)).scalars().all():
            _commit(review.resolve_signal(case_id, staff, signal_id, "Checked by phone."))
        if state == "candidate_review":
            return built
        _commit(report.release(case_id, staff, utcnow()))
        assert state == "released", state
        return built


def _with_signal(built: Built) -> Built:
    """Note the fraud signal the personal address raised, and check the claim is there."""
    built.signal_id = db.session.execute(
        sa.select(FraudSignal.id).where(FraudSignal.case_id == built.case_id)).scalars().first()
    assert built.signal_id is not None
    assert db.session.get(Claim, built.claim_id) is not None
    assert db.session.execute(sa.select(sa.func.count()).select_from(Referee).where(
        Referee.case_id == built.case_id)).scalar_one() >= 3
    return built
