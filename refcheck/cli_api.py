"""Command-line tools for the API: keys per organisation, webhook endpoints, and delivering webhooks."""

from __future__ import annotations

from collections.abc import Callable

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from . import api_keys, check_events, webhooks
from .api_models import WebhookDelivery
from .errors import CaseError
from .extensions import db
from .models import utcnow

OPERATOR = "cli"
api_keys_cli = AppGroup("api-keys", help="Keys hiring systems call the API with.")
webhooks_cli = AppGroup("webhooks", help="Where organisations hear of their checks, and delivering to them.")


def register(app: Flask) -> None:
    """Attach the API's command groups to the app."""
    app.cli.add_command(api_keys_cli)
    app.cli.add_command(webhooks_cli)


def _refused(err: CaseError) -> None:
    """Drop the change and stop with the reason."""
    db.session.rollback()
    raise click.ClickException(err.message)


@api_keys_cli.command("create")
@click.option("--organisation", required=True, metavar="NAME", help="The organisation the key acts for.")
@click.option("--name", default="API key", show_default=True, metavar="LABEL", help="What the key is for.")
def create_key(organisation: str, name: str) -> None:
    """Make a key; it is printed once, as the last line, and only its hash is kept."""
    try:
        row, key = api_keys.create(organisation, name, OPERATOR, utcnow())
    except CaseError as err:
        _refused(err)
        return
    db.session.commit()
    click.echo(f"Key {row.id} ({row.name}) for {row.organisation.name}. Copy it now; it is not shown again:")
    click.echo(key)


@api_keys_cli.command("list")
def list_keys() -> None:
    """List every key: id, organisation, name, its first characters, last use, and whether revoked."""
    rows = api_keys.listed()
    if not rows:
        click.echo("No API keys yet.")
    for row in rows:
        used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never used"
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
        click.echo(f"{row.id}\t{row.organisation.name}\t{row.name}\t{row.prefix}…\t{used}\t{state}")


@api_keys_cli.command("revoke")
@click.argument("key_id", type=int)
def revoke_key(key_id: int) -> None:
    """Stop a key from working, at once."""
    try:
        row = api_keys.revoke(key_id, OPERATOR, utcnow())
    except CaseError as err:
        _refused(err)
        return
    db.session.commit()
    click.echo(f"Key {row.id} ({row.name}) no longer works.")


@webhooks_cli.command("add")
@click.option("--organisation", required=True, metavar="NAME")
@click.option("--url", required=True, help="https:// address that receives the events.")
@click.option("--event", "events", multiple=True, type=click.Choice(list(check_events.TYPES)),
              help="An event type to send (repeat); every type when left out.")
def add_endpoint(organisation: str, url: str, events: tuple[str, ...]) -> None:
    """Register an endpoint; its signing secret is printed once, as the last line."""
    try:
        endpoint, secret = webhooks.register(organisation, url, list(events), OPERATOR, utcnow())
    except CaseError as err:
        _refused(err)
        return
    db.session.commit()
    click.echo(f"Endpoint {endpoint.id} for {endpoint.organisation.name}: {endpoint.shown_url}")
    click.echo("Its signing secret, for verifying the webhook-signature header; copy it now:")
    click.echo(secret)


@webhooks_cli.command("list")
def list_endpoints() -> None:
    """List every endpoint with what waits to be delivered to it."""
    rows = webhooks.listed()
    waiting = dict(db.session.execute(
        sa.select(WebhookDelivery.endpoint_id, sa.func.count()).where(WebhookDelivery.delivered_at.is_(None))
        .group_by(WebhookDelivery.endpoint_id)).all())
    if not rows:
        click.echo("No webhook endpoints yet.")
    for row in rows:
        state = f"stopped: {row.disabled_reason}" if row.disabled_at else (
            f"failing since {row.failing_since:%Y-%m-%d %H:%M}" if row.failing_since else "live")
        events = ", ".join(row.events) or "every event"
        click.echo(f"{row.id}\t{row.organisation.name}\t{row.shown_url}\t{events}\t"
                   f"{waiting.get(row.id, 0)} waiting\t{state}")


@webhooks_cli.command("remove")
@click.argument("endpoint_id")
def remove_endpoint(endpoint_id: str) -> None:
    """Delete an endpoint and what still waited for it."""
    _on_endpoint(webhooks.remove, endpoint_id, f"Endpoint {endpoint_id} removed.")


@webhooks_cli.command("enable")
@click.argument("endpoint_id")
def enable_endpoint(endpoint_id: str) -> None:
    """Start a stopped endpoint again; what waited for it goes in order from the next run."""
    _on_endpoint(webhooks.enable, endpoint_id, f"Endpoint {endpoint_id} will be sent to again.")


def _on_endpoint(change: Callable[[str, str], object], endpoint_id: str, done: str) -> None:
    """Make one change to an endpoint as the operator, commit it and say so; or stop with the reason."""
    try:
        change(endpoint_id, OPERATOR)
    except CaseError as err:
        _refused(err)
        return
    db.session.commit()
    click.echo(done)


@webhooks_cli.command("send")
def send() -> None:
    """Deliver due events to their endpoints, in order per check; failures wait and are retried."""
    run = webhooks.send(webhooks.poster_from(current_app.config), utcnow)
    waiting = db.session.execute(sa.select(sa.func.count()).select_from(WebhookDelivery).where(
        WebhookDelivery.delivered_at.is_(None))).scalar_one()
    click.echo(f"Delivered {run.delivered}, failed {run.failed} (will retry), {waiting} waiting.")
    for endpoint_id in run.stopped:
        click.echo(f"Endpoint {endpoint_id} was stopped after failing; admins were emailed.")
