"""The admin page for hiring systems: a key or secret is shown once, works at once, is revoked at once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from refcheck.api_models import ApiKey, WebhookEndpoint
from refcheck.extensions import db
from refcheck.models import PortalSession, utcnow

from .api_helpers import HOME_ORG, bearer
from .conftest import csrf_from, sign_in
from .test_client import organisation_id
from .webhook_receiver import Receiver


def _admin(app, staff):
    browser = app.test_client()
    sign_in(browser, staff)
    return browser


def test_an_admin_makes_a_key_that_is_shown_once_and_revokes_it(app, staff):
    organisation_id(app, HOME_ORG)
    browser = _admin(app, staff)
    page = browser.get("/staff/integrations")
    assert page.status_code == 200 and "No keys yet." in page.get_data(as_text=True)
    token = csrf_from(page.data)
    missing = browser.post("/staff/integrations/keys", data={"key-csrf_token": token, "key-organisation": ""})
    assert "Choose the organisation." in missing.get_data(as_text=True)
    made = browser.post("/staff/integrations/keys", data={
        "key-csrf_token": token, "key-organisation": HOME_ORG, "key-name": "Workable"})
    text = made.get_data(as_text=True)
    assert made.status_code == 200 and "Copy it now" in text
    key = text.split('<code class="secret">')[1].split("</code>")[0]
    assert key.startswith("rck_")
    assert browser.get("/api/v1/packages").status_code == 401  # a session is no key
    assert app.test_client().get("/api/v1/packages", headers=bearer(key)).status_code == 200
    again = browser.get("/staff/integrations").get_data(as_text=True)
    assert key not in again and key[:12] in again
    with app.app_context():
        key_id = db.session.execute(sa.select(ApiKey.id)).scalar_one()
    revoked = browser.post(f"/staff/integrations/keys/{key_id}/revoke", data={"csrf_token": token},
                           follow_redirects=True)
    assert "no longer works" in revoked.get_data(as_text=True)
    assert app.test_client().get("/api/v1/packages", headers=bearer(key)).status_code == 401


def test_an_admin_registers_an_endpoint_whose_secret_is_shown_once(app, staff):
    organisation_id(app, HOME_ORG)
    browser = _admin(app, staff)
    token = csrf_from(browser.get("/staff/integrations").data)
    form = {"endpoint-csrf_token": token, "endpoint-organisation": HOME_ORG,
            "endpoint-url": "http://127.0.0.1:9/hook", "endpoint-events": ["check.released"]}
    refused = browser.post("/staff/integrations/endpoints", data=form).get_data(as_text=True)
    assert "private, loopback" in refused and 'id="endpoint-url-error"' in refused
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True
    receiver = Receiver().start()
    try:
        made = browser.post("/staff/integrations/endpoints", data={**form, "endpoint-url": receiver.url})
        text = made.get_data(as_text=True)
        secret = text.split('<code class="secret">')[1].split("</code>")[0]
        assert secret.startswith("whsec_")
        with app.app_context():
            endpoint = db.session.execute(sa.select(WebhookEndpoint)).scalar_one()
            assert endpoint.events == ["check.released"] and endpoint.secret == secret
            assert secret.encode() not in endpoint.secret_enc
        assert secret not in browser.get("/staff/integrations").get_data(as_text=True)
        removed = browser.post(f"/staff/integrations/endpoints/{endpoint.id}/remove",
                               data={"csrf_token": token}, follow_redirects=True)
        assert "The endpoint was removed" in removed.get_data(as_text=True)
        with app.app_context():
            left = db.session.execute(sa.select(sa.func.count()).select_from(WebhookEndpoint)).scalar_one()
            assert left == 0
    finally:
        receiver.stop()


def test_making_a_key_after_a_while_asks_the_admin_to_confirm_it_is_them(app, staff):
    organisation_id(app, HOME_ORG)
    browser = _admin(app, staff)
    with app.app_context():
        db.session.execute(sa.update(PortalSession).where(PortalSession.staff_user_id == staff.id)
                           .values(stepped_up_at=utcnow() - dt.timedelta(minutes=11)))
        db.session.commit()
    token = csrf_from(browser.get("/staff/integrations").data)
    asked = browser.post("/staff/integrations/keys", data={
        "key-csrf_token": token, "key-organisation": HOME_ORG, "key-name": "Workable"})
    assert "To make an API key, confirm it is you" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(ApiKey)).scalar_one() == 0
