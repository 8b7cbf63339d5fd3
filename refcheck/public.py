"""Public pages: what refcheck is, and how it handles personal data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

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


for _view in (index, privacy):
    _view.access_rule = ("public",)  # type: ignore[attr-defined]
