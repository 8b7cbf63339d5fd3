"""Staff pages for hiring organisations: the list with its packages, adding one, and who works on which."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import organisations, packages
from ...errors import CaseError
from ...extensions import db
from ...models import Case, CaseCount, Organisation, Package, StaffUser
from ..forms import AssignForm, ConfirmForm, OrganisationForm, PackageForm, SelectChoice, show_error, text_of
from .accounts import admin_only, staff_only
from .step_up import step_up_required

bp = Blueprint("orgs", __name__, url_prefix="/staff")


def _actor() -> str:
    """Name the signed-in person as the audit log does."""
    return f"staff:{current_user.id}"


@bp.route("/organisations")
@staff_only
def index() -> Any:
    """List the organisations this person works for, with their cases and the packages on offer."""
    return _render(OrganisationForm())


def _render(form: OrganisationForm) -> Any:
    """Show the organisations page with the add form as it stands."""
    shown = organisations.usable(current_user)
    ids = [organisation.id for organisation in shown]
    # From the counts kept by state (case_counts), not by counting every case.
    counts = {organisation_id: int(total) for organisation_id, total in db.session.execute(
        sa.select(CaseCount.organisation_id, sa.func.sum(CaseCount.count)).where(
            CaseCount.organisation_id.in_(ids)).group_by(CaseCount.organisation_id))} if ids else {}
    offered: dict[int, list[Package]] = {}
    for package in db.session.execute(sa.select(Package).where(
            Package.organisation_id.in_(ids), Package.active.is_(True)).order_by(Package.name)).scalars():
        offered.setdefault(package.organisation_id, []).append(package)
    return render_template("staff/organisations.html", organisations=shown, counts=counts, offered=offered,
                           form=form, confirm=ConfirmForm())


@bp.route("/organisations", methods=["POST"])
@admin_only
def add() -> Any:
    """Add a hiring organisation."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = organisations.create(text_of(form.name), _actor())
        except CaseError as err:
            db.session.rollback()
            show_error(form, err.message, "name")
        else:
            db.session.commit()
            flash(f"{organisation.name} was added. Assign verifiers to it on the accounts page.", "success")
            return redirect(url_for("orgs.index"))
    return _render(form)


@bp.route("/cases/<int:case_id>/package", methods=["POST"])
@staff_only
def save_package(case_id: int) -> Response:
    """Offer a case's scope to its organisation's clients as a package."""
    case = db.get_or_404(Case, case_id)
    form = PackageForm()
    if form.validate_on_submit():
        try:
            package = packages.save_from_case(case, text_of(form.name), _actor())
        except CaseError as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"{case.hiring_organisation} can now order checks with the package {package.name}.",
                  "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    return redirect(url_for("staff.case", case_id=case_id))


@bp.route("/packages/<int:package_id>/retire", methods=["POST"])
@staff_only
def retire_package(package_id: int) -> Response:
    """Stop offering a package; cases ordered with it are not changed."""
    package = db.session.get(Package, package_id)
    if package is None or not organisations.may_use(current_user, package.organisation_id):
        abort(404)
    if ConfirmForm().validate_on_submit():
        packages.retire(package, _actor())
        db.session.commit()
        flash(f"The package {package.name} is no longer offered.", "success")
    return redirect(url_for("orgs.index"))


@bp.route("/accounts/<int:user_id>/organisations", methods=["GET", "POST"])
@admin_only
@step_up_required("change whose cases an account works on")
def assign(user_id: int) -> Any:
    """Choose which organisations' cases a verifier works on."""
    user = db.get_or_404(StaffUser, user_id)
    if user.role != "verifier":
        abort(404)
    form = AssignForm()
    every = db.session.execute(sa.select(Organisation).order_by(Organisation.name_key)).scalars().all()
    form.organisations.choices = [SelectChoice(organisation.id, organisation.name) for organisation in every]
    if form.validate_on_submit():
        ticked = set(form.organisations.data or [])
        chosen = [organisation for organisation in every if organisation.id in ticked]
        if not chosen and not form.every.data:
            show_error(form, "Choose at least one organisation, or every organisation.", "organisations")
        else:
            organisations.assign(user, chosen, bool(form.every.data), _actor())
            db.session.commit()
            flash(f"{user.name} now works on the cases of {_words(user)}.", "success")
            return redirect(url_for("auth.accounts"))
    elif not form.is_submitted():
        form.every.data = user.all_organisations
        form.organisations.data = [organisation.id for organisation in user.assigned]
    return render_template("staff/assign.html", form=form, person=user)


def _words(user: StaffUser) -> str:
    """Name the organisations a verifier works on."""
    if user.all_organisations:
        return "every organisation"
    return ", ".join(organisation.name for organisation in user.assigned)
