"""The API as a hiring system meets it: keys, packages, ordering, reading, listing, cancelling, reports.

Every refusal is JSON problem details with a stable type; another organisation's check is a 404 that
says nothing more than a missing one.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa

from refcheck import cases, create_app, report
from refcheck.api_models import ApiKey, CheckEvent, IdempotentRequest
from refcheck.extensions import db, limiter
from refcheck.models import AuditEvent, Case, Finding, OutboxMessage, Referee, utcnow

from .api_helpers import HOME_ORG, OTHER_ORG, bearer, make_key, order_body, ready
from .lifecycle_cases import build
from .test_client import add_package

API = "/api/v1"


def test_a_key_is_printed_once_kept_as_a_hash_listed_by_its_prefix_and_revoked_at_once(app, client):
    key = make_key(app, name="Workable")
    assert key.startswith("rck_") and len(key) > 40
    with app.app_context():
        row = db.session.execute(sa.select(ApiKey)).scalar_one()
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        # Nowhere in the table is the key itself.
        assert key not in " ".join(str(value) for value in row.__dict__.values())
    listed = app.test_cli_runner().invoke(args=["api-keys", "list"])
    assert f"{key[:12]}…" in listed.output and key not in listed.output and "live" in listed.output
    assert client.get(f"{API}/packages", headers=bearer(key)).status_code == 200
    revoked = app.test_cli_runner().invoke(args=["api-keys", "revoke", str(row.id)])
    assert revoked.exit_code == 0, revoked.output
    refused = client.get(f"{API}/packages", headers=bearer(key))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.json["type"] == f"{API}/docs#problem-unauthorized"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    # A wrong key and no key are told apart by nothing.
    for headers in (bearer("rck_" + "x" * 43), {}):
        other = client.get(f"{API}/packages", headers=headers)
        assert (other.status_code, other.json["detail"]) == (refused.status_code, refused.json["detail"])


def test_a_key_for_an_unknown_organisation_is_refused_by_the_cli(app):
    result = app.test_cli_runner().invoke(args=["api-keys", "create", "--organisation", "Nobody Ltd"])
    assert result.exit_code != 0 and "no organisation called" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(ApiKey)).scalar_one() == 0


def test_packages_are_the_organisations_own(app, client):
    key, package_id = ready(app)
    theirs = add_package(app, OTHER_ORG, name="Their package")
    listed = client.get(f"{API}/packages", headers=bearer(key)).json
    assert [item["id"] for item in listed["data"]] == [package_id]
    shown = listed["data"][0]
    assert shown["checks"] and shown["referees"]["min"] >= 2 and shown["retention_days"] > 0
    assert client.get(f"{API}/packages/{package_id}", headers=bearer(key)).json == shown
    assert client.get(f"{API}/packages/{theirs}", headers=bearer(key)).status_code == 404


def test_an_order_opens_the_check_invites_the_candidate_and_is_audited(app, client):
    key, package_id = ready(app)
    answer = client.post(f"{API}/checks", json=order_body(package_id), headers=bearer(key))
    assert answer.status_code == 201, answer.json
    check = answer.json
    assert check["state"] == "awaiting_consent" and check["client_reference"] == "ATS-1001"
    # Nothing personal comes back: the hiring system holds what it sent, under the id and its reference.
    assert "candidate" not in check and "Lena" not in answer.get_data(as_text=True)
    assert check["next_step"]["who"] == "the candidate"
    assert check["report"] is None and check["findings"] is None
    assert [step["key"] for step in check["timeline"]][:2] == ["opened", "consent"]
    with app.app_context():
        case = db.session.get(Case, check["id"])
        assert case.api_key_id is not None and case.created_by_id is None and case.package_id == package_id
        kinds = db.session.execute(
            sa.select(OutboxMessage.kind).where(OutboxMessage.case_id == case.id)).scalars()
        assert list(kinds) == ["candidate_invitation"]
        actions = db.session.execute(sa.select(AuditEvent.action, AuditEvent.actor).where(
            AuditEvent.case_id == case.id).order_by(AuditEvent.id)).all()
        assert [a for a, _ in actions] == ["case.opened", "candidate.invited", "api.called"]
        assert {actor for _, actor in actions} == {f"api-key:{case.api_key_id}"}


def test_bad_orders_are_refused_field_by_field_and_nothing_is_kept(app, client):
    key, package_id = ready(app)
    theirs = add_package(app, OTHER_ORG, name="Their package")
    cases_ = [
        (order_body(package_id, candidate={"name": "  ", "email": "not an address"}), 422,
         {"candidate.name", "candidate.email"}),
        (order_body(package_id, position="x" * 201, surprise=1), 422, {"position", "(body)"}),
        ({"position": "Analyst"}, 422, {"package_id", "candidate"}),
        (order_body(theirs), 422, {"package_id"}),
        (order_body(package_id, due_date="2026-02-30"), 422, {"due_date"}),
        (order_body(package_id, due_date=utcnow().date().isoformat()), 422, {"due_date"}),
    ]
    for body, status, fields in cases_:
        answer = client.post(f"{API}/checks", json=body, headers=bearer(key))
        assert answer.status_code == status, (body, answer.json)
        assert answer.mimetype == "application/problem+json"
        assert {error["field"] for error in answer.json["errors"]} == fields, answer.json
        assert all(error["message"].endswith(".") for error in answer.json["errors"])
    not_json = client.post(f"{API}/checks", data="package_id=1", headers=bearer(key))
    assert not_json.status_code == 400 and not_json.json["type"].endswith("problem-invalid-json")
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one() == 0
        assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one() == 0


def test_a_retry_with_the_same_idempotency_key_returns_the_first_check_and_another_is_refused(app, client):
    key, package_id = ready(app)
    headers = bearer(key, **{"Idempotency-Key": "order-7f3a"})
    first = client.post(f"{API}/checks", json=order_body(package_id), headers=headers)
    again = client.post(f"{API}/checks", json=order_body(package_id), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    changed = client.post(f"{API}/checks", json=order_body(package_id, position="Engineer"), headers=headers)
    assert changed.status_code == 422 and changed.json["type"].endswith("problem-idempotency-key-reused")
    # Another key may use the same words: keys are each their own.
    other = client.post(f"{API}/checks", json=order_body(package_id),
                        headers=bearer(make_key(app), **{"Idempotency-Key": "order-7f3a"}))
    assert other.status_code == 201 and other.json["id"] != first.json["id"]
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one() == 2
        invitations = db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one()
        assert invitations == 2
        assert db.session.execute(sa.select(sa.func.count()).select_from(IdempotentRequest)).scalar_one() == 2


def test_another_organisations_check_is_missing_and_the_list_holds_only_ones_own(app, client, staff):
    key, package_id = ready(app, OTHER_ORG)
    ours = client.post(f"{API}/checks", json=order_body(package_id), headers=bearer(key)).json["id"]
    theirs = build(app, staff.id, "released").case_id  # Northwind's
    missing = client.get(f"{API}/checks/999999", headers=bearer(key))
    for url in (f"/checks/{theirs}", f"/checks/{theirs}/report", f"/checks/{theirs}/report.pdf"):
        answer = client.get(API + url, headers=bearer(key))
        assert answer.status_code == 404 and answer.json["detail"] == missing.json["detail"]
    cancel = client.post(f"{API}/checks/{theirs}/cancel", json={"reason": "No."}, headers=bearer(key))
    assert cancel.status_code == 404
    assert [item["id"] for item in client.get(f"{API}/checks", headers=bearer(key)).json["data"]] == [ours]
    with app.app_context():
        assert db.session.get(Case, theirs).state == "released"


def test_the_list_filters_and_pages_with_a_cursor(app, client):
    key, package_id = ready(app)
    made = [client.post(f"{API}/checks", json=order_body(package_id, client_reference=f"R-{n}"),
                        headers=bearer(key)).json["id"] for n in range(3)]
    first = client.get(f"{API}/checks?limit=2", headers=bearer(key)).json
    assert [item["id"] for item in first["data"]] == made[::-1][:2] and first["next_cursor"]
    second = client.get(f"{API}/checks?limit=2&cursor={first['next_cursor']}", headers=bearer(key)).json
    assert [item["id"] for item in second["data"]] == [made[0]] and second["next_cursor"] is None
    found = client.get(f"{API}/checks?client_reference=R-1", headers=bearer(key)).json["data"]
    assert [item["id"] for item in found] == [made[1]]
    assert client.get(f"{API}/checks?state=released", headers=bearer(key)).json["data"] == []
    for query in ("state=lost", "limit=0", "limit=abc", "cursor=Zm9vOmJhcg", "created_after=yesterday"):
        answer = client.get(f"{API}/checks?{query}", headers=bearer(key))
        assert answer.status_code == 422, query
        assert answer.json["errors"][0]["field"] == query.split("=")[0]


def test_cancelling_stops_the_check_once_and_tells_the_events(app, client):
    key, package_id = ready(app)
    check = client.post(f"{API}/checks", json=order_body(package_id), headers=bearer(key)).json
    blank = client.post(f"{API}/checks/{check['id']}/cancel", json={"reason": " "}, headers=bearer(key))
    assert blank.status_code == 422 and blank.json["errors"][0]["field"] == "reason"
    done = client.post(f"{API}/checks/{check['id']}/cancel", json={"reason": "The role was filled."},
                       headers=bearer(key))
    assert done.status_code == 200 and done.json["state"] == "cancelled"
    again = client.post(f"{API}/checks/{check['id']}/cancel", json={"reason": "Again."}, headers=bearer(key))
    assert again.status_code == 409 and again.json["type"].endswith("problem-state-conflict")
    assert again.json["detail"] == "We could not cancel the case: the check was cancelled."
    events = client.get(f"{API}/events", headers=bearer(key)).json
    assert [event["type"] for event in events["data"]] == ["check.cancelled"]
    assert events["data"][0]["data"] == {"check_id": check["id"], "state": "cancelled"}
    with app.app_context():
        refused = db.session.execute(sa.select(AuditEvent.details).where(
            AuditEvent.action == "action.refused")).scalar_one()
        assert refused["command"] == "case.cancel" and refused["why"] == "state"


def test_before_release_nothing_but_state_and_dates_and_after_it_the_same_report(app, client, staff):
    key = make_key(app)
    collecting = build(app, staff.id, "collecting").case_id
    released = build(app, staff.id, "released").case_id
    shown = client.get(f"{API}/checks/{collecting}", headers=bearer(key)).json
    assert shown["findings"] is None and shown["report"] is None
    not_yet = client.get(f"{API}/checks/{collecting}/report.pdf", headers=bearer(key))
    assert not_yet.status_code == 404 and not_yet.json["type"].endswith("problem-not-released")
    after = client.get(f"{API}/checks/{released}", headers=bearer(key)).json
    pdf = client.get(f"{API}/checks/{released}/report.pdf", headers=bearer(key))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    with app.app_context():
        stored = report.latest(db.session.get(Case, released))
        assert hashlib.sha256(pdf.data).hexdigest() == stored.sha256 == after["report"]["sha256"]
        assert after["report"]["fingerprint"] == stored.fingerprint
        assert after["report"]["language"] == stored.language == "en"
        answered = db.session.execute(sa.select(sa.func.count()).select_from(Referee).where(
            Referee.case_id == released, Referee.state == "submitted")).scalar_one()
        facts = db.session.execute(sa.select(sa.func.count()).select_from(Finding).where(
            Finding.case_id == released)).scalar_one()
    assert after["findings"]["referees_answered"] == answered >= 1
    assert after["findings"]["facts_compared"] == facts >= 1
    meta = client.get(f"{API}/checks/{released}/report", headers=bearer(key)).json
    assert meta == after["report"]
    # Nothing staff wrote to the candidate, nor any referee's name, reaches the hiring system.
    text = str(after) + str(shown)
    for private in ("Grace", "Tomás", "When will my referees be asked?"):
        assert private not in text


def test_events_follow_the_check_and_a_poller_catches_up_from_its_cursor(app, client, staff):
    key = make_key(app)
    built = build(app, staff.id, "released")
    page = client.get(f"{API}/events?limit=2", headers=bearer(key)).json
    rest = client.get(f"{API}/events?cursor={page['next_cursor']}", headers=bearer(key)).json
    types = [event["type"] for event in page["data"] + rest["data"]]
    assert types == ["check.consented", "check.referee_answered", "check.findings_sent", "check.released"]
    released = (page["data"] + rest["data"])[-1]
    assert released["data"]["check_id"] == built.case_id and released["data"]["version"] == 1
    assert released["id"].startswith("evt_") and released["timestamp"].endswith("Z")
    # Polling again from the last cursor finds nothing new, and keeps the place.
    later = client.get(f"{API}/events?cursor={rest['next_cursor']}", headers=bearer(key)).json
    assert later == {"data": [], "next_cursor": rest["next_cursor"]}
    only = client.get(f"{API}/events?type=check.released&check_id={built.case_id}", headers=bearer(key)).json
    assert [event["id"] for event in only["data"]] == [released["id"]]
    # Another organisation's key hears nothing of this check.
    assert client.get(f"{API}/events", headers=bearer(make_key(app, OTHER_ORG))).json["data"] == []


def test_a_delay_event_gives_the_services_reason_never_the_words_staff_wrote(app, client, staff):
    key = make_key(app)
    built = build(app, staff.id, "nominating")
    with app.app_context():
        late = utcnow().replace(year=utcnow().year + 1)
        cases.explain_delay(built.case_id, built.staff, "PLANTED: the candidate is in hospital", late)
        db.session.commit()
        event = db.session.execute(
            sa.select(CheckEvent).where(CheckEvent.type == "check.delayed")).scalar_one()
    assert event.payload["data"]["step"] == "nominating"
    assert event.payload["data"]["reason"] == "We are waiting for you to name your referees."
    listed = client.get(f"{API}/events?type=check.delayed", headers=bearer(key)).json["data"]
    assert "PLANTED" not in str(listed) and listed[0]["data"]["expected_by"]


def test_errors_outside_the_routes_are_json_too(app, client):
    key = make_key(app)
    for method, url, status in (("GET", f"{API}/nowhere", 404), ("DELETE", f"{API}/checks", 405),
                                ("GET", f"{API}/checks/abc", 404)):
        answer = client.open(url, method=method, headers=bearer(key))
        assert answer.status_code == status and answer.mimetype == "application/problem+json"
        assert answer.json["status"] == status and answer.json["type"].startswith(f"{API}/docs#problem-")
    not_allowed = client.post(f"{API}/packages", headers=bearer(key))
    assert not_allowed.status_code == 405
    assert set(not_allowed.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    for url in (f"{API}/checks/9223372036854775808", f"{API}/packages/99999999999"):
        assert client.get(url, headers=bearer(key)).status_code == 404, url
    big = client.post(f"{API}/checks", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                      headers=bearer(key, **{"Content-Type": "application/json"}))
    assert big.status_code == 413 and big.mimetype == "application/problem+json"


def test_a_key_has_its_own_rate_limit_answered_in_json(app):
    first, second = make_key(app), make_key(app)
    shared = ("TESTING", "INSTANCE_PATH", "SQLALCHEMY_DATABASE_URI", "KEYSTORE_URL", "BASE_URL")
    # The same database, served by an app whose limits are on (the suite's apps have them off).
    limited_app = create_app({**{name: app.config[name] for name in shared}, "RATELIMIT_ENABLED": True,
                              "RATELIMIT_STORAGE_URI": "memory://", "API_RATE_LIMIT": "3 per minute"})
    try:
        browser = limited_app.test_client()
        answers = [browser.get(f"{API}/packages", headers=bearer(first)).status_code for _ in range(4)]
        limited = browser.get(f"{API}/packages", headers=bearer(first))
        other = browser.get(f"{API}/packages", headers=bearer(second)).status_code
        # Keys made up on the spot share their address's allowance: a new one per call gains nothing.
        made_up = [browser.get(f"{API}/packages", headers=bearer(f"rck_made-up-{n}")).status_code
                   for n in range(4)]
    finally:
        with limited_app.app_context():
            db.engine.dispose()
        limiter.enabled = False
    assert answers == [200, 200, 200, 429]
    assert limited.mimetype == "application/problem+json" and int(limited.headers["Retry-After"]) > 0
    assert limited.json["type"].endswith("problem-rate-limited")
    assert other == 200
    assert made_up == [401, 401, 401, 429]


def test_the_document_describes_exactly_the_routes_there_are(app, client):
    document = client.get(f"{API}/openapi.json").json
    assert document["openapi"].startswith("3.1")
    described = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi", "api.docs"):
            path = rule.rule.removeprefix(API).replace("<int:", "{").replace(">", "}")
            served |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == served
    page = client.get(f"{API}/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "POST /checks" in text and 'id="problem-validation"' in text
    assert HOME_ORG not in text


def test_an_idempotency_key_is_remembered_for_a_day_then_may_order_again_and_is_purged(app, client):
    key, package_id = ready(app)
    headers = bearer(key, **{"Idempotency-Key": "daily-order"})
    first = client.post(f"{API}/checks", json=order_body(package_id), headers=headers).json["id"]
    with app.app_context():
        db.session.execute(sa.update(IdempotentRequest).values(created_at=utcnow() - dt.timedelta(hours=25)))
        db.session.commit()
    later = client.post(f"{API}/checks", json=order_body(package_id, position="Engineer"), headers=headers)
    assert later.status_code == 201 and later.json["id"] != first
    with app.app_context():
        db.session.execute(sa.update(IdempotentRequest).values(created_at=utcnow() - dt.timedelta(hours=25)))
        db.session.commit()
    purged = app.test_cli_runner().invoke(args=["retention", "purge"])
    assert "1 expired Idempotency-Key records deleted" in purged.output, purged.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(IdempotentRequest)).scalar_one() == 0


def test_expired_idempotency_records_are_deleted_a_batch_at_a_time(app, client):
    from refcheck import api_keys

    key, package_id = ready(app)
    for n in range(3):
        client.post(f"{API}/checks", json=order_body(package_id, position=f"Role {n}"),
                    headers=bearer(key, **{"Idempotency-Key": f"order-{n}"}))
    with app.app_context():
        db.session.execute(sa.update(IdempotentRequest).values(created_at=utcnow() - dt.timedelta(hours=25)))
        db.session.commit()
        assert [api_keys.forget_orders(utcnow(), 24, batch=2) for _ in range(3)] == [2, 1, 0]
        db.session.commit()
        assert db.session.execute(sa.select(sa.func.count()).select_from(IdempotentRequest)).scalar_one() == 0
