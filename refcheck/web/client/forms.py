"""Forms of the hiring side's pages: ordering a check, inviting a colleague, choosing a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ...accounts import MIN_PASSWORD
from ..forms import EMAIL_MESSAGE, ONE_LINE, strip


class OrderForm(FlaskForm):
    """Order a check: which package, for whom, for which role, and by when."""

    # Checked against the organisation's own packages by the page, which says so plainly.
    package = SelectField("Package", choices=[], validate_choice=False,
                          validators=[DataRequired(message="Choose a package.")])
    candidate_name = StringField("Candidate's full name",
                                 validators=[DataRequired(message="Enter the candidate's full name."),
                                             Length(max=200), ONE_LINE])
    candidate_email = EmailField("Candidate's email",
                                 validators=[DataRequired(message="Enter the candidate's email address."),
                                             Email(message=EMAIL_MESSAGE), Length(max=254)],
                                 filters=[strip],
                                 description="Our invitation to the candidate goes to this address.")
    position = StringField("Position", validators=[DataRequired(message="Enter the position offered."),
                                                   Length(max=200), ONE_LINE])
    purpose = TextAreaField(
        "Purpose, in words the candidate will read",
        validators=[DataRequired(message="Say why the check is done, in words the candidate will read."),
                    Length(max=1000)],
        description="Taken from the package; change it if this role needs other words.")
    due_date = DateField("Report needed by", validators=[Optional()])
    # Shown once a due date was refused as too early: keeping it anyway is a deliberate choice.
    tight_ok = BooleanField("I know this is tight: keep this date")


class InviteForm(FlaskForm):
    """Invite a colleague of the same organisation."""

    name = StringField("Their full name", validators=[DataRequired(message="Enter their name."),
                                                      Length(max=120), ONE_LINE])
    email = EmailField("Their work email", validators=[DataRequired(message="Enter their email address."),
                                                       Email(message=EMAIL_MESSAGE), Length(max=254)],
                       filters=[strip])


class WelcomeForm(FlaskForm):
    """Choose a password through an invitation link."""

    password = PasswordField("Choose a password", validators=[
        DataRequired(message="Choose a password.")],
        description=f"At least {MIN_PASSWORD} characters. A few unrelated words are easy to remember "
                    "and hard to guess.",
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Type it again", validators=[
        DataRequired(message="Type your password again."),
        EqualTo("password", message="The two passwords are not the same. Type them again.")],
        render_kw={"autocomplete": "new-password"})
