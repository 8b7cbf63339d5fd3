"""The admin page for hiring systems: API keys and webhook endpoints per organisation.

A new key or secret is shown once, on the answer to the form that made it, and never again: it is
not flashed (the flash would keep it in the session) and only its hash or its sealed copy is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ... import api_keys, check_events, webhooks
from ...api_models import ApiKey, WebhookDelivery, WebhookEndpoint
from ...errors import CaseError
from ...extensions import db
from ...models import Organisation, utcnow
from ..forms import ONE_LINE, CheckboxesField, ConfirmForm, SelectChoice, show_error, text_of
from .accounts import admin_only
from .step_up import step_up_required

bp = Blueprint("integrations", __name__, url_prefix="/staff/integrations")


class KeyForm(FlaskForm):
    """An admin makes an API key for an organisation."""

    organisation = SelectField("Organisation", validators=[DataRequired(message="Choose the organisation.")])
    name = StringField("What the key is for", description="For example the hiring system's name: Workable.",
                       validators=[Length(max=80), ONE_LINE])


class EndpointForm(FlaskForm):
    """An admin registers where an organisation's hiring system hears of its checks."""

    organisation = SelectField("Organisation", validators=[DataRequired(message="Choose the organisation.")])
    url = StringField("Address (https://…)", validators=[DataRequired(message="Enter the address."),
                                                         Length(max=2000)])
    events = CheckboxesField("Events to send", description="Leave all unticked to send every event.",
                             choices=[SelectChoice(kind, f"{kind}: {words}")
                                      for kind, words in check_events.TYPES.items()])


def _key_form(fresh: bool = False) -> KeyForm:
    """Return the key form (empty when `fresh`); its fields are prefixed, as two forms share the page."""
    return KeyForm(prefix="key", formdata=None) if fresh else KeyForm(prefix="key")


def _endpoint_form(fresh: bool = False) -> EndpointForm:
    """Return the endpoint form (empty when `fresh`), its fields prefixed."""
    return EndpointForm(prefix="endpoint", formdata=None) if fresh else EndpointForm(prefix="endpoint")


def _actor() -> str:
    """Name the signed-in admin as the audit log does."""
    return f"staff:{current_user.id}"


def _with_organisations(*forms: KeyForm | EndpointForm) -> list[Organisation]:
    """Offer every organisation in the forms' lists, by name."""
    every = list(db.session.execute(sa.select(Organisation).order_by(Organisation.name_key)).scalars())
    for form in forms:
        form.organisation.choices = [SelectChoice("", "Choose an organisation")] + [
            SelectChoice(organisation.name, organisation.name) for organisation in every]
    return every


def _render(key_form: KeyForm, endpoint_form: EndpointForm, **shown: Any) -> str:
    """Show the page: keys, endpoints, the two forms, and a key or secret made just now."""
    _with_organisations(key_form, endpoint_form)
    waiting = dict(db.session.execute(
        sa.select(WebhookDelivery.endpoint_id, sa.func.count()).where(WebhookDelivery.delivered_at.is_(None))
        .group_by(WebhookDelivery.endpoint_id)).all())
    return render_template("staff/integrations.html", keys=api_keys.listed(), endpoints=webhooks.listed(),
                           waiting=waiting, key_form=key_form, endpoint_form=endpoint_form,
                           confirm=ConfirmForm(), **shown)


@bp.route("")
@admin_only
def index() -> str:
    """List the API keys and webhook endpoints of every organisation."""
    return _render(_key_form(), _endpoint_form())


@bp.route("/keys", methods=["GET", "POST"])
@admin_only
@step_up_required("make an API key")
def make_key() -> Any:
    """Make an API key and show it once."""
    form = _key_form()
    _with_organisations(form)  # the choices must be known before the form is validated
    if not form.is_submitted():
        return redirect(url_for("integrations.index"))
    if not form.validate_on_submit():
        return _render(form, _endpoint_form())
    try:
        row, key = api_keys.create(form.organisation.data or "", text_of(form.name), _actor(), utcnow())
    except CaseError as err:
        db.session.rollback()
        show_error(form, err.message, "organisation")
        return _render(form, _endpoint_form())
    db.session.commit()
    return _render(_key_form(fresh=True), _endpoint_form(fresh=True), new_key=key, new_key_row=row)


@bp.route("/keys/<int:key_id>/revoke", methods=["POST"])
@admin_only
@step_up_required("revoke an API key")
def revoke_key(key_id: int) -> Response:
    """Stop a key at once."""
    if db.session.get(ApiKey, key_id) is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            row = api_keys.revoke(key_id, _actor(), utcnow())
        except CaseError as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"The key {row.name} ({row.prefix}…) no longer works.", "success")
    return redirect(url_for("integrations.index"))


@bp.route("/endpoints", methods=["GET", "POST"])
@admin_only
@step_up_required("register a webhook endpoint")
def add_endpoint() -> Any:
    """Register an endpoint and show its signing secret once."""
    form = _endpoint_form()
    _with_organisations(form)
    if not form.is_submitted():
        return redirect(url_for("integrations.index"))
    if not form.validate_on_submit():
        return _render(_key_form(), form)
    try:
        endpoint, secret = webhooks.register(form.organisation.data or "", text_of(form.url),
                                             list(form.events.data or []), _actor(), utcnow())
    except CaseError as err:
        db.session.rollback()
        show_error(form, err.message, err.field or "organisation")
        return _render(_key_form(), form)
    db.session.commit()
    return _render(_key_form(fresh=True), _endpoint_form(fresh=True), new_secret=secret,
                   new_endpoint=endpoint)


@bp.route("/endpoints/<endpoint_id>/remove", methods=["POST"])
@admin_only
@step_up_required("remove a webhook endpoint")
def remove_endpoint(endpoint_id: str) -> Response:
    """Delete an endpoint and what waited for it."""
    return _on_endpoint(webhooks.remove, endpoint_id, "The endpoint was removed; nothing more is sent to it.")


@bp.route("/endpoints/<endpoint_id>/enable", methods=["POST"])
@admin_only
@step_up_required("start a webhook endpoint again")
def enable_endpoint(endpoint_id: str) -> Response:
    """Start a stopped endpoint again."""
    return _on_endpoint(webhooks.enable, endpoint_id,
                        "The endpoint will be sent to again from the next run, what waited first.")


def _on_endpoint(change: Callable[[str, str], object], endpoint_id: str, done: str) -> Response:
    """Make one confirmed change to an endpoint, commit it and say so; a missing endpoint is a 404."""
    if db.session.get(WebhookEndpoint, endpoint_id) is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        change(endpoint_id, _actor())
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("integrations.index"))
