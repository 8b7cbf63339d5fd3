"""Staff page for employers' other names: the mapping cross-verification reads, added to and pruned here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import employer_aliases
from ...employers import RELATIONS
from ...errors import CaseError
from ...extensions import db
from ..forms import ConfirmForm, EmployerAliasForm, show_error, text_of
from .accounts import staff_only

bp = Blueprint("aliases", __name__, url_prefix="/staff/employer-names")


@bp.route("")
@staff_only
def index() -> str:
    """List the employers' other names staff have confirmed, with the form to add one."""
    return _render(EmployerAliasForm())


def _render(form: EmployerAliasForm) -> str:
    """Show the mapping and the add form as it stands."""
    return render_template("staff/employer_aliases.html", aliases=employer_aliases.listed(), form=form,
                           relations=RELATIONS, confirm=ConfirmForm())


@bp.route("", methods=["POST"])
@staff_only
def add() -> Any:
    """Add a pair of names to the mapping."""
    form = EmployerAliasForm()
    if form.validate_on_submit():
        try:
            alias = employer_aliases.add(current_user, text_of(form.name), text_of(form.same_as),
                                         form.relation.data or "")
        except CaseError as err:
            db.session.rollback()
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash(f"{alias.name} now counts as {RELATIONS[alias.relation]} {alias.same_as} in findings "
                  "worked out from now on.", "success")
            return redirect(url_for("aliases.index"))
    return _render(form)


@bp.route("/<int:alias_id>/remove", methods=["POST"])
@staff_only
def remove(alias_id: int) -> Response:
    """Take a pair of names out of the mapping."""
    if ConfirmForm().validate_on_submit():
        try:
            alias = employer_aliases.remove(current_user, alias_id)
        except CaseError as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"{alias.name} and {alias.same_as} are no longer read as one employer.", "success")
    return redirect(url_for("aliases.index"))
