"""Audit events in plain words for staff: each action the code records, as a sentence about who acted."""

from __future__ import annotations

# `{who}` is the person or part of the service that acted, as the case page names them
# ("Dana Verifier", "the candidate", "Grace Lindqvist (referee)").
AUDIT_WORDS: dict[str, str] = {
    "case.opened": "{who} opened the case",
    "case.edited": "{who} changed the case before sending it",
    "case.cancelled": "{who} cancelled the case",
    "case.delay_explained": "{who} wrote or cleared the reason for a delay",
    "case.note_added": "{who} added a note",
    "case.erased": "{who} erased the case's personal data",
    "case.answers_viewed": "{who} read the referees' answers side by side",
    "case.contact_named": "{who} named the candidate's contact for the case",
    "enquiry.asked": "{who} asked a question or raised a concern",
    "enquiry.answered": "{who} answered the candidate's question",
    "findings.accepted_agreeing": "{who} accepted every finding that agrees with what they said",
    "referee.draft_saved": "{who} saved a page of answers to finish later",
    "candidate.invited": "{who} sent the candidate their link",
    "candidate.link_resent": "{who} sent the candidate a new link",
    "candidate.link_requested": "{who} asked for a new link",
    "candidate.link_used": "{who} opened their emailed link",
    "consent.granted": "{who} agreed to the check",
    "consent.declined": "{who} declined the check",
    "consent.withdrawn": "{who} withdrew their consent, so the check stopped",
    "claim.saved": "{who} saved a position in the work history",
    "claim.removed": "{who} removed a position from the work history",
    "referee.nominated": "{who} named a referee",
    "referee.removed": "{who} removed a referee",
    "referees.invited": "{who} sent the invitations to the referees",
    "referee.approved": "{who} approved a referee and sent their invitation",
    "referee.revoked": "{who} withdrew a referee's request",
    "referee.replacement_requested": "{who} asked the candidate to name someone else",
    "referee.link_resent": "{who} sent a referee a new link",
    "referee.reminded": "{who} reminded a referee to answer",
    "referee.expired": "{who} closed a referee's request that was not answered in time",
    "referee.opened": "{who} opened their invitation",
    "referee.attested": "{who} confirmed who they are and that they will answer truthfully",
    "referee.submitted": "{who} sent their answers",
    "referee.declined": "{who} said they cannot answer",
    "referee.corrected": "{who} corrected their answers",
    "referee.withdrawn": "{who} withdrew their answers",
    "review.started": "{who} started the review",
    "review.findings_refreshed": "{who} updated the findings after an answer changed",
    "finding.resolved": "{who} resolved a finding",
    "fraud_signal.resolved": "{who} recorded how a warning about a referee was handled",
    "review.sent_to_candidate": "{who} sent the findings to the candidate",
    "finding.replied": "{who} replied to a finding",
    "finding.disputed": "{who} disputed a finding in the released report",
    "report.released": "{who} released the report",
    "report.downloaded": "{who} downloaded the report",
    "data.exported": "{who} downloaded a copy of the case's data",
    "experience.answered": "{who} said how the check went for them",
    "language.chosen": "{who} chose the language of their pages and emails",
    "action.refused": "{who} tried something the case did not allow at that point; it was refused",
    "staff.created": "{who} created a staff account",
    "staff.password_set": "{who} set a staff account's password",
    "staff.deactivated": "{who} switched off a staff account",
    "staff.signed_in": "{who} signed in",
    "staff.signed_out": "{who} signed out",
    "staff.organisations_set": "{who} chose which organisations' cases a verifier works on",
    "organisation.created": "{who} added a hiring organisation",
    "employer_alias.added": "{who} recorded that two employer names are one employer",
    "employer_alias.removed": "{who} removed a pair of employer names read as one employer",
    "package.saved": "{who} saved the case's scope as a package its organisation can order with",
    "package.retired": "{who} stopped offering a package",
    "staff.sign_in_paused": "{who} made sign-in wait after repeated wrong passwords",
    "staff.session_ended": "{who} ended one of their signed-in sessions",
    "staff.sessions_ended": "{who} ended all their other signed-in sessions",
    "staff.two_factor_enrolled": "{who} switched on two-step sign-in with an authenticator app",
    "staff.two_factor_declined": "{who} chose not to set up two-step sign-in for now",
    "staff.two_factor_reset": "{who} reset a staff member's two-step sign-in",
    "staff.recovery_codes_renewed": "{who} made new recovery codes",
    "staff.recovery_code_used": "{who} used a recovery code",
    "staff.code_refused": "{who} typed a sign-in code that was refused",
    "staff.passkey_added": "{who} added a passkey for two-step sign-in",
    "staff.passkey_removed": "{who} removed a passkey",
    "staff.passkey_refused": "{who} offered a passkey whose signature was refused",
    "staff.stepped_up": "{who} confirmed it was them before an important change",
    "staff.step_up_refused": "{who} could not confirm it was them before an important change",
    "client.invited": "{who} invited a colleague of their organisation",
    "client.joined": "{who} chose their password through their invitation link",
    "client.org_admin_set": "{who} made a colleague an admin of their organisation",
    "client.disabled": "{who} switched off a colleague's account",
    "question_set.created": "{who} drafted a question set",
    "question_set.published": "{who} published a question set",
    "question_set.translation_started": "{who} started translating a question set",
    "question_set.translation_published": "{who} published a question set's translation",
    "question.reworded": "{who} replaced a question with the suggested neutral wording",
    "keys.rotated": "{who} re-encrypted the data keys with the newest key",
    "keys.version_added": "{who} added a new encryption key",
    "keys.version_retired": "{who} retired an old encryption key",
    "api_key.created": "{who} made an API key for a hiring organisation",
    "api_key.revoked": "{who} revoked an API key",
    "api.called": "{who} called the API",
    "webhook.registered": "{who} registered a webhook endpoint",
    "webhook.removed": "{who} removed a webhook endpoint",
    "webhook.enabled": "{who} started a stopped webhook endpoint again",
    "webhook.disabled": "{who} stopped a webhook endpoint that kept failing",
}

# Actors that are parts of the service rather than people.
SERVICE_ACTORS = {"system": "the service", "cli": "an administrator at the command line",
                  "system:webhooks": "the service"}


def describe(action: str, who: str) -> str:
    """Say an audit event in plain words, naming who acted; an unknown action reads as itself."""
    words = AUDIT_WORDS.get(action)
    if words is None:
        # Never hidden: an event with no words yet shows its code rather than nothing.
        return f"{who}: {action}"
    if who.startswith("api-key:"):
        who = f"the hiring organisation's system (API key {who.split(':', 1)[1]})"
    sentence = words.format(who=SERVICE_ACTORS.get(who, who))
    return sentence[:1].upper() + sentence[1:] + "."
