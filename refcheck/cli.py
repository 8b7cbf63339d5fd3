"""Command-line tools: staff accounts, the audit chain, mail delivery and the demo."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import accounts, api_keys, audit, batches, cli_api, cli_crossverify, cli_questions, mail, organisations
from .commands import Actor, CaseBusy, CaseGone
from .errors import CaseError
from .extensions import db
from .models import ROLES, Case, OutboxMessage, keyring, utcnow
from .report_summary import spaced_fingerprint
from .text import folded


class CaseReference(click.ParamType):
    """A case as staff quote it: RC-00012, or just its number."""

    name = "CASE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Return the case number, or fail with a clear message."""
        match = re.fullmatch(r"(?i)\s*(?:RC-?)?0*(\d{1,9})\s*", str(value))
        if not match:
            self.fail(f"{value!r} is not a case reference such as RC-00012 or 12.", param, ctx)
        return int(match.group(1))


CASE = CaseReference()


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    app.cli.add_command(create_staff)
    app.cli.add_command(audit_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(demo)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(report_command)
    app.cli.add_command(export_command)
    app.cli.add_command(erase_command)
    app.cli.add_command(retention_cli)
    app.cli.add_command(keys_cli)
    cli_api.register(app)
    cli_crossverify.register(app)
    cli_questions.register(app)


def _read_password() -> str:
    """Read a password from a hidden prompt, or the first line of stdin when piped."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("create-staff")
@click.argument("email")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--organisation", "organisation_names", multiple=True, metavar="NAME",
              help="A client's organisation (added if new), or one a verifier works on (repeatable; "
                   "none: every organisation).")
@click.option("--org-admin", is_flag=True, help="A client who may invite colleagues of their organisation.")
@click.option("--name", default="", help="Display name (defaults to the email).")
@with_appcontext
def create_staff(email: str, role: str, organisation_names: tuple[str, ...], org_admin: bool,
                 name: str) -> None:
    """Create an account; the password comes from a prompt or stdin, never an argument."""
    password = _read_password()
    try:
        chosen = [organisations.named(each) or organisations.create(each, "cli")
                  for each in organisation_names]
        user = accounts.create_staff(email, name, role, password, "cli", chosen, org_admin)
    except (accounts.AccountError, CaseError) as err:
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(f"Created {role} account {folded(email)}: {accounts.sees(user)}.")


audit_cli = AppGroup("audit", help="Check the audit log.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Verify the hash chain; exit 1 naming the first broken event."""
    from . import keystore

    report = audit.verify_chain(audit.stream_events(), checkpoint=keystore.read_checkpoint(), check_tail=True)
    if report.intact:
        click.echo(f"Audit chain intact: {report.checked} events, head {report.head}, "
                   "matching the checkpoint in the key store.")
        if report.after_checkpoint:
            click.echo(f"{report.after_checkpoint} events were committed after the last checkpoint (a "
                       "checkpoint write failed); the next event moves it on.")
        return
    if report.problem == "changed":
        click.echo(f"Audit chain broken at event {report.broken_id}: {report.reason}. "
                   f"{report.checked} events before it are intact.", err=True)
    elif report.problem == "missing_tail":
        click.echo(f"Audit chain cut short (a missing tail): {report.reason}. The {report.checked} events "
                   "left are intact.", err=True)
    elif report.problem == "rewritten":
        click.echo(f"Audit chain rewritten at event {report.broken_id}: {report.reason}.", err=True)
    else:
        click.echo(f"Audit chain cannot be checked against the key store: {report.reason}.", err=True)
    sys.exit(1)


mail_cli = AppGroup("mail", help="Deliver queued email.")


@mail_cli.command("send")
@click.option("--limit", default=None, type=int, help="Most messages to try in this run (none: as many as "
              "MAIL_RUN_SECONDS allows).")
def mail_send(limit: int | None) -> None:
    """Deliver due messages from the outbox over one connection; failures stay queued, retried later."""
    config = current_app.config
    transport = mail.transport_for(config, current_app.instance_path)
    deadline = time.monotonic() + float(config["MAIL_RUN_SECONDS"])
    gap = 1 / float(config["MAIL_RATE_PER_SECOND"]) if config["MAIL_RATE_PER_SECOND"] else 0.0
    sent = failed = 0
    try:
        while time.monotonic() < deadline and (limit is None or sent + failed < limit):
            batch = mail.claim_due(utcnow(), limit=min(50, limit - sent - failed) if limit else 50)
            # Commit the claim before sending: a run started meanwhile (cron) leaves these messages alone.
            db.session.commit()
            if not batch:
                break
            for index, message in enumerate(batch):
                if time.monotonic() >= deadline:
                    # Claimed and not tried: free for the next run at once rather than after the lease.
                    mail.release([m.id for m in batch[index:]], utcnow())
                    db.session.commit()
                    break
                started = time.monotonic()
                if mail.attempt(message, transport, utcnow()):
                    sent += 1
                else:
                    failed += 1
                # One commit per message: a crash re-sends at most the message in flight, loses nothing.
                # Only the commit writes (the send holds no lock), so only it counts for the pause.
                written = time.monotonic()
                db.session.commit()
                batches.breathe(written)
                # The provider's rate, kept by waiting out the rest of each message's share of a second.
                time.sleep(max(0.0, gap - (time.monotonic() - started)))
    finally:
        transport.close()
    waiting = db.session.execute(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    ).scalar_one()
    click.echo(f"Sent {sent}, failed {failed} (will retry), {waiting} waiting in the outbox.")


@click.command("report")
@click.argument("case_id", type=CASE)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def report_command(case_id: int, output: str) -> None:
    """Write the current version of a case's report to a file, exactly as stored."""
    from . import audit, report

    case = db.session.get(Case, case_id)
    latest = report.latest(case) if case else None
    if case is None or latest is None:
        raise click.ClickException(f"Case {case_id} has no released report.")
    with open(output, "wb") as handle:
        handle.write(report.pdf_bytes(latest))
    audit.record("report.downloaded", "cli", case.id, version=latest.version)
    db.session.commit()
    shown = spaced_fingerprint(latest.fingerprint)
    click.echo(f"Wrote {case.reference} version {latest.version} (fingerprint {shown}) to {output}.")


@click.command("export")
@click.argument("case_id", type=CASE)
@with_appcontext
def export_command(case_id: int) -> None:
    """Print everything held about a case's candidate as JSON, as their portal export gives it."""
    from . import privacy

    case = db.session.get(Case, case_id)
    if case is None:
        raise click.ClickException(f"There is no case {case_id} (it may have been erased).")
    data = privacy.export_case(case, utcnow())
    audit.record("data.exported", "cli", case.id, format="json")
    db.session.commit()
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


retention_cli = AppGroup("retention", help="Keep nothing longer than consented.")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list the cases that would be erased.")
@click.option("--now", "now_text", default=None, metavar="ISO-TIME",
              help="Act as if it were this time (UTC); outside production, or with --dry-run.")
def retention_purge(dry_run: bool, now_text: str | None) -> None:
    """Erase every case past its retention date or never answered, and sweep unused key shares (daily)."""
    from . import keys, privacy

    if now_text and not dry_run and current_app.config["MODE"] == "production":
        raise click.ClickException("--now erases for real only outside production; add --dry-run to preview.")
    now = _utc(now_text) if now_text else utcnow()
    system = Actor.system("cli")
    if dry_run:
        listed = 0
        for due in privacy.due_for_erasure(now):
            listed += 1
            click.echo(f"Would erase {due.label}.")
        click.echo(f"{listed} cases would be erased.")
        return
    erased = failed = 0
    for due in privacy.due_for_erasure(now):
        started = time.monotonic()
        try:
            outcome = _erase_due(due, system, now)
        finally:
            batches.breathe(started)
        erased += outcome == "erased"
        failed += outcome == "failed"
    grace = dt.timedelta(minutes=current_app.config["ORPHAN_SHARE_MINUTES"])
    swept = keys.sweep_orphans(now, grace)
    db.session.commit()
    # Orders' Idempotency-Key records hold a hash of an order that named its candidate: kept no longer
    # than retries are answered from them.
    forgotten = 0
    while deleted := api_keys.forget_orders(now, current_app.config["API_IDEMPOTENCY_HOURS"]):
        forgotten += deleted
        db.session.commit()
    pruned = 0
    sent_before = now - dt.timedelta(days=current_app.config["MAIL_KEEP_SENT_DAYS"])
    while deleted := mail.prune_sent(sent_before):
        pruned += deleted
        db.session.commit()
    click.echo(f"{erased} cases erased" + (f", {failed} could not be (see above)" if failed else "")
               + (f"; {swept} unused key shares destroyed" if swept else "")
               + (f"; {forgotten} expired Idempotency-Key records deleted" if forgotten else "")
               + (f"; {pruned} sent emails past MAIL_KEEP_SENT_DAYS deleted" if pruned else "") + ".")
    if failed:
        sys.exit(1)


def _erase_due(due: Any, system: Actor, now: dt.datetime) -> str:
    """Erase one case the purge listed, in a transaction of its own; say what became of it."""
    from . import privacy

    try:
        counts = privacy.erase_if_due(due.case_id, system, due.reason, now)
        if counts is None:
            # Since the list was made the candidate answered, or was sent a new link: not due now.
            db.session.rollback()
            click.echo(f"Kept {due.label}: it is no longer due.")
            return "kept"
        # One commit per case: an interruption leaves every case either whole or erased.
        db.session.commit()
    except CaseBusy:
        # Another purge (cron on another machine) or a page holds it: that run, or the next, has it.
        db.session.rollback()
        click.echo(f"Left {due.label} for now: another process is working on it.")
        return "left"
    except CaseGone:
        db.session.rollback()
        click.echo(f"Skipped {due.label}: another run erased it.")
        return "gone"
    except Exception as err:  # noqa: BLE001 - one case's failure must not stop the others
        db.session.rollback()
        click.echo(f"Could not erase {due.label}: {type(err).__name__}. It stays for the next run.", err=True)
        return "failed"
    click.echo(f"Erased {due.label}: {sum(counts.values())} rows deleted and its key destroyed.")
    return "erased"


@click.command("erase")
@click.argument("case_id", type=CASE)
@click.option("--reason", required=True, help="Why, for the audit log: e.g. 'candidate asked by email'.")
@click.option("--yes", is_flag=True, help="Confirm that the erasure is final.")
@with_appcontext
def erase_command(case_id: int, reason: str, yes: bool) -> None:
    """Erase one case now, for example when its candidate asks by email; it cannot be undone."""
    from . import privacy

    case = db.session.get(Case, case_id)
    if case is None:
        raise click.ClickException(f"There is no case {case_id} (it may have been erased already).")
    if not yes:
        raise click.ClickException(f"Erasing {case.reference} cannot be undone: add --yes to confirm.")
    reference = case.reference
    counts = privacy.erase_case(case.id, Actor.cli(), f"staff: {reason.strip()[:200]}", utcnow())
    db.session.commit()
    click.echo(f"Erased {reference}: {sum(counts.values())} rows deleted and its key destroyed.")


def _utc(text: str) -> dt.datetime:
    """Read an ISO time as UTC: naive times are UTC, others are converted."""
    value = dt.datetime.fromisoformat(text)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


keys_cli = AppGroup("keys", help="Rotate and retire master keys.")


@keys_cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def keys_status(as_json: bool) -> None:
    """Show which master key versions wrap how many data keys, and which can be retired."""
    from . import keys

    state = keys.status()
    if as_json:
        click.echo(json.dumps(state.to_json()))
        return
    click.echo(f"Newest master key version: {state.current} (wraps new data keys).")
    for version in sorted(set(state.configured) | set(state.in_use)):
        loaded = "configured" if version in state.configured else "NOT CONFIGURED"
        click.echo(f"  version {version}: {state.in_use.get(version, 0)} data keys, {loaded}")
    if state.unsplit:
        click.echo(f"{state.unsplit} data keys have no share in the key store yet: run `keys rotate`. "
                   "Until then, erasing those cases does not reach backups.")
    if state.missing_shares:
        click.echo(f"WARNING: {state.missing_shares} data keys have lost their share: those cases "
                   "cannot be read. Restore the key store from backup.")
    if state.orphan_shares:
        click.echo(f"{state.orphan_shares} key shares belong to no key; `retention purge` destroys them.")
    if not (state.unsplit or state.missing_shares or state.orphan_shares):
        click.echo("Key store: every data key has its share, and no share is left over.")
    click.echo("Can be retired: " + (", ".join(map(str, state.retirable())) or "none") + ".")


@keys_cli.command("rotate")
@click.option("--batch-size", default=200, show_default=True, help="Data keys re-wrapped per commit.")
@click.option("--no-new-version", is_flag=True,
              help="Re-wrap under the newest configured version without adding one.")
def keys_rotate(batch_size: int, no_new_version: bool) -> None:
    """Add a master key version and re-wrap every data key under it, in batches, while the service runs."""
    from . import keys

    if not no_new_version:
        try:
            version = keys.add_version(current_app.config)
        except keys.RotationError as err:
            raise click.ClickException(str(err)) from err
        db.session.commit()
        click.echo(f"Added master key version {version}.")
    todo = keys.status()
    total = sum(n for v, n in todo.in_use.items() if v != todo.current) + todo.unsplit
    done = 0
    for count in keys.rewrap_batches(batch_size):
        db.session.commit()
        done += count
        click.echo(f"Re-wrapped {done} of about {total} data keys.")
    audit.record("keys.rotated", "cli", version=keyring().current_version, rewrapped=done)
    db.session.commit()
    click.echo(f"Done: {done} data keys re-wrapped under version {keyring().current_version}. "
               "Retire old versions with `keys retire VERSION` once `keys status` shows them unused.")


@keys_cli.command("retire")
@click.argument("version", type=int)
def keys_retire(version: int) -> None:
    """Remove a master key version that no data key uses any more."""
    from . import keys

    try:
        keys.retire(current_app.config, version)
    except keys.RotationError as err:
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(f"Retired master key version {version}.")


reminders_cli = AppGroup("reminders", help="Keep referees on pace.")


@reminders_cli.command("send")
@click.option("--now", "now_text", default=None, metavar="ISO-TIME",
              help="Act as if it were this time (UTC), to replay a missed run.")
def reminders_send(now_text: str | None) -> None:
    """Send due reminders and expire requests past their time (run it hourly from cron)."""
    from . import reminders

    now = _utc(now_text) if now_text else utcnow()
    done = {"reminded": 0, "expired": 0}
    for case_id in reminders.due():
        started = time.monotonic()
        try:
            outcomes = reminders.remind_case(case_id, now)
            # One commit per case: a run holds no case's lock for longer than its referees take.
            db.session.commit()
        except CaseError:
            # The case moved on since it was listed (review started, consent withdrawn), or another
            # run holds it and does its referees: nothing is due from this run.
            db.session.rollback()
            continue
        finally:
            batches.breathe(started)
        for outcome in outcomes:
            done[outcome] += 1
    click.echo(f"Reminded {done['reminded']} referees; closed {done['expired']} "
               "requests that ran out of time.")


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@with_appcontext
def demo(as_json: bool) -> None:
    """Seed a realistic case through the real services and print how to click through it."""
    from flask_migrate import upgrade

    from .demo import seed, summary

    upgrade(directory=current_app.extensions["migrate"].directory)
    password = secrets.token_urlsafe(12)
    result = seed(password)
    db.session.commit()
    # Local mail goes to files (and stderr for --json) so the link is in the outbox folder too.
    if current_app.config["MAIL_BACKEND"] == "console":
        transport = mail.ConsoleTransport(
            Path(current_app.instance_path) / "mail",
            stream=sys.stderr if as_json else sys.stdout,
        )
        for message in mail.due_messages(utcnow()):
            mail.attempt(message, transport, utcnow())
        db.session.commit()
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(summary(result))


