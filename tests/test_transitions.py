"""Every command in every case state does what the lifecycle table says: runs, or is refused for the state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from refcheck import (
    answers,
    api_keys,
    cases,
    drafts,
    enquiries,
    experience,
    languages,
    lifecycle,
    privacy,
    referees,
    reminders,
    report,
    review,
)
from refcheck.commands import Actor, CommandRefused
from refcheck.extensions import db
from refcheck.models import Case, StaffUser, utcnow
from refcheck.scope import Scope

from .conftest import default_scope, make_staff
from .lifecycle_cases import CLAIM, PEOPLE, Built, build, consistent_answers

DETAILS = cases.CaseDetails("Amira Okafor", "amira.okafor@candidate.example", "Senior Data Engineer",
                            "Northwind Analytics Ltd", "To confirm work history, again.", None)


def _question_set(role: str) -> answers.PublishedSet:
    return answers.question_set_for(Scope.from_json(default_scope().to_json()), role)


def _answers(role: str) -> tuple[answers.PublishedSet, dict[str, Any]]:
    question_set = _question_set(role)
    return question_set, consistent_answers(question_set, PEOPLE[role])


def _hiring_system(built: Built) -> Actor:
    """Return the case's organisation's hiring system, by a live API key made (and committed) for it."""
    case = db.session.get(Case, built.case_id)
    _row, key = api_keys.create(case.organisation.name, "transitions", "test", utcnow())
    db.session.commit()
    found = api_keys.authenticate(key)
    return Actor.api_key(found.id, found.organisation_id)


# command -> how to run it on a built case. Each acts on the rows a case in an allowed state has.
CALLS: dict[str, Callable[[Built], Any]] = {
    "case.edit": lambda b: cases.update_draft(b.case_id, b.staff, DETAILS, default_scope(), utcnow()),
    "candidate.invite": lambda b: cases.invite_candidate(b.case_id, b.staff, utcnow()),
    "check.order": lambda b: cases.send_order(b.case_id, _hiring_system(b), utcnow()),
    "candidate.new_link": lambda b: cases.send_new_link(b.case_id, Actor.system("public"), utcnow()),
    "consent.grant": lambda b: cases.grant_consent(b.case_id, b.candidate, "Amira Okafor", None, None, utcnow()),
    "consent.decline": lambda b: cases.decline_consent(b.case_id, b.candidate, "", None, None, utcnow()),
    "consent.withdraw": lambda b: cases.withdraw_consent(b.case_id, b.candidate, "", utcnow()),
    "case.cancel": lambda b: cases.cancel_case(b.case_id, b.staff, "The role closed.", utcnow()),
    "case.explain_delay": lambda b: cases.explain_delay(b.case_id, b.staff, "A referee is away.", utcnow()),
    "case.note": lambda b: cases.add_note(b.case_id, b.staff, "Called the candidate.", utcnow()),
    "case.erase": lambda b: privacy.erase_case(b.case_id, b.staff, "test", utcnow()),
    "case.erase_on_request": lambda b: privacy.request_erasure(b.case_id, b.candidate, utcnow()),
    "experience.record": lambda b: experience.record(b.case_id, b.candidate, "consent", 4, "", utcnow()),
    "language.choose": lambda b: languages.choose(b.case_id, b.candidate, "es"),
    "referee.nominate": lambda b: referees.nominate(b.case_id, b.candidate, PEOPLE["another"], utcnow()),
    "referee.remove": lambda b: referees.remove_nomination(b.case_id, b.candidate, b.referees.get("extra", "nobody"), utcnow()),
    "claim.save": lambda b: referees.save_claim(b.case_id, b.candidate, CLAIM, utcnow(), b.claim_id),
    "claim.remove": lambda b: referees.remove_claim(b.case_id, b.candidate, b.claim_id),
    "referees.invite": lambda b: referees.send_invitations(b.case_id, b.candidate, utcnow()),
    "referee.approve": lambda b: referees.approve(b.case_id, b.staff, b.referees.get("extra", "nobody"), utcnow()),
    "referee.resend": lambda b: referees.resend(b.case_id, b.staff, b.referees.get("peer", "nobody"), utcnow()),
    "referee.revoke": lambda b: referees.revoke(b.case_id, b.staff, b.referees.get("extra", "nobody"), utcnow()),
    "referee.replace": lambda b: referees.ask_replacement(b.case_id, b.staff, b.referees.get("extra", "nobody"),
                                                          "A personal address.", utcnow()),
    "referee.remind": lambda b: reminders.remind_case(b.case_id, utcnow()),
    "referee.open": lambda b: answers.open_link(b.case_id, b.referee("manager"), b.tokens.get("manager", ""),
                                                utcnow()),
    "candidate.open": lambda b: cases.open_link(b.case_id, b.candidate, b.tokens.get("candidate", ""), utcnow()),
    "referee.attest": lambda b: answers.attest(b.case_id, b.referee("peer"), utcnow()),
    "answers.save_draft": lambda b: drafts.save(b.case_id, b.referee("peer"), _question_set("peer").id, {},
                                                [q.id for q in _question_set("peer").questions], utcnow()),
    "answers.submit": lambda b: answers.submit(b.case_id, b.referee("peer"), *_answers("peer"), None, utcnow()),
    "referee.decline": lambda b: answers.decline(b.case_id, b.referee("peer"), "", False, utcnow()),
    "answers.correct": lambda b: answers.correct(b.case_id, b.referee("manager"), *_answers("manager"), utcnow()),
    "answers.withdraw": lambda b: answers.withdraw(b.case_id, b.referee("manager"), utcnow()),
    "review.start": lambda b: review.start_review(b.case_id, b.staff, utcnow()),
    "finding.resolve": lambda b: review.resolve(b.case_id, b.staff, b.finding_id, "confirmed", "Checked.",
                                                utcnow()),
    "signal.resolve": lambda b: review.resolve_signal(b.case_id, b.staff, b.signal_id, "Checked by phone."),
    "findings.send": lambda b: review.send_to_candidate(b.case_id, b.staff, utcnow()),
    "finding.reply": lambda b: review.reply(b.case_id, b.candidate, b.finding_id, "", True, utcnow()),
    "findings.accept_agreeing": lambda b: review.accept_agreeing(b.case_id, b.candidate, utcnow()),
    "report.release": lambda b: report.release(b.case_id, b.staff, utcnow()),
    "case.contact": lambda b: enquiries.set_contact(b.case_id, b.staff, b.staff.staff_id or 0, utcnow()),
    "enquiry.ask": lambda b: enquiries.ask(b.case_id, b.candidate, "concern", "Who reads this?", utcnow()),
    "enquiry.answer": lambda b: enquiries.answer(b.case_id, b.staff, b.enquiry_id or "none", "Only us.", utcnow()),
}


def test_every_command_in_the_table_is_walked_and_every_one_walked_is_in_the_table():
    assert set(CALLS) == set(lifecycle.COMMANDS)


def test_the_transitions_are_read_off_the_table():
    assert lifecycle.TRANSITIONS["collecting"] == {"review", "withdrawn", "cancelled"}
    assert lifecycle.TRANSITIONS["candidate_review"] == {"released", "review", "withdrawn", "cancelled"}
    assert all(not lifecycle.TRANSITIONS[state] for state in ("released", "declined", "withdrawn", "cancelled"))


@pytest.mark.parametrize("state", lifecycle.CASE_STATES)
def test_every_command_runs_or_is_refused_in_each_state_as_the_table_says(app, state):
    staff = make_staff(app)
    built = build(app, staff.id, state)
    outcomes = {}
    with app.app_context():
        for command, call in CALLS.items():
            rule = lifecycle.COMMANDS[command]
            try:
                call(built)
            except CommandRefused as err:
                outcomes[command] = f"refused ({err.why})"
                db.session.rollback()
                # The refusal says where the case stands, in plain words, never in the code's own.
                assert err.message.endswith(".") and "_" not in err.message, err.message
                continue
            # Whatever the command did is looked at in its own transaction, then undone for the next.
            case = db.session.get(Case, built.case_id)
            after = case.state if case is not None else "erased"
            db.session.rollback()
            assert after in {state, *rule.moves_to} or command.startswith("case.erase"), (command, after)
            outcomes[command] = "ran"
        assert db.session.get(Case, built.case_id).state == state
    expected = {command: "ran" if state in rule.states else "refused (state)"
                for command, rule in lifecycle.COMMANDS.items()}
    assert outcomes == expected


def test_a_command_is_refused_to_anyone_the_table_does_not_name(app):
    staff = make_staff(app)
    built = build(app, staff.id, "collecting")
    other = build(app, staff.id, "collecting")
    verifier = make_staff(app, "vera@verify.example", role="verifier")
    with app.app_context():
        attempts = [
            lambda: review.start_review(built.case_id, built.candidate, utcnow()),  # not the candidate's
            lambda: cases.cancel_case(built.case_id, built.referee("peer"), "No.", utcnow()),
            lambda: referees.approve(built.case_id, Actor.system(), built.referees["extra"], utcnow()),
            # The candidate and a referee of another case.
            lambda: referees.nominate(built.case_id, other.candidate, PEOPLE["another"], utcnow()),
            lambda: answers.attest(built.case_id, Actor.referee(other.referees["peer"], built.case_id), utcnow()),
            lambda: answers.attest(built.case_id, other.referee("peer"), utcnow()),
        ]
        user = db.session.get(StaffUser, verifier.id)
        user.active = False
        db.session.commit()
        attempts.append(lambda: cases.explain_delay(built.case_id, Actor.staff(user), "Disabled staff.", utcnow()))
        for attempt in attempts:
            with pytest.raises(CommandRefused) as refused:
                attempt()
            assert refused.value.why == "actor"
            db.session.rollback()
        assert db.session.execute(sa.select(Case.state).where(Case.id == built.case_id)).scalar_one() \
            == "collecting"


def lifecycle_table() -> str:
    """Render the lifecycle table as the README shows it."""
    def states(listed):
        if set(listed) == set(lifecycle.CASE_STATES):
            return "any state"
        if set(listed) == set(lifecycle.OPEN):
            return "any state before it ends"
        if set(listed) == set(lifecycle.CASE_STATES[1:]):
            return "any state once sent to the candidate"
        return ", ".join(state.replace("_", " ") for state in listed)

    lines = ["| command | runs while the case is | by | may move it to |", "| --- | --- | --- | --- |"]
    for name, rule in lifecycle.COMMANDS.items():
        moves = ", ".join(state.replace("_", " ") for state in rule.moves_to) or "—"
        lines.append(f"| `{name}` | {states(rule.states)} | {', '.join(rule.actors)} | {moves} |")
    return "\n".join(lines)


def test_the_readme_shows_the_table_as_it_is():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index("<!-- lifecycle table:")
    shown = readme[readme.index("\n", start) + 1:readme.index("<!-- end of lifecycle table -->")].strip()
    assert shown == lifecycle_table()
