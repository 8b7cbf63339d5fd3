"""Staff metrics are kept between views only while nothing has been recorded since."""

from sqlalchemy import event

from refcheck.extensions import db

from .conftest import send_case, sign_in


def _queries(app, client, path):
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    return len(seen), page.data


def test_metrics_follow_each_recorded_change(app, client, staff):
    sign_in(client, staff)
    send_case(app, staff, ("Person 1", "person1@example.org"))
    assert b": 1 in all." in client.get("/staff/metrics").data
    send_case(app, staff, ("Person 2", "person2@example.org"))
    assert b": 2 in all." in client.get("/staff/metrics").data
    assert b": 0 in all." in client.get("/staff/metrics?organisation=Nobody+Ltd").data


def test_metrics_are_not_computed_again_while_nothing_changes(app, client, staff):
    sign_in(client, staff)
    send_case(app, staff)
    first, page = _queries(app, client, "/staff/metrics")
    again, page_again = _queries(app, client, "/staff/metrics")
    assert again < first
    assert b": 1 in all." in page and b": 1 in all." in page_again
