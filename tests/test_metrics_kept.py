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


def test_kept_figures_hold_up_under_threads():
    """Threaded workers (gunicorn's gthread) share one store: no request may fail on another's change."""
    import datetime as dt
    import sys
    import threading

    from flask import Flask

    from refcheck import kept

    app = Flask("threads")
    errors = []
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def work(thread):
        with app.app_context():
            for i in range(5000):
                try:
                    assert kept.remember("metrics", (thread, i % 40), lambda i=i: i, at, 60,
                                         head=str(i // 7)) == i
                except (AssertionError, RuntimeError, KeyError) as err:
                    errors.append(repr(err))
                    return

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
