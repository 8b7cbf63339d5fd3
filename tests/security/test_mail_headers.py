"""Names and addresses typed by anyone never add a mail header or a recipient, whatever they contain."""

import sqlalchemy as sa

from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import Case, Referee

from ..conftest import MANAGER, consent, csrf_from, enter_portal, nominate, peer, sign_in, state_work_history

CRLF_NAME = "Eve\r\nBcc: bcc@evil.example\r\nX-Injected: yes"
ENCODED_NAME = "=?utf-8?q?Eve=0D=0ABcc:_bcc2@evil.example?="
ENCODED_ADDRESS = "=?utf-8?q?victim=40evil.example?=@northwind.example"
ALLOWED_HEADERS = {"from", "to", "subject", "message-id", "auto-submitted", "content-type",
                   "content-transfer-encoding", "mime-version", "date"}


def _case_form(page, name, email):
    return {"csrf_token": csrf_from(page.data), "candidate_name": name, "candidate_email": email,
            "position": "Analyst", "hiring_organisation": "Contoso", "purpose": "To confirm work history.",
            "checks": ["references", "employment_history"], "min_referees": "2", "max_referees": "4",
            "period_from": "2021-01", "period_to": "2025-12", "question_set": "standard-v1",
            "report_recipients": "Hiring team", "retention_days": "180", "rel_manager": "1",
            "rel_peer": "1", "rel_direct_report": "off", "rel_client": "0", "rel_other": "off"}


def _open_and_send(app, staff_client, name, email):
    page = staff_client.get("/staff/cases/new")
    response = staff_client.post("/staff/cases/new", data=_case_form(page, name, email))
    if response.status_code != 302:
        return None
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = staff_client.get(f"/staff/cases/{case_id}")
    staff_client.post(f"/staff/cases/{case_id}/invite", data={"csrf_token": csrf_from(page.data)})
    return case_id


def test_crlf_and_encoded_words_in_names_and_emails_add_no_mail_headers(app, runner, staff, smtp_server):
    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    # Addresses with line breaks are refused outright; nothing is opened or sent.
    for bad in ("eve@candidate.example\r\nBcc: bcc@evil.example",
                "eve@candidate.example\nCc: cc@evil.example",
                "Eve <eve@candidate.example>, bcc@evil.example"):
        assert _open_and_send(app, staff_client, "Eve", bad) is None
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one() == 0

    # A name with line breaks is refused where it is typed; an encoded word is only text.
    assert _open_and_send(app, staff_client, CRLF_NAME, "eve@candidate.example") is None
    crlf_case = _open_and_send(app, staff_client, "Eve", "eve@candidate.example")
    encoded_case = _open_and_send(app, staff_client, ENCODED_NAME, "eve2@candidate.example")
    assert crlf_case and encoded_case
    # An encoded word in the address itself would be decoded into other recipients: refused.
    assert _open_and_send(app, staff_client, "Eve", ENCODED_ADDRESS) is None

    # The candidate names referees whose names and addresses try the same tricks.
    from ..conftest import SentCase

    with app.app_context():
        from refcheck import cases
        from refcheck.models import utcnow

        token = cases.send_new_link(crlf_case, Actor.system(), utcnow())
        db.session.commit()
    candidate = app.test_client()
    enter_portal(candidate, SentCase(crlf_case, token, "Eve", "eve@candidate.example"))
    consent(candidate, "Eve")
    assert nominate(candidate, **{**MANAGER, "name": CRLF_NAME}).status_code == 422
    nominate(candidate, **MANAGER)
    nominate(candidate, **{**peer(1), "name": ENCODED_NAME})
    for bad in ("peer2@northwind.example\r\nBcc: bcc@evil.example", ENCODED_ADDRESS):
        refused = nominate(candidate, **{**peer(2), "email": bad})
        assert refused.status_code == 422
    state_work_history(candidate)
    page = candidate.get("/portal/referees")
    candidate.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)})
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Referee)).scalar_one() == 2

    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    kinds = {message["Subject"] for message in inbox.messages}
    assert len(inbox.messages) >= 5 and len(kinds) >= 3  # invitations, confirmation, referee invitations
    for envelope, message in zip(inbox.envelopes, inbox.messages, strict=True):
        assert len(envelope.rcpt_tos) == 1 and "evil" not in envelope.rcpt_tos[0]
        raw = envelope.original_content or envelope.content
        head = raw.split(b"\r\n\r\n", 1)[0]
        names = {line.split(b":", 1)[0].decode().lower() for line in head.split(b"\r\n")
                 if line and not line[:1].isspace()}
        assert names <= ALLOWED_HEADERS, names - ALLOWED_HEADERS
        assert b"evil.example" not in head
        assert b"=?utf-8?q?Eve" not in head and b"X-Injected" not in head
        assert message["Bcc"] is None and message["Cc"] is None and message["X-Injected"] is None
        assert len(message.get_all("To")) == 1


def test_a_stored_encoded_word_address_is_never_sent_decoded(app, runner, staff, smtp_server):
    # An address that reached the outbox before the rule existed stays queued instead of being decoded
    # into "a, victim@evil.example, b@northwind.example" in the To header.
    from refcheck import mail
    from refcheck.models import DataKey, OutboxMessage

    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    with app.app_context():
        message = OutboxMessage(kind="referee_reminder", subject=str(mail.SUBJECTS["referee_reminder"]),
                                data_key=DataKey.generate(), case_id=None)
        message.seal("recipient_enc", "=?utf-8?q?a=2C_victim=40evil.example=2C_b?=@northwind.example")
        message.seal("body_enc", "Hello")
        db.session.add(message)
        db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert inbox.messages == []
    with app.app_context():
        row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
        assert row.sent_at is None and row.attempts == 1 and row.last_error == "ValueError"
