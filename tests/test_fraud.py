"""Fraud signals: the pure rules, and what staff see on the case page."""

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.fraud import email_signals, mailbox, submission_signals
from refcheck.models import FraudSignal

from .conftest import MANAGER, consent, enter_portal, nominate, sign_in


def rules(signals):
    return {s.rule for s in signals}


def test_same_mailbox_sees_through_plus_tags_and_gmail_dots():
    assert mailbox("Amira.Okafor+ref@gmail.com") == mailbox("amiraokafor@googlemail.com")
    assert rules(email_signals("amira.okafor@gmail.com", "amiraokafor+boss@gmail.com", "Self-employed")) == {
        "same_mailbox"}


def test_free_mail_for_a_named_employer():
    signals = email_signals("a@x.example", "grace.l@gmail.com", "Northwind Analytics Ltd")
    assert rules(signals) == {"free_mail"}
    assert email_signals("a@x.example", "grace.l@gmail.com", "Freelance designer") == []


def test_domain_must_resemble_the_organisation():
    assert email_signals("a@x.example", "grace@northwind-analytics.com", "Northwind Analytics Ltd") == []
    assert email_signals("a@x.example", "g@nwa.co.uk", "Northwind West Analytics") == []
    mismatch = email_signals("a@x.example", "grace@quickrefs.io", "Northwind Analytics Ltd")
    assert rules(mismatch) == {"domain_mismatch"}
    assert "quickrefs.io" in mismatch[0].detail and "grace" not in mismatch[0].detail


def test_submission_network_and_pace():
    assert rules(submission_signals("h1", "h1", [], 600, 15)) == {"same_network_as_candidate"}
    assert rules(submission_signals("h2", "h1", ["h2"], 600, 15)) == {"shared_network"}
    assert rules(submission_signals("h2", "h1", ["h3"], 40, 15)) == {"too_fast"}
    assert submission_signals("h2", "h1", ["h3"], 600, 15) == []


def test_staff_see_signals_with_their_rule(app, client, sent_case, staff):
    candidate = app.test_client()
    enter_portal(candidate, sent_case)
    consent(candidate)
    nominate(candidate, **{**MANAGER, "email": "grace.lindqvist@gmail.com"})
    with app.app_context():
        (signal,) = db.session.execute(sa.select(FraudSignal)).scalars().all()
        assert signal.rule == "free_mail" and "grace" not in signal.detail
    sign_in(client, staff)
    page = client.get(f"/staff/cases/{sent_case.id}")
    assert b"A personal address (gmail.com) for someone at a named organisation." in page.data
    assert b"free_mail" in page.data
