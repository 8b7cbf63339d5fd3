"""Webhooks as a receiver meets them: signed as Standard Webhooks says, in order per check, at least once,
retried with growing waits, stopped after days of failure with admins told, and sent only where allowed.

The receiver is a real HTTP server on loopback, and each signature is checked with the `standardwebhooks`
package, not with refcheck's own code.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from refcheck import cases, outbound, webhooks
from refcheck.api_models import CheckEvent, WebhookDelivery, WebhookEndpoint
from refcheck.extensions import db
from refcheck.models import AuditEvent, OutboxMessage, utcnow

from .api_helpers import HOME_ORG, OTHER_ORG, bearer, make_key
from .conftest import CANDIDATE
from .lifecycle_cases import build
from .test_client import move_to, organisation_id
from .webhook_receiver import Receiver


@pytest.fixture
def receiver(app):
    """A receiver on loopback, which this test's app may send to."""
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True
    app.config["WEBHOOK_TIMEOUT"] = 2
    running = Receiver().start()
    yield running
    running.stop()


def register(app, url: str, org: str = HOME_ORG, *events: str) -> tuple[str, str]:
    """Register an endpoint with the CLI; return its id and the secret it printed last."""
    organisation_id(app, org)
    args = ["webhooks", "add", "--organisation", org, "--url", url]
    for event in events:
        args += ["--event", event]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    return lines[0].split()[1], lines[-1]


def send(app, at: dt.datetime | None = None) -> webhooks.Run:
    """Run one `webhooks send` pass as cron would, at a given moment."""
    with app.app_context():
        return webhooks.send(webhooks.poster_from(app.config), lambda: at or utcnow())


def verified(secret: str, receiver: Receiver) -> list[dict]:
    """Verify every request the receiver got with the standardwebhooks package; return the payloads."""
    return [Webhook(secret).verify(got.body, got.headers) for got in receiver.received]


def test_events_arrive_signed_in_order_and_match_the_event_list(app, receiver, staff, client):
    endpoint_id, secret = register(app, receiver.url)
    built = build(app, staff.id, "released")
    result = app.test_cli_runner().invoke(args=["webhooks", "send"])
    assert "Delivered 4, failed 0" in result.output, result.output
    payloads = verified(secret, receiver)
    assert [p["type"] for p in payloads] == [
        "check.consented", "check.referee_answered", "check.findings_sent", "check.released"]
    assert {p["data"]["check_id"] for p in payloads} == {built.case_id}
    # The webhook-id is the event's id in the API's event list: a receiver can tell a retry from news.
    listed = client.get("/api/v1/events", headers=bearer(make_key(app))).json["data"]
    assert [got.headers["webhook-id"] for got in receiver.received] == [event["id"] for event in listed]
    # Ids, states and dates: no name, address or answer of anyone.
    for got in receiver.received:
        text = got.body.decode()
        assert CANDIDATE[0] not in text and CANDIDATE[1] not in text and "Grace" not in text
    # A signature made with another secret does not verify: the check above could fail.
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(receiver.received[0].body, receiver.received[0].headers)
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint_id).failing_since is None


def test_an_endpoint_hears_only_its_organisation_and_the_types_it_asked_for(app, receiver, staff):
    _, secret = register(app, receiver.url, HOME_ORG, "check.released")
    elsewhere = Receiver().start()
    try:
        register(app, elsewhere.url, OTHER_ORG)
        build(app, staff.id, "released")
        send(app)
        assert [p["type"] for p in verified(secret, receiver)] == ["check.released"]
        assert elsewhere.received == []
    finally:
        elsewhere.stop()


def test_a_failure_is_retried_after_a_wait_and_the_checks_later_events_wait_for_it(app, receiver, staff):
    endpoint_id, secret = register(app, receiver.url)
    first = build(app, staff.id, "nominating")
    with app.app_context():
        cases.cancel_case(first.case_id, first.staff, "The role closed.", utcnow())
        db.session.commit()
    second = build(app, staff.id, "declined")
    receiver.answers.extend([500])
    start = utcnow()
    run = send(app, start)
    assert (run.delivered, run.failed) == (1, 1)
    sent = [(p["data"]["check_id"], p["type"]) for p in verified(secret, receiver)]
    # The first check's consent failed, so its cancellation waits; the other check is not held up.
    assert sent == [(first.case_id, "check.consented"), (second.case_id, "check.declined")]
    assert send(app, start + dt.timedelta(seconds=1)).delivered == 0  # still waiting
    assert len(receiver.received) == 2
    later = send(app, start + dt.timedelta(seconds=10))
    assert later.delivered == 2
    sent = [(p["data"]["check_id"], p["type"]) for p in verified(secret, receiver)]
    assert sent[2:] == [(first.case_id, "check.consented"), (first.case_id, "check.cancelled")]
    assert receiver.received[0].headers["webhook-id"] == receiver.received[2].headers["webhook-id"]
    with app.app_context():
        retried = db.session.execute(
            sa.select(WebhookDelivery).order_by(WebhookDelivery.event_id)).scalars().first()
        assert retried.attempts == 2 and retried.last_error is None and retried.delivered_at is not None
        assert db.session.get(WebhookEndpoint, endpoint_id).failing_since is None


def test_a_receiver_down_for_days_is_stopped_with_admins_told_and_resumes_in_order_when_started(
        app, receiver, staff):
    endpoint_id, secret = register(app, receiver.url)
    port = receiver.port
    receiver.stop()
    built = build(app, staff.id, "nominating")
    start = utcnow()
    assert send(app, start).failed == 1
    with app.app_context():
        delivery = db.session.execute(sa.select(WebhookDelivery)).scalar_one()
        assert delivery.last_error == "ConnectionRefusedError" and delivery.attempts == 1
    # Days later, still down: the endpoint stops and every admin is emailed.
    run = send(app, start + dt.timedelta(days=5, minutes=1))
    assert run.stopped == [endpoint_id]
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint.disabled_at is not None and "failed for 5 days" in endpoint.disabled_reason
        told = db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "webhook_disabled")).scalar_one()
        assert told.unseal("recipient_enc") == staff.email and endpoint_id in told.unseal("body_enc")
        assert db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "webhook.disabled")).scalar_one()
        cases.cancel_case(built.case_id, built.staff, "The role closed.", utcnow())
        db.session.commit()
    # Stopped: nothing is tried, though an event came meanwhile and waits.
    receiver.start(port)
    assert send(app, start + dt.timedelta(days=6)).delivered == 0 and receiver.received == []
    enabled = app.test_cli_runner().invoke(args=["webhooks", "enable", endpoint_id])
    assert enabled.exit_code == 0, enabled.output
    assert send(app, start + dt.timedelta(days=6)).delivered == 2
    assert [p["type"] for p in verified(secret, receiver)] == ["check.consented", "check.cancelled"]


def test_a_gone_endpoint_stops_at_once_and_a_redirect_is_not_followed(app, receiver, staff):
    elsewhere = Receiver().start()
    try:
        receiver.answers.extend([302])
        receiver.location = elsewhere.url
        endpoint_id, _ = register(app, receiver.url)
        build(app, staff.id, "declined")
        assert send(app).failed == 1
        assert elsewhere.received == []
        with app.app_context():
            assert db.session.execute(sa.select(WebhookDelivery.last_error)).scalar_one() == "HTTP 302"
        receiver.answers.extend([410])
        send(app, utcnow() + dt.timedelta(minutes=1))
        with app.app_context():
            assert "410 Gone" in db.session.get(WebhookEndpoint, endpoint_id).disabled_reason
    finally:
        elsewhere.stop()


def test_a_receiver_that_does_not_answer_in_time_is_a_failure(app, receiver, staff):
    app.config["WEBHOOK_TIMEOUT"] = 0.5
    receiver.delay = 2
    register(app, receiver.url)
    build(app, staff.id, "declined")
    assert send(app).failed == 1
    with app.app_context():
        assert db.session.execute(sa.select(WebhookDelivery.last_error)).scalar_one() == "TimeoutError"


def test_two_senders_at_once_deliver_each_event_once(app, receiver, staff):
    register(app, receiver.url)
    for state in ("released", "declined", "withdrawn"):
        build(app, staff.id, state)
    receiver.delay = 0.05
    done: list[webhooks.Run] = []
    runs = [threading.Thread(target=lambda: done.append(send(app))) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    ids = [got.headers["webhook-id"] for got in receiver.received]
    with app.app_context():
        events = db.session.execute(sa.select(CheckEvent.public_id)).scalars().all()
    assert sorted(ids) == sorted(events) and len(set(ids)) == len(ids)
    # Both senders finished (a crash would leave one Run short), and between them sent each event once.
    assert len(done) == 2 and sum(run.delivered for run in done) == len(events)


@pytest.mark.parametrize("url, allow_http, allow_private, refusal", [
    ("http://127.0.0.1:9/hook", True, False, "private, loopback"),
    ("http://localhost/hook", True, False, "private, loopback"),
    ("https://10.1.2.3/hook", True, False, "private, loopback"),
    ("https://169.254.169.254/latest/meta-data", True, False, "private, loopback"),
    ("https://[::1]/hook", True, False, "private, loopback"),
    ("https://[::ffff:127.0.0.1]/hook", True, False, "private, loopback"),
    ("https://100.64.0.1/hook", True, False, "private, loopback"),
    ("http://93.184.216.34/hook", False, False, "must start with https://"),
    ("https://user:pw@93.184.216.34/hook", True, False, "user name or password"),
    ("ftp://93.184.216.34/hook", True, False, "must start with"),
    ("https:///hook", True, False, "host name"),
    ("https://example.com/café", True, False, "plain ASCII"),
    # IPv6 ways into an IPv4 network, which Python may call global: NAT64, 6to4, Teredo, IPv4-compatible,
    # IPv4-translated, and the deprecated site-local range.
    ("https://[64:ff9b::a00:1]/hook", True, False, "private, loopback"),
    ("https://[2002:a9fe:a9fe::1]/hook", True, False, "private, loopback"),
    ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook", True, False, "private, loopback"),
    ("https://[::7f00:1]/hook", True, False, "private, loopback"),
    ("https://[::ffff:0:7f00:1]/hook", True, False, "private, loopback"),
    ("https://[fec0::1]/hook", True, False, "private, loopback"),
])
def test_addresses_refcheck_will_not_send_to(url, allow_http, allow_private, refusal):
    with pytest.raises(outbound.Refused, match=refusal):
        target = outbound.parse(url, allow_http)
        outbound.public_address(target.host, target.port, allow_private)


def test_a_public_address_is_allowed_and_loopback_only_when_the_operator_says(app):
    target = outbound.parse("https://93.184.216.34/hook?x=1", allow_http=False)
    assert outbound.public_address(target.host, target.port, allow_private=False) == "93.184.216.34"
    assert target.path == "/hook?x=1"
    assert outbound.public_address("127.0.0.1", 80, allow_private=True) == "127.0.0.1"
    organisation_id(app, HOME_ORG)
    refused = app.test_cli_runner().invoke(args=["webhooks", "add", "--organisation", HOME_ORG,
                                                 "--url", "http://127.0.0.1:9/hook"])
    assert refused.exit_code != 0 and "private" in refused.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(WebhookEndpoint)).scalar_one() == 0


def test_what_is_signed_is_the_body_sent(app, receiver, staff):
    _, secret = register(app, receiver.url)
    build(app, staff.id, "declined")
    send(app)
    got = receiver.received[0]
    assert got.headers["content-type"] == "application/json"
    assert json.loads(got.body) == Webhook(secret).verify(got.body, got.headers)
    assert abs(int(got.headers["webhook-timestamp"]) - utcnow().timestamp()) < 60


def test_no_lock_or_transaction_is_held_while_a_receiver_is_waited_on(app, receiver, staff):
    """While the receiver holds the request, another writer gets the database at once (SQLite) and no
    transaction of the sender's is left open (PostgreSQL)."""
    register(app, receiver.url)
    build(app, staff.id, "declined")
    seen: list[str] = []

    def write_meanwhile() -> None:
        with app.app_context():
            engine = db.engine
            if engine.dialect.name == "sqlite":
                connection = sqlite3.connect(engine.url.database, timeout=0.2)
                try:
                    connection.execute("BEGIN IMMEDIATE")
                    connection.rollback()
                    seen.append("free")
                except sqlite3.OperationalError as err:
                    seen.append(str(err))
                finally:
                    connection.close()
            else:
                with engine.connect() as connection:
                    idle = connection.execute(sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state = 'idle in transaction'")).scalar_one()
                    seen.append("free" if idle == 0 else f"{idle} idle in transaction")

    receiver.on_request = write_meanwhile
    assert send(app).delivered == 1
    assert seen == ["free"]


def test_a_receiver_that_drips_its_answer_is_cut_off(app, receiver, staff):
    app.config["WEBHOOK_TIMEOUT"] = 0.5
    receiver.drip = True
    register(app, receiver.url)
    build(app, staff.id, "declined")
    started = time.monotonic()
    assert send(app).failed == 1
    # Each byte came within the socket's timeout; the whole request was still stopped at twice it.
    assert time.monotonic() - started < 5


def test_one_dead_endpoint_does_not_hold_up_another_organisations(app, receiver, staff):
    app.config["WEBHOOK_TIMEOUT"] = 0.3
    dead = Receiver(delay=5).start()
    try:
        register(app, dead.url, HOME_ORG)
        _, secret = register(app, receiver.url, OTHER_ORG)
        for _ in range(3):
            build(app, staff.id, "declined")  # Northwind's: the dead endpoint's
        theirs = build(app, staff.id, "draft").case_id
        move_to(app, theirs, OTHER_ORG)
        build(app, staff.id, "declined", case_id=theirs)
        run = send(app)
        assert run.failed == 1  # the dead endpoint was tried once, then passed over for this run
        assert [p["data"]["check_id"] for p in verified(secret, receiver)] == [theirs]
    finally:
        dead.stop()


def test_whatever_a_send_raises_is_recorded_and_waits_its_turn(app, receiver, staff):
    register(app, receiver.url)
    build(app, staff.id, "declined")

    def odd(url, body, headers):
        raise ValueError("not a network error at all")

    with app.app_context():
        run = webhooks.send(odd, utcnow)
        delivery = db.session.execute(sa.select(WebhookDelivery)).scalar_one()
        assert (run.failed, delivery.attempts, delivery.last_error) == (1, 1, "ValueError")
        assert delivery.next_attempt_at > utcnow()


def test_a_stopped_endpoint_can_be_removed_and_its_alert_still_reads(app, receiver, staff):
    endpoint_id, _ = register(app, receiver.url)
    receiver.answers.extend([410])
    build(app, staff.id, "declined")
    assert send(app).stopped == [endpoint_id]
    removed = app.test_cli_runner().invoke(args=["webhooks", "remove", endpoint_id])
    assert removed.exit_code == 0, removed.output
    with app.app_context():
        alert = db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "webhook_disabled")).scalar_one()
        assert "410 Gone" in alert.unseal("body_enc")


def test_an_address_with_a_token_in_its_query_is_not_shown_in_full(app, receiver):
    endpoint_id, _ = register(app, receiver.url + "?token=s3cr3t")
    listed = app.test_cli_runner().invoke(args=["webhooks", "list"]).output
    assert endpoint_id in listed and "s3cr3t" not in listed and "?…" in listed
