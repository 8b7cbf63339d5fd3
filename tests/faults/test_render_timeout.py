"""A report render that runs too long is stopped at the time limit; staff see why, nothing is saved."""

import io
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from refcheck import report, report_pdf
from refcheck.extensions import db
from refcheck.models import AuditEvent, Case, OutboxMessage, Report

from ..conftest import csrf_from


def _children() -> set[str]:
    """Return the ids of this process's child processes (running or not yet reaped)."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    return {pid for task in tasks.iterdir() for pid in (task / "children").read_text().split()}


def _saved(app, case_id):
    with app.app_context():
        count = lambda model, *where: db.session.execute(  # noqa: E731
            sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()
        return {"state": db.session.get(Case, case_id).state, "reports": count(Report),
                "released_events": count(AuditEvent, AuditEvent.action == "report.released"),
                "mail": count(OutboxMessage, OutboxMessage.kind == "report_released")}


def test_a_report_render_past_the_limit_is_stopped_and_saves_nothing(app, client, ready, sent_case):
    base = f"/staff/cases/{sent_case.id}"
    token = csrf_from(ready.get(base).data)
    before = _saved(app, sent_case.id)
    earlier = _children()
    # A real render of the real report, against a limit it cannot meet.
    app.config["REPORT_RENDER_TIMEOUT"] = 0.01
    started = time.monotonic()
    page = ready.post(f"{base}/release", data={"csrf_token": token}, follow_redirects=True)
    assert time.monotonic() - started < 10
    assert page.status_code == 200
    assert ("The report took longer than 0.01 seconds to render, so it was stopped and nothing was saved "
            "or sent.") in page.data.decode()
    assert _saved(app, sent_case.id) == before == {"state": "candidate_review", "reports": 0,
                                                   "released_events": 0, "mail": 0}
    assert _children() <= earlier  # the render was killed and reaped, not left running

    # The service still answers staff and the candidate.
    assert ready.get(base).status_code == 200
    assert client.get("/portal").status_code == 200

    # With a sensible limit the same release goes through, rendered once.
    app.config["REPORT_RENDER_TIMEOUT"] = 25
    page = ready.post(f"{base}/release", data={"csrf_token": token}, follow_redirects=True)
    assert b"Version 1 of the report is released" in page.data
    assert _saved(app, sent_case.id) == {"state": "released", "reports": 1, "released_events": 1, "mail": 1}
    pdf = ready.get(f"{base}/report.pdf").data
    assert "Amira Okafor" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert _children() <= earlier


def test_a_long_render_is_stopped_at_the_limit_not_after_it(app):
    # Thousands of table rows take WeasyPrint many seconds: a real slow render, not a stand-in.
    rows = "".join(f"<tr><td>Row {n}</td><td>{'text ' * 40}</td></tr>" for n in range(20000))
    html = f"<html><body><table>{rows}</table></body></html>"
    earlier = _children()
    started = time.monotonic()
    with pytest.raises(report_pdf.RenderTimeout, match="longer than 0.5 seconds"):
        report.pdf_from_html(html, 0.5)
    assert 0.5 <= time.monotonic() - started < 3
    assert _children() <= earlier
    # A small document within its limit comes back as a PDF.
    assert report.pdf_from_html("<p>Hello</p>", 25).startswith(b"%PDF")


def test_the_case_is_not_locked_while_its_report_renders(app, ready, sent_case, monkeypatch):
    """A release takes seconds to render; meanwhile other writers (on SQLite: the whole database) go on."""
    base = f"/staff/cases/{sent_case.id}"
    token = csrf_from(ready.get(base).data)
    real = report.pdf_from_html
    probes = []

    def render_while_probing(html, timeout):
        # Another connection tries, without waiting, what another request's command would do first.
        engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"],
                                  connect_args={"timeout": 0.2} if engine_is_sqlite else {})
        with engine.begin() as conn:
            if engine_is_sqlite:
                conn.exec_driver_sql('UPDATE "case" SET state = state WHERE 0')
            else:
                conn.exec_driver_sql(f'SELECT id FROM "case" WHERE id = {sent_case.id} FOR UPDATE NOWAIT')
        engine.dispose()
        probes.append("free")
        return real(html, timeout)

    engine_is_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    monkeypatch.setattr(report, "pdf_from_html", render_while_probing)
    page = ready.post(f"{base}/release", data={"csrf_token": token}, follow_redirects=True)
    assert b"Version 1 of the report is released" in page.data
    assert probes == ["free"]  # rendered once, with the case and the database free
