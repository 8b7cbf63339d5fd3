"""Ordering a check: one of the organisation's packages, the candidate, the role and a due date.

The order is a draft that our staff check and send to the candidate; nothing reaches the candidate
from this page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import cases, pace, progress
from ...commands import Actor
from ...dates import day
from ...extensions import db
from ...models import Package, utcnow
from ...scope import Scope
from ..forms import SelectChoice, show_error, text_of
from .checks import bp, client_only
from .forms import OrderForm

NOT_OURS = "Choose one of your organisation's packages."


def offered() -> list[Package]:
    """Return the packages the signed-in client's organisation may order with, by name."""
    return list(db.session.execute(
        sa.select(Package).where(Package.organisation_id == current_user.organisation_id,
                                 Package.active.is_(True)).order_by(Package.name)).scalars())


@bp.route("/order", methods=["GET", "POST"])
@client_only
def order() -> Any:
    """Show the order form, and open the check as a draft for our staff when it is sound."""
    packages = offered()
    form = OrderForm()
    chosen = _chosen(packages, form.package.data if request.method == "POST" else request.args.get("package"))
    form.package.choices = ([SelectChoice("", "Choose a package")] if len(packages) > 1 else []) + [
        SelectChoice(str(package.id), package.name) for package in packages]
    # One package is already chosen: a required select must start with an empty choice, so say it is not.
    form.package.flags.required = len(packages) > 1
    now = utcnow()
    earliest = pace.earliest_due(pace.new_case(progress.pace_days(), now), now)
    if earliest is not None:
        form.due_date.description = f"At our usual pace the report can be ready around {day(earliest)}" + (
            f" ({pace.pace_sentence(progress.pace_days())}). We have proposed that date; "
            "any later date is fine."
            if request.method == "GET" else "; any date from then on can be met.")
    if request.method == "GET":
        form.package.data = str(chosen.id) if chosen else ""
        form.purpose.data = chosen.purpose if chosen else ""
        form.due_date.data = earliest
    elif form.validate_on_submit() and packages:
        if chosen is None:
            show_error(form, NOT_OURS, "package")
        else:
            opened = _open(form, chosen, now)
            if opened is not None:
                case_id, reference = opened
                flash(f"Thank you: check {reference} is ordered. What happens next is below.", "success")
                return redirect(url_for("client.case", case_id=case_id), 303)
    return render_template("client/order.html", form=form, packages=packages, chosen=chosen,
                           contact=current_app.config["CONTROLLER_EMAIL"]), \
        (422 if form.errors else 200)


def _chosen(packages: list[Package], value: str | None) -> Package | None:
    """Return the organisation's package a form or link names; the only one when there is one."""
    if value is None and len(packages) == 1:
        return packages[0]
    return next((package for package in packages if str(package.id) == (value or "").strip()), None)


def _open(form: OrderForm, package: Package, now: dt.datetime) -> tuple[int, str] | None:
    """Open the draft and commit once; return its id and reference, or None with the refusal on the form."""
    details = cases.CaseDetails(
        candidate_name=text_of(form.candidate_name), candidate_email=text_of(form.candidate_email),
        position=text_of(form.position), hiring_organisation=current_user.organisation.name,
        purpose=text_of(form.purpose), due_date=form.due_date.data, tight_ok=bool(form.tight_ok.data),
        package_id=package.id)
    try:
        opened = cases.open_case(details, Scope.from_json(package.scope), Actor.client(current_user), now)
    except cases.CaseError as err:
        db.session.rollback()
        show_error(form, err.message, err.field)
        return None
    done = (opened.id, opened.reference)
    db.session.commit()
    return done
