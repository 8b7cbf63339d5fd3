"""A whole check driven from a hiring system: ordered through the API, consented to and answered in the
pages, released by staff, heard of by a real receiver on loopback (signatures checked with the
`standardwebhooks` package), and its report downloaded through the API, byte for byte the pages' file.
"""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from refcheck.extensions import db
from refcheck.models import OutboxMessage

from .api_helpers import HOME_ORG, bearer, order_body, ready
from .conftest import (
    MANAGER,
    SentCase,
    consent,
    csrf_from,
    enter_portal,
    invitation_links,
    nominate,
    peer,
    release_case,
    state_work_history,
)
from .test_webhooks import register, send, verified
from .webhook_receiver import Receiver

API = "/api/v1"


def _candidate_link(app, check_id: int) -> str:
    """Return the token of the link the candidate was emailed with the order."""
    with app.app_context():
        body = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.case_id == check_id, OutboxMessage.kind == "candidate_invitation")).scalar_one()
        return re.search(rf"/c/{check_id}/(\S+)", body.unseal("body_enc")).group(1)


def test_a_check_ordered_through_the_api_ends_in_the_same_report_and_every_event_is_heard(app, client, staff):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True
    receiver = Receiver().start()
    try:
        _, secret = register(app, receiver.url, HOME_ORG)
        key, package_id = ready(app)
        ordered = client.post(f"{API}/checks", json=order_body(package_id, candidate={
            "name": "Amira Okafor", "email": "amira.okafor@candidate.example"}),
            headers=bearer(key, **{"Idempotency-Key": "journey-1"}))
        assert ordered.status_code == 201, ordered.json
        check_id = ordered.json["id"]
        assert ordered.json["next_step"]["key"] == "consent"

        # The candidate, in the pages: reads the scope, agrees, names referees and states their history.
        candidate = app.test_client()
        sent = SentCase(check_id, _candidate_link(app, check_id), "Amira Okafor",
                        "amira.okafor@candidate.example")
        assert enter_portal(candidate, sent).status_code == 303
        consent(candidate, "Amira Okafor")
        nominate(candidate, **MANAGER)
        nominate(candidate, **peer(1))
        state_work_history(candidate)
        page = candidate.get("/portal/referees")
        assert candidate.post("/portal/referees/invite",
                              data={"csrf_token": csrf_from(page.data)}).status_code == 303
        midway = client.get(f"{API}/checks/{check_id}", headers=bearer(key)).json
        assert midway["state"] == "collecting" and midway["report"] is None

        # The referees answer, staff review, the candidate replies, staff release: all in the pages.
        release_case(app, candidate, invitation_links(app), staff, sent, answer="Led the platform work.",
                     reply="That is right.", note="Checked with the referee.")

        # The hiring system hears each step, signed, in order, and reads the same report.
        run = send(app)
        assert run.failed == 0
        heard = verified(secret, receiver)
        assert [event["type"] for event in heard] == [
            "check.consented", "check.referee_answered", "check.referee_answered", "check.findings_sent",
            "check.released"]
        released = heard[-1]["data"]
        assert released["check_id"] == check_id and released["state"] == "released"
        assert released["language"] == "en"  # the language the report is written in
        pdf = client.get(f"{API}/checks/{check_id}/report.pdf", headers=bearer(key))
        assert pdf.status_code == 200
        assert hashlib.sha256(pdf.data).hexdigest() == released["sha256"]
        # The candidate's own download, in the pages, is the very same file.
        theirs = candidate.get("/portal/report.pdf")
        assert theirs.status_code == 200 and theirs.data == pdf.data
        final = client.get(f"{API}/checks/{check_id}", headers=bearer(key)).json
        assert final["state"] == "released" and final["report"]["sha256"] == released["sha256"]
        assert final["findings"]["referees_answered"] == 2
        # A retry of the first order, long after, is still that check, and made nothing new.
        again = client.post(f"{API}/checks", json=order_body(package_id, candidate={
            "name": "Amira Okafor", "email": "amira.okafor@candidate.example"}),
            headers=bearer(key, **{"Idempotency-Key": "journey-1"}))
        assert again.json["id"] == check_id and again.json["state"] == "released"
        assert Webhook(secret).verify(receiver.received[-1].body, receiver.received[-1].headers)
    finally:
        receiver.stop()
