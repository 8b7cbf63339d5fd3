"""Seed demo cases through the real services, so a newcomer can click through at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import current_app

from . import accounts, answers, cases, referees, report, review
from .extensions import db
from .models import Case, FraudSignal, QuestionSet, Referee, StaffUser, utcnow
from .scope import Scope

DEMO_STAFF_EMAIL = "verifier@refcheck.example"
DEMO_CANDIDATE = ("Amira Okafor", "amira.okafor@candidate.example")
FRESH_CANDIDATE = ("Jonah Mensah", "jonah.mensah@candidate.example")
REVIEW_CANDIDATE = ("Lucía Fernández", "lucia.fernandez@candidate.example")
RELEASED_CANDIDATE = ("Kwame Asante", "kwame.asante@candidate.example")
CLAIM = referees.ClaimFacts(
    employer="Northwind Analytics Ltd", title="Senior Data Engineer", start_month="2021-09",
    end_month="2025-08", reason_for_leaving="resigned",
    responsibilities="Led the move of the reporting platform to streaming pipelines.",
)
PREVIOUS_CLAIM = referees.ClaimFacts(
    employer="Contoso Retail plc", title="Data Engineer", start_month="2019-02", end_month="2021-08",
    reason_for_leaving="resigned",
)
# name, email, organisation, title, relationship; the last one has not answered yet.
REFEREES = [
    ("Grace Lindqvist", "grace.lindqvist@northwind-analytics.example", "Northwind Analytics Ltd",
     "Head of Data", "manager"),
    ("Tomás Ibarra", "tomas.ibarra@northwind-analytics.example", "Northwind Analytics Ltd",
     "Data Engineer", "peer"),
    ("Wei Chen", "wei.chen@northwind-analytics.example", "Northwind Analytics Ltd",
     "Analytics Engineer", "direct_report"),
    ("Sara Holm", "sara.holm@contoso-retail.example", "Contoso Retail plc", "Engineering Manager", "peer"),
]


def seed(password: str) -> dict[str, Any]:
    """Create (or refresh) the demo staff account, a case with referees, and a fresh case."""
    now = utcnow()
    staff = _demo_staff(password)
    case, candidate_token = _running_case(staff, now, DEMO_CANDIDATE)
    referee_urls = _referees_answer(case, now)
    to_review, _ = _running_case(staff, now, REVIEW_CANDIDATE)
    _referees_answer(to_review, now, everyone=True)
    released, released_token = _running_case(staff, now, RELEASED_CANDIDATE)
    _referees_answer(released, now, everyone=True)
    _review_and_release(released, staff, now)
    fresh = cases.open_case(_details(FRESH_CANDIDATE, "Product Analyst"), _scope(now), staff, now)
    fresh_token = cases.invite_candidate(fresh, staff, now)
    base = current_app.config["BASE_URL"].rstrip("/")
    return {
        "case_id": case.id,
        "case_reference": case.reference,
        "staff_email": DEMO_STAFF_EMAIL,
        "staff_password": password,
        "staff_login_url": f"{base}/staff/login",
        "candidate_name": DEMO_CANDIDATE[0],
        "candidate_email": DEMO_CANDIDATE[1],
        "candidate_url": f"{base}/c/{case.id}/{candidate_token}",
        "referee_urls": referee_urls,
        "consent_case_id": fresh.id,
        "consent_candidate_name": FRESH_CANDIDATE[0],
        "consent_url": f"{base}/c/{fresh.id}/{fresh_token}",
        "review_case_id": to_review.id,
        "released_case_id": released.id,
        "released_candidate_url": f"{base}/c/{released.id}/{released_token}",
    }


def _demo_staff(password: str) -> StaffUser:
    """Return the demo staff account with a fresh password."""
    staff = db.session.execute(
        sa.select(StaffUser).where(StaffUser.email == DEMO_STAFF_EMAIL)
    ).scalar_one_or_none()
    if staff is None:
        return accounts.create_staff(DEMO_STAFF_EMAIL, "Dana Verifier", "admin", password, "demo")
    staff.active = True
    accounts.set_password(staff, password, "demo")
    return staff


def _scope(now: dt.datetime) -> Scope:
    """Return the demo scope: at least a manager and a peer, up to four referees."""
    period_to = now.date().replace(day=1)
    return Scope(
        checks=("references", "employment_history"), min_referees=3, max_referees=4,
        relationships={"manager": 1, "peer": 1, "direct_report": 0},
        period_from=f"{period_to.year - 7}-{period_to.month:02d}",
        period_to=period_to.strftime("%Y-%m"), question_set="standard-v1",
        report_recipients="Priya Shah, Head of Talent at Fabrikam Health Analytics",
        retention_days=180,
    )


def _details(who: tuple[str, str], position: str) -> cases.CaseDetails:
    """Return the demo case details for a candidate."""
    return cases.CaseDetails(
        candidate_name=who[0], candidate_email=who[1], position=position,
        hiring_organisation="Fabrikam Health Analytics",
        purpose=f"To confirm your recent work history and hear from people you have worked with, "
                f"before Fabrikam Health Analytics confirms its offer of {position}.",
        due_date=(utcnow() + dt.timedelta(days=14)).date(),
    )


def _running_case(staff: StaffUser, now: dt.datetime, who: tuple[str, str]) -> tuple[Case, str]:
    """Open a case a week ago that the candidate consented to, with claims and referees."""
    start = now - dt.timedelta(days=7)
    case = cases.open_case(_details(who, "Senior Data Engineer"), _scope(now), staff, start)
    token = cases.invite_candidate(case, staff, start)
    cases.grant_consent(case, who[0], None, "demo", start + dt.timedelta(hours=3))
    actor = cases.candidate_actor(case)
    for claim in (PREVIOUS_CLAIM, CLAIM):
        referees.save_claim(case, claim, actor, start + dt.timedelta(hours=4))
    for name, email, organisation, title, relationship in REFEREES:
        worked_from = "2019-03" if organisation.startswith("Contoso") else "2021-10"
        worked_to = "2021-08" if organisation.startswith("Contoso") else "2025-08"
        referees.nominate(case, referees.RefereeDetails(name, email, organisation, title, relationship,
                                                        worked_from, worked_to),
                          "candidate", actor, start + dt.timedelta(hours=5))
    referees.send_invitations(case, actor, start + dt.timedelta(hours=6))
    # Consent was given through the service, so the emailed link is still unused: the newcomer opens it.
    return case, token


def _referees_answer(case: Case, now: dt.datetime, everyone: bool = False) -> list[str]:
    """Have referees answer (one remembers the title and dates differently); return the others' links."""
    base = current_app.config["BASE_URL"].rstrip("/")
    pending = []
    for index, referee in enumerate(referees.active_referees(case)):
        name = referee.details["name"]
        if name == REFEREES[-1][0] and not everyone:
            token = referees.resend(referee, "demo", now)
            pending.append(f"{base}/r/{referee.id}/{token}")
            continue
        opened = now - dt.timedelta(days=5 - index)
        answers.mark_opened(referee, opened)
        answers.attest(referee, opened + dt.timedelta(minutes=1))
        question_set = answers.question_set_for(Scope.from_json(case.consent.scope), referee.relationship)
        mismatch = name == REFEREES[1][0]
        answers.submit(referee, question_set, _answers_for(question_set, referee, mismatch), None,
                       opened + dt.timedelta(minutes=14))
    return pending


def _review_and_release(case: Case, staff: StaffUser, now: dt.datetime) -> None:
    """Take a case through review, the candidate's reply and release, as people would."""
    rows = review.start_review(case, staff, now - dt.timedelta(days=2))
    for finding in rows:
        if finding.status == "conflict":
            review.resolve(finding, staff, "explained", "The peer joined the team before the promotion to "
                           "Senior in 2023; the manager and the payroll record confirm the later title.",
                           now - dt.timedelta(days=2))
    review.send_to_candidate(case, staff, now - dt.timedelta(days=2))
    title = next((f for f in rows if f.fact == "title"), rows[0])
    review.reply(case, title, "I was promoted to Senior Data Engineer in March 2023; before that my "
                 "title was Data Engineer.", False, now - dt.timedelta(days=1))
    for finding in rows:
        if finding.reply is None and finding.status != "conflict":
            review.reply(case, finding, "", True, now - dt.timedelta(days=1))
    for signal in db.session.execute(sa.select(FraudSignal).where(FraudSignal.case_id == case.id)).scalars():
        signal.resolved_note = "Checked by phone with the referee; no concern."
    report.release(case, staff, now)


def _answers_for(question_set: QuestionSet, referee: Referee, mismatch: bool) -> dict[str, Any]:
    """Answer as a plausible referee would; with `mismatch`, remember the title and start differently."""
    details = referee.details
    claim = PREVIOUS_CLAIM if details["organisation"] == PREVIOUS_CLAIM.employer else CLAIM
    given: dict[str, Any] = {}
    for question in question_set.questions:
        key = str(question.id)
        if question.kind == "rating":
            given[key] = "4" if not mismatch else "3"
        elif question.kind == "yes_no":
            given[key] = "yes"
        elif question.fact_key == "relationship":
            given[key] = referee.relationship
        elif question.fact_key == "reason_for_leaving":
            given[key] = "resigned"
        elif question.fact_key == "worked_together_from":
            given[key] = {"from": details["worked_from"], "to": details["worked_to"]}
        elif question.fact_key == "start_month":
            given[key] = {"from": "2022-05" if mismatch else claim.start_month, "to": claim.end_month}
        elif question.fact_key == "employer":
            given[key] = details["organisation"].removesuffix(" Ltd")
        elif question.fact_key == "title":
            given[key] = "Data Engineer" if mismatch else claim.title
        elif question.required:
            given[key] = "Careful, well-explained work; kept the team informed when plans changed."
        else:
            given[key] = ""
    return given
