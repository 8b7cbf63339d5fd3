"""Seed demo cases through the real services, so a newcomer can click through at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from . import (
    accounts,
    answers,
    cases,
    organisations,
    pace,
    packages,
    progress,
    referees,
    report,
    review,
    search,
)
from .commands import Actor
from .extensions import db
from .models import Case, FraudSignal, StaffUser, utcnow
from .months import month_name
from .scope import Scope

DEMO_STAFF_EMAIL = "verifier@refcheck.example"
DEMO_ADMIN_EMAIL = "admin@refcheck.example"
DEMO_CLIENT_EMAIL = "priya.shah@fabrikam.example"
HIRING = "Fabrikam Health Analytics"
# A second client organisation, whose one case the verifier and Fabrikam's client never see.
OTHER_HIRING = "Tailspin Logistics"
OTHER = ("Noor Haddad", "noor.haddad@candidate.example", "Operations Lead")
# The scope covers the last seven years; every month below is counted back from the current month,
# so the story stays inside that period whenever the demo is seeded.
SCOPE_MONTHS = 84


@dataclass(frozen=True)
class Job:
    """One job in a candidate's stated work history; months are counted back from now."""

    employer: str
    title: str
    start: int
    end: int
    responsibilities: str = ""


@dataclass(frozen=True)
class DemoReferee:
    """One referee, what they remember and what they say in their own words."""

    name: str
    email: str
    organisation: str
    title: str
    relationship: str
    worked_from: int
    worked_to: int
    rating: int
    # Free text by the start of the question it answers.
    words: dict[str, str]
    # fact key -> what they remember differently from the candidate.
    remembers: dict[str, Any] = field(default_factory=dict)
    answers: bool = True


@dataclass(frozen=True)
class Story:
    """One candidate, the role they applied for, their work history and their referees."""

    name: str
    email: str
    position: str
    jobs: tuple[Job, ...]
    referees: tuple[DemoReferee, ...]
    # Days before now that the case was opened.
    opened: int


def _words(responsibilities: str, strengths: str, develop: str, other: str = "") -> dict[str, str]:
    """Return a referee's free-text answers keyed by the start of each question."""
    return {"What were the candidate's main responsibilities": responsibilities,
            "Which strengths": strengths, "In which areas could the candidate develop": develop,
            "Is there anything else": other}


# A running case: three referees have answered and agree; the one from the earlier job has not yet.
AMIRA = Story(
    "Amira Okafor", "amira.okafor@candidate.example", "Senior Data Engineer",
    (Job("Contoso Retail plc", "Data Engineer", 74, 52),
     Job("Northwind Analytics Ltd", "Senior Data Engineer", 51, 3,
         "Led the move of the reporting platform to streaming pipelines.")),
    (DemoReferee("Grace Lindqvist", "grace.lindqvist@northwind-analytics.example", "Northwind Analytics Ltd",
                 "Head of Data", "manager", 51, 3, 5, _words(
                     "Owned the reporting platform and led its move from nightly batches to streaming.",
                     "Plans work carefully and explains trade-offs so that non-engineers can decide.",
                     "Could delegate more: she tends to take the hardest tickets herself.",
                     "I would gladly work with her again.")),
     DemoReferee("Tomás Ibarra", "tomas.ibarra@northwind-analytics.example", "Northwind Analytics Ltd",
                 "Data Engineer", "peer", 45, 3, 4, _words(
                     "Designed the streaming pipelines and reviewed most of the team's data models.",
                     "Thorough code reviews; patient when pairing with newer colleagues.",
                     "Sometimes spent longer polishing a design than the deadline allowed.")),
     DemoReferee("Wei Chen", "wei.chen@northwind-analytics.example", "Northwind Analytics Ltd",
                 "Analytics Engineer", "direct_report", 30, 3, 5, _words(
                     "Led our team of four and set the technical direction for the platform.",
                     "Clear weekly priorities and honest feedback; she protected our focus time.",
                     "Could share the roadmap with the wider company earlier.")),
     DemoReferee("Sara Holm", "sara.holm@contoso-retail.example", "Contoso Retail plc",
                 "Data Engineering Lead", "manager", 74, 52, 4, {}, answers=False)),
    opened=7,
)
# Every referee has answered; the leaver remembers the last day at Tailspin two months earlier.
LUCIA = Story(
    "Lucía Fernández", "lucia.fernandez@candidate.example", "Analytics Engineering Lead",
    (Job("Tailspin Toys Ltd", "Analytics Engineer", 70, 40),
     Job("Woodgrove Bank", "Senior Analytics Engineer", 39, 2,
         "Built the bank's customer analytics models and ran the analytics guild.")),
    (DemoReferee("Olivia Brandt", "olivia.brandt@woodgrove-bank.example", "Woodgrove Bank",
                 "Head of Analytics", "manager", 39, 2, 5, _words(
                     "Built our customer analytics models in dbt and chaired the analytics guild.",
                     "Turns vague business questions into models people trust; very good at testing data.",
                     "Presenting to the executive committee: she knows the material but undersells it.")),
     DemoReferee("Marek Nowak", "marek.nowak@woodgrove-bank.example", "Woodgrove Bank",
                 "Analytics Engineer", "peer", 36, 2, 4, _words(
                     "Maintained the core models and on-boarded new analysts to them.",
                     "Generous with her time; her documentation is the best in the team.",
                     "Could push back sooner when a request will not fit into a sprint.")),
     DemoReferee("Hana Sato", "hana.sato@tailspin-toys.example", "Tailspin Toys Ltd",
                 "Data Science Manager", "manager", 70, 42, 4, _words(
                     "Built the sales dashboards and the first version of our demand forecast.",
                     "Learns quickly and asks the questions that find the real problem.",
                     "At the time, estimating larger pieces of work; she has probably grown since.",
                     "My records show her last working day two months before the date she gave; "
                     "she may be counting her notice period."),
                 remembers={"start_month": (70, 42)})),
    opened=6,
)
# Released: the peer left the team before the promotion, so remembers the earlier title.
KWAME = Story(
    "Kwame Asante", "kwame.asante@candidate.example", "Senior Data Engineer",
    (Job("Adventure Works Cycles", "Junior Data Engineer", 80, 61),
     Job("Litware Inc", "Senior Data Engineer", 60, 4,
         "Ran the warehouse migration and the data quality checks for finance reporting.")),
    (DemoReferee("Aisha Bello", "aisha.bello@litware.example", "Litware Inc", "Engineering Manager",
                 "manager", 60, 4, 5, _words(
                     "Ran the warehouse migration and owned the data quality checks for finance reporting.",
                     "Calm under pressure; the finance close never slipped because of data on his watch.",
                     "Could write down decisions more often, so that others can follow them later.",
                     "Promoted to Senior Data Engineer in {promoted} after leading the migration.")),
     DemoReferee("Daniel Park", "daniel.park@litware.example", "Litware Inc", "Data Engineer", "peer",
                 60, 34, 4, _words(
                     "Built ingestion jobs and, later, the first data quality checks.",
                     "Reliable and easy to work with; he answered questions from other teams quickly.",
                     "Then, saying no to side requests that pulled him off the plan."),
                 remembers={"title": "Data Engineer"}),
     DemoReferee("Nora Eriksen", "nora.eriksen@adventure-works.example", "Adventure Works Cycles",
                 "Data Platform Lead", "manager", 80, 61, 4, _words(
                     "Looked after the nightly loads and wrote our first automated tests for them.",
                     "Curious and careful; he fixed causes rather than symptoms.",
                     "Speaking up in larger meetings; one to one he was always clear."))),
    opened=16,
)
KWAME_PROMOTED = 32  # months ago, after the peer moved teams (34 months ago)
STORIES = (AMIRA, LUCIA, KWAME)
FRESH = ("Jonah Mensah", "jonah.mensah@candidate.example", "Product Analyst")
# Kept for callers that name the demo candidates.
DEMO_CANDIDATE = (AMIRA.name, AMIRA.email)
FRESH_CANDIDATE = FRESH[:2]
REVIEW_CANDIDATE = (LUCIA.name, LUCIA.email)
RELEASED_CANDIDATE = (KWAME.name, KWAME.email)


def seed(password: str) -> dict[str, Any]:
    """Create the demo once; run again, set a new password and send fresh links to the same cases.

    Each step is committed on its own, as the person who takes it would commit it from a page.
    """
    now = utcnow()
    staff = _existing_staff()
    if staff is not None:
        return _refresh(staff, password, now)
    # Each role as a newcomer would meet it: an admin, a verifier of one organisation, and that
    # organisation's client, who may invite colleagues.
    admin = accounts.create_staff(DEMO_ADMIN_EMAIL, "Ada Admin", "admin", password, "demo")
    fabrikam, tailspin = organisations.create(HIRING, "demo"), organisations.create(OTHER_HIRING, "demo")
    staff = accounts.create_staff(DEMO_STAFF_EMAIL, "Dana Verifier", "verifier", password, "demo", [fabrikam])
    accounts.create_staff(DEMO_CLIENT_EMAIL, "Priya Shah", "client", password, "demo", [fabrikam],
                          org_admin=True)
    db.session.commit()
    actor = Actor.staff(staff)
    case, candidate_token, links = _running_case(actor, now, AMIRA)
    referee_urls = _referees_answer(case, AMIRA, links, now)
    to_review, _, links = _running_case(actor, now, LUCIA)
    _referees_answer(to_review, LUCIA, links, now)
    released, released_token, links = _running_case(actor, now, KWAME)
    _referees_answer(released, KWAME, links, now)
    _review_and_release(released, actor, now)
    opened = now - dt.timedelta(hours=2)
    fresh = _step(cases.open_case, _details(FRESH, opened), _scope(now), actor, opened)
    fresh_token = _step(cases.invite_candidate, fresh, actor, opened)
    # Fabrikam's clients order with the scope its cases use; the other organisation's case is the admin's.
    ordered = db.session.get(Case, fresh)
    assert ordered is not None  # opened a moment ago, in this very run
    packages.save_from_case(ordered, "Two references and work history", "demo")
    db.session.commit()
    other = _step(cases.open_case, _details(OTHER, opened, tailspin.name), _scope(now, tailspin.name),
                  Actor.staff(admin), opened)
    _step(cases.invite_candidate, other, Actor.staff(admin), opened)
    return _result(password, _case(case), candidate_token, referee_urls, _case(fresh), fresh_token,
                   _case(to_review), _case(released), released_token, existed=False)


def _step(command: Any, *args: Any) -> Any:
    """Run one command and commit it; return what it returned, or a case's id for a case."""
    value = command(*args)
    if isinstance(value, Case):
        value = value.id
    db.session.commit()
    return value


def _case(case_id: int | None) -> Case | None:
    """Return a demo case by id."""
    return db.session.get(Case, case_id) if case_id is not None else None


def _existing_staff() -> StaffUser | None:
    """Return the demo staff account if the demo was seeded before."""
    return db.session.execute(
        sa.select(StaffUser).where(StaffUser.email == DEMO_STAFF_EMAIL)
    ).scalar_one_or_none()


def _refresh(staff: StaffUser, password: str, now: dt.datetime) -> dict[str, Any]:
    """Give the existing demo a new password and fresh links, without adding cases again."""
    for person in db.session.execute(sa.select(StaffUser).where(
            StaffUser.email.in_((DEMO_ADMIN_EMAIL, DEMO_STAFF_EMAIL, DEMO_CLIENT_EMAIL)))).scalars():
        person.active = True
        accounts.set_password(person, password, "demo")
    db.session.commit()
    actor = Actor.staff(staff)
    found = {who: _demo_case(staff, who) for who in (AMIRA.email, LUCIA.email, KWAME.email, FRESH[1])}
    ids = {who: case.id if case is not None else None for who, case in found.items()}
    # Each candidate asks for a new link, as they would at /link; referees still to answer get a
    # reminder with a new one. Both emails are real and go to the mail folder.
    tokens = {who: _step(cases.send_new_link, case_id, Actor.system("demo"), now) if case_id else None
              for who, case_id in ids.items() if who != LUCIA.email}
    referee_urls = []
    running = _case(ids[AMIRA.email])
    if running is not None:
        base = _base()
        waiting = [r.id for r in referees.active_referees(running) if r.state in ("invited", "opened")]
        for referee_id in waiting:
            token = _step(referees.resend, running.id, actor, referee_id, now)
            referee_urls.append(f"{base}/r/{referee_id}/{token}")
    return _result(password, _case(ids[AMIRA.email]), tokens[AMIRA.email], referee_urls,
                   _case(ids[FRESH[1]]), tokens[FRESH[1]], _case(ids[LUCIA.email]), _case(ids[KWAME.email]),
                   tokens[KWAME.email], existed=True)


def _demo_case(staff: StaffUser, email: str) -> Case | None:
    """Return the demo's case for a candidate, if it is still there."""
    return next((case for case in search.find_cases_for_email(email) if case.created_by_id == staff.id), None)


def _result(password: str, case: Case | None, candidate_token: str | None, referee_urls: list[str],
            fresh: Case | None, fresh_token: str | None, to_review: Case | None, released: Case | None,
            released_token: str | None, existed: bool) -> dict[str, Any]:
    """Return what `flask demo` prints, and prints as JSON with --json."""
    base = _base()

    def link(found: Case | None, token: str | None) -> str | None:
        return f"{base}/c/{found.id}/{token}" if found is not None and token else None

    return {
        "case_id": case.id if case else None,
        "case_reference": case.reference if case else None,
        "staff_email": DEMO_STAFF_EMAIL,
        "admin_email": DEMO_ADMIN_EMAIL,
        "client_email": DEMO_CLIENT_EMAIL,
        "staff_password": password,
        "other_case_id": _other_case_id(),
        "staff_login_url": f"{base}/staff/login",
        "candidate_name": AMIRA.name,
        "candidate_email": AMIRA.email,
        "candidate_url": link(case, candidate_token),
        "referee_urls": referee_urls,
        "consent_case_id": fresh.id if fresh else None,
        "consent_candidate_name": FRESH[0],
        "consent_url": link(fresh, fresh_token),
        "review_case_id": to_review.id if to_review else None,
        "released_case_id": released.id if released else None,
        "released_candidate_url": link(released, released_token),
        "existed": existed,
    }


def _other_case_id() -> int | None:
    """Return the id of the demo's one case of the other organisation, if it is there."""
    found = search.find_cases_for_email(OTHER[1])
    return found[0].id if found else None


def summary(result: dict[str, Any]) -> str:
    """Say what the demo holds and how to click through it."""
    base = _base()

    def shown(value: Any) -> str:
        return str(value) if value else "(this demo case is no longer there)"

    referee_lines = "\n".join(f"    {url}" for url in result["referee_urls"]) or \
        "    (nobody: every referee of this case has answered or closed their request)"
    if result["existed"]:
        opening = ("The demo already existed, so no cases were added. The demo staff account has a new "
                   "password,\nand each demo candidate and each referee still to answer was sent a fresh "
                   "link (the earlier ones\nno longer work).")
    else:
        opening = "refcheck demo is ready."
    return f"""
{opening}

  Sign-in:         {result['staff_login_url']}
    password:      {result['staff_password']}   (the same for the three demo accounts)
    {result['staff_email']:<30} a verifier: the cases of {HIRING} only
    {result['admin_email']:<30} an admin: every organisation's cases, and the accounts
    {result['client_email']:<30} a client of {HIRING}: orders and follows its checks,
    {'':<30} downloads released reports, invites colleagues
  The one case of {OTHER_HIRING} ({base}/staff/cases/{shown(result['other_case_id'])}) is the admin's alone.

  Candidate portal: {shown(result['candidate_url'])}
    ({result['candidate_name']}: consented a week ago; three referees have answered, one has not
     and was reminded today)

  Referee still to answer:
{referee_lines}

  A new case to consent to: {shown(result['consent_url'])}
    (for {result['consent_candidate_name']}; read the scope, then agree or decline)

  A case ready for review:   {base}/staff/cases/{shown(result['review_case_id'])}
    (every referee has answered; a former manager remembers leaving two months earlier)
  A released case:           {base}/staff/cases/{shown(result['released_case_id'])}
    its candidate's portal:  {shown(result['released_candidate_url'])}
    (a peer remembered the title before a promotion; the candidate replied, then it was released)

The demo cases were opened, consented to and answered over the past two weeks, and their pages
show those dates. The audit log and the emails are stamped with the time the demo was seeded,
because the log only appends and mail is sent when it is sent.
Candidate links work once; the emails above carry the same links, and each is saved as readable
text in the instance's mail folder (mail/*.txt, next to the .eml).
"""


def _base() -> str:
    """Return the address links point to."""
    return current_app.config["BASE_URL"].rstrip("/")


def _month(now: dt.datetime, back: int) -> str:
    """Return the month `back` months before now's month, as YYYY-MM."""
    index = now.year * 12 + now.month - 1 - back
    return f"{index // 12}-{index % 12 + 1:02d}"


def _month_words(now: dt.datetime, back: int) -> str:
    """Return the month `back` months before now, as 'March 2024'."""
    return month_name(_month(now, back))


def _scope(now: dt.datetime, hiring: str = HIRING) -> Scope:
    """Return the demo scope: the last seven years, at least a manager and a peer, up to four referees."""
    return Scope(
        checks=("references", "employment_history"), min_referees=3, max_referees=4,
        relationships={"manager": 1, "peer": 1, "direct_report": 0},
        period_from=_month(now, SCOPE_MONTHS), period_to=_month(now, 0), question_set="standard-v1",
        report_recipients=("Priya Shah, Head of Talent" if hiring == HIRING else "The hiring team")
        + f" at {hiring}",
        retention_days=180,
    )


def _details(who: tuple[str, str, str], opened: dt.datetime, hiring: str = HIRING) -> cases.CaseDetails:
    """Return the demo case details for a candidate, due on the day the configured pace can meet."""
    name, email, position = who
    return cases.CaseDetails(
        candidate_name=name, candidate_email=email, position=position, hiring_organisation=hiring,
        purpose=f"To confirm your recent work history and hear from people you have worked with, "
                f"before {hiring} confirms its offer of {position}.",
        due_date=pace.earliest_due(pace.new_case(progress.pace_days(), opened), opened),
    )


def _claim(job: Job, now: dt.datetime) -> referees.ClaimFacts:
    """Return a job as the candidate states it."""
    return referees.ClaimFacts(
        employer=job.employer, title=job.title, start_month=_month(now, job.start),
        end_month=_month(now, job.end), reason_for_leaving="resigned", responsibilities=job.responsibilities,
    )


def _running_case(staff: Actor, now: dt.datetime, story: Story) -> tuple[int, str, dict[str, str]]:
    """Open a case some days ago that the candidate consented to, with claims and referees."""
    start = now - dt.timedelta(days=story.opened)
    case_id = _step(cases.open_case, _details((story.name, story.email, story.position), start), _scope(now),
                    staff, start)
    _step(cases.invite_candidate, case_id, staff, start)
    candidate = Actor.candidate(case_id)
    _step(cases.grant_consent, case_id, candidate, story.name, None, "demo", start + dt.timedelta(hours=3))
    for job in story.jobs:
        _step(referees.save_claim, case_id, candidate, _claim(job, now), start + dt.timedelta(hours=4))
    for person in story.referees:
        _step(referees.nominate, case_id, candidate, referees.RefereeDetails(
            person.name, person.email, person.organisation, person.title, person.relationship,
            _month(now, person.worked_from), _month(now, person.worked_to),
        ), start + dt.timedelta(hours=5))
    invited = _step(referees.send_invitations, case_id, candidate, start + dt.timedelta(days=1))
    links = {referee.id: token for referee, token in invited}
    # The invitation's link may have run out since the case opened days ago: the newcomer gets a new
    # one today, as a candidate who asks at /link does.
    return case_id, _step(cases.send_new_link, case_id, candidate, now), links


def _referees_answer(case_id: int, story: Story, links: dict[str, str], now: dt.datetime) -> list[str]:
    """Have the referees who answer do so on the days after the invitation; return the others' links."""
    invited = now - dt.timedelta(days=story.opened - 1)
    people = {person.name: person for person in story.referees}
    case = db.session.execute(sa.select(Case).where(Case.id == case_id)).scalar_one()
    scope = referees.consented_scope(case)
    listed = [(r.id, r.relationship, r.details["name"]) for r in referees.active_referees(case)]
    pending = []
    for index, (referee_id, relationship, name) in enumerate(listed):
        person = people[name]
        if not person.answers:
            # Reminded today, with a new link the newcomer can open.
            # Demo cases are opened by the demo's admin, never by an API key.
            opener = Actor.staff(case.created_by) if case.created_by else Actor.cli()
            token = _step(referees.resend, case_id, opener, referee_id, now)
            pending.append(f"{_base()}/r/{referee_id}/{token}")
            continue
        opened = invited + dt.timedelta(days=1 + index, hours=2)
        referee = Actor.referee(referee_id, case_id)
        _step(answers.open_link, case_id, referee, links[referee_id], opened)
        _step(answers.attest, case_id, referee, opened + dt.timedelta(minutes=1))
        question_set = answers.question_set_for(scope, relationship)
        _step(answers.submit, case_id, referee, question_set, _answers_for(question_set, person, story, now),
              None, opened + dt.timedelta(minutes=18))
    return pending


def _review_and_release(case_id: int, staff: Actor, now: dt.datetime) -> None:
    """Take a case through review, the candidate's reply and release, as people would."""
    reviewed = now - dt.timedelta(days=10)
    rows = [(f.id, f.fact, f.status) for f in review.start_review(case_id, staff, reviewed)]
    db.session.commit()
    peer_left, promoted = _month_words(now, 34), _month_words(now, KWAME_PROMOTED)
    for finding_id, _fact, status in rows:
        if status == "conflict":
            _step(review.resolve, case_id, staff, finding_id, "explained",
                  f"The manager confirms the promotion to Senior Data Engineer in {promoted}; "
                  f"the peer moved to another team in {peer_left}, before it, and gave the title "
                  "of that time.", reviewed + dt.timedelta(hours=1))
    _step(review.send_to_candidate, case_id, staff, reviewed + dt.timedelta(hours=2))
    replied = now - dt.timedelta(days=8)
    candidate = Actor.candidate(case_id)
    title = next(finding_id for finding_id, fact, status in rows if fact == "title" and status == "conflict")
    _step(review.reply, case_id, candidate, title,
          f"I joined Litware as a Data Engineer in {_month_words(now, 60)} and was "
          f"promoted to Senior Data Engineer in {promoted}; my work history gives my final title. "
          f"Daniel moved to the payments team in {peer_left}, before my promotion.", False, replied)
    for finding_id, _fact, status in rows:
        if status != "conflict":
            _step(review.reply, case_id, candidate, finding_id, "", True, replied + dt.timedelta(minutes=5))
    signals = db.session.execute(
        sa.select(FraudSignal.id).where(FraudSignal.case_id == case_id)).scalars().all()
    for signal_id in signals:
        _step(review.resolve_signal, case_id, staff, signal_id,
              "Checked by phone with the referee; no concern.")
    _step(report.release, case_id, staff, now - dt.timedelta(days=6))


def _answers_for(question_set: answers.PublishedSet, person: DemoReferee, story: Story,
                 now: dt.datetime) -> dict[str, Any]:
    """Answer as this referee would: their own words, and the facts as they remember them."""
    job = next(j for j in story.jobs if j.employer == person.organisation)
    remembered_dates = person.remembers.get("start_month", (job.start, job.end))
    promoted = _month_words(now, KWAME_PROMOTED)
    given: dict[str, Any] = {}
    for question in question_set.questions:
        key = str(question.id)
        if question.kind == "rating":
            given[key] = str(person.rating)
        elif question.kind == "yes_no":
            given[key] = "yes"
        elif question.fact_key == "relationship":
            given[key] = person.relationship
        elif question.fact_key == "reason_for_leaving":
            given[key] = "resigned"
        elif question.fact_key == "worked_together_from":
            given[key] = {"from": _month(now, person.worked_from), "to": _month(now, person.worked_to)}
        elif question.fact_key == "start_month":
            given[key] = {"from": _month(now, remembered_dates[0]), "to": _month(now, remembered_dates[1])}
        elif question.fact_key == "employer":
            # People drop the legal suffix when they name where they work.
            given[key] = person.organisation.removesuffix(" Ltd").removesuffix(" plc").removesuffix(" Inc")
        elif question.fact_key == "title":
            given[key] = person.remembers.get("title", job.title)
        else:
            text = next((words for start, words in person.words.items()
                         if question.text.startswith(start)), "")
            given[key] = text.format(promoted=promoted)
    return given
