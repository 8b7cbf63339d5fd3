"""Public pages: what refcheck is, and how it handles personal data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..report import find_by_fingerprint, find_erased
from .forms import text_of

bp = Blueprint("public", __name__)


@bp.route("/")
def index() -> Any:
    """Explain the service and point each kind of visitor to their way in."""
    return render_template("public/index.html")


@bp.route("/privacy")
def privacy() -> Any:
    """Explain what is kept, for how long, and how to use one's rights."""
    return render_template("public/privacy.html", controller=current_app.config["CONTROLLER_NAME"],
                           controller_email=current_app.config["CONTROLLER_EMAIL"])


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> Any:
    """Say which case reference and version a report's fingerprint matches, and nothing else."""
    form = VerifyForm()
    match = erased = None
    if form.validate_on_submit():
        found = find_by_fingerprint(text_of(form.fingerprint))
        match = (f"RC-{found.case_id:05d}", found.version) if found else False
        if not found:
            erased = find_erased(text_of(form.fingerprint))
    return render_template("public/verify.html", form=form, match=match, erased=erased)


class VerifyForm(FlaskForm):
    """A fingerprint to check."""

    # Printed in groups of eight; spaces and line breaks copied with it do not count.
    fingerprint = StringField(_l("Fingerprint (64 letters and digits, printed at the foot of every page)"),
                              validators=[DataRequired(message=_l("Paste the report's fingerprint.")),
                                          Length(min=64, max=64, message=_l(
                                              "A fingerprint has 64 letters and digits; check that you "
                                              "copied all of it."))],
                              filters=[lambda value: "".join(value.split()) if value else value])


for _view in (index, privacy, verify):
    setattr(_view, "access_rule", ("public",))  # noqa: B010 - read by the access tests
