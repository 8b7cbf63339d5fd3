"""The API's promises under concurrency, at four gunicorn workers, on SQLite and on PostgreSQL: twin orders
with one Idempotency-Key make one check and one email, and a check cancelled ten times at once is
cancelled once, with one event.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import sqlalchemy as sa

from refcheck.api_models import CheckEvent, IdempotentRequest
from refcheck.extensions import db
from refcheck.models import Case, OutboxMessage

from ..api_helpers import bearer, order_body, ready


def _at_once(base: str, key: str, path: str, bodies: list[dict],
             headers: dict[str, str]) -> list[tuple[int, dict]]:
    """POST every body at once (a barrier releases the threads together); return each status and JSON."""
    start = threading.Barrier(len(bodies))
    results: list[tuple[int, dict]] = [(0, {})] * len(bodies)

    def send(index: int) -> None:
        request = urllib.request.Request(
            base + path, data=json.dumps(bodies[index]).encode(), method="POST",
            headers={**bearer(key, **headers), "Content-Type": "application/json"})
        start.wait(timeout=60)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
                results[index] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as err:
            results[index] = (err.code, json.loads(err.read()))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twin_orders_with_one_idempotency_key_make_one_check_and_one_email(app, served):
    key, package_id = ready(app)
    answers = _at_once(served.base, key, "/api/v1/checks", [order_body(package_id)] * 8,
                       {"Idempotency-Key": "twin-order-1"})
    statuses = [status for status, _ in answers]
    # Each twin gets the one check, or is told the first is still under way and to try again.
    assert set(statuses) <= {201, 409} and 201 in statuses, answers
    ids = {body["id"] for status, body in answers if status == 201}
    assert len(ids) == 1
    assert all(body["type"].endswith("problem-idempotency-in-progress") for status, body in answers
               if status == 409)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one() == 1
        assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one() == 1
        assert db.session.execute(sa.select(sa.func.count()).select_from(IdempotentRequest)).scalar_one() == 1


def test_a_check_cancelled_ten_times_at_once_is_cancelled_once(app, served):
    key, package_id = ready(app)
    check = _at_once(served.base, key, "/api/v1/checks", [order_body(package_id)], {})[0][1]
    answers = _at_once(served.base, key, f"/api/v1/checks/{check['id']}/cancel",
                       [{"reason": f"Filled, says request {n}."} for n in range(10)], {})
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [409] * 9, answers
    with app.app_context():
        assert db.session.get(Case, check["id"]).state == "cancelled"
        events = db.session.execute(sa.select(CheckEvent.type).where(CheckEvent.case_id == check["id"])).all()
        assert [event for (event,) in events] == ["check.cancelled"]
