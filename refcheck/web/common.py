"""What every audience's pages share: running a command once per request, and sign-in by emailed link.

`run` is the one place a page changes a case: it calls the command, commits once, and on a
refusal rolls back what the command half-did and, when the case's state or the person's rights
refused it, writes that to the audit log. The page then shows the refusal as it sees fit.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import flask_babel
from flask import Response, abort, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

from .. import access, audit, experience, report
from ..commands import Actor, CommandRefused, record_refusal
from ..errors import CaseError
from ..extensions import db
from ..models import Case, utcnow
from .forms import SelectChoice, show_error

T = TypeVar("T")
log = logging.getLogger(__name__)
TWIN = lazy_gettext("This was saved a moment ago by another request, so nothing more was saved.")


@dataclass
class Done(Generic[T]):
    """What a command run for a page gave: its value, or the refusal to show."""

    value: T | None = None
    refusal: CaseError | None = None

    @property
    def ok(self) -> bool:
        """Say whether the command ran and its change is committed."""
        return self.refusal is None

    @property
    def moved_on(self) -> bool:
        """Say whether the case's state refused it: the case has moved on (or is not there yet)."""
        return isinstance(self.refusal, CommandRefused) and self.refusal.why == "state"

    def flash_refusal(self) -> None:
        """Show the refusal above the next page."""
        if self.refusal is not None:
            flash(self.refusal.message, "error")

    def show_on(self, form: FlaskForm) -> None:
        """Show the refusal on the form field it concerns, or above the form."""
        if self.refusal is not None:
            show_error(form, self.refusal.message, self.refusal.field)


def run(command: Callable[..., T], case_id: int, actor: Actor, *args: Any, **kwargs: Any) -> Done[T]:
    """Run a case command for this request and commit; on refusal, roll back and audit why."""
    try:
        value = command(case_id, actor, *args, **kwargs)
        db.session.commit()
    except CommandRefused as err:
        record_refusal(err, case_id, actor, request.endpoint or "")
        db.session.commit()
        return Done(refusal=err)
    except CaseError as err:
        db.session.rollback()
        return Done(refusal=err)
    except IntegrityError:
        # A uniqueness rule in the database caught what the case's lock should have: a twin request.
        db.session.rollback()
        log.warning("A uniqueness rule refused %s on case %s.", getattr(command, "__name__", "?"), case_id)
        return Done(refusal=CaseError(str(TWIN)))
    return Done(value=value)


class ExperienceForm(FlaskForm):
    """How was this? A score and a comment, both optional."""

    score = RadioField(lazy_gettext("How was this for you?"),
                       choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)], validators=[Optional()])
    comment = TextAreaField(lazy_gettext("Anything we could do better? (optional)"),
                            validators=[Length(max=1000)])


def save_experience(case_id: int, actor: Actor, moment: str) -> None:
    """Validate and keep a candidate's or referee's optional answer, then thank them; it never blocks them."""
    form = ExperienceForm()
    if form.validate_on_submit():
        score = int(form.score.data) if form.score.data in {"1", "2", "3", "4", "5"} else None
        done = run(experience.record, case_id, actor, moment, score, form.comment.data or "", utcnow())
        if done.ok and done.value is not None:
            flash(_("Thank you for telling us."), "success")
        elif done.ok:
            flash(_("Nothing was sent: choose a score or write a comment, if you like."), "info")
        done.flash_refusal()
    elif form.comment.errors:
        flash(_("Please keep your comment under 1,000 characters. Nothing was sent."), "error")
    elif form.score.errors:
        flash(_("Please choose a score from 1 to 5. Nothing was sent."), "error")
    else:
        flash(_("That form had expired. Please send it again."), "error")


def report_download(case: Case, actor: str) -> Response:
    """Return the stored PDF of a case's latest report, its download audited, or 404: every audience's."""
    latest = report.latest(case)
    if latest is None:
        abort(404)
    body = report.pdf_bytes(latest)
    audit.record("report.downloaded", actor, case.id, version=latest.version)
    db.session.commit()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{case.reference}-v{latest.version}.pdf"'})


def session_required(kind: str, refused: Callable[[], Any]) -> Callable[[Callable], Callable]:
    """Serve a view only inside a live session of `kind`; put its record on `g.portal_session`.

    The session, not the URL, names the one case or referee a visitor may see, so no
    address can be edited to reach someone else's.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            lifetime = dt.timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
            token = session.get(f"{kind}_sid")
            record = access.find_session(token, kind, utcnow(), lifetime, lifetime)
            if record is None or record.case is None:
                if request.method == "POST":
                    # A change tried in a session the case's end or release closed is on file.
                    access.record_refused_session(token, kind, request.endpoint or "")
                    db.session.commit()
                return refused()
            g.portal_session = record
            g.case = record.case
            # Now the person is known, write the page in their language rather than the browser's guess.
            flask_babel.refresh()
            return view(*args, **kwargs)

        # Who may use the view rides on it, where the access tests read every route's rule.
        setattr(wrapped, "access_rule", (kind,))  # noqa: B010
        return wrapped

    return decorator
