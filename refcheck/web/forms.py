"""Forms for staff, candidates and referees; every one carries a CSRF token through Flask-WTF."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)

# WTForms 3.2 wants choices as SelectChoice (tuples are deprecated); types-WTForms 3.2.1 does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.fields.core import Field
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from .. import passwords
from ..dates import month
from ..i18n import DEFAULT as DEFAULT_LANGUAGE
from ..months import MONTH_HINT, MONTH_MESSAGE, month_problem, normalise_month
from ..referees import ClaimFacts, RefereeDetails
from ..scope import ATTRIBUTION, CHECKS, QUESTION_SETS, RELATIONSHIPS, Scope
from ..text import ONE_LINE_MESSAGE, has_control
from ..words import ENGLISH_NAMES


def strip(value: str | None) -> str | None:
    """Drop surrounding spaces people paste by accident."""
    return value.strip() if isinstance(value, str) else value


class MonthOfYear:
    """Refuse a month field whose (normalised) value is not a real month, saying what to type."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        """Raise the reason the month cannot be accepted, if there is one."""
        problem = month_problem(field.data)
        if problem:
            # The reasons are written in refcheck.months, which cannot import Flask-Babel: looked up here.
            raise ValidationError(_(problem))


MONTH = MonthOfYear()


class MonthField(StringField):
    """A month typed as text and shown back in words ('March 2021'), the way every page writes months."""

    def _value(self) -> str:
        """Show a stored month in words; text that is not yet a month is shown as typed."""
        return month(self.data) if isinstance(self.data, str) else ""


class OneLine:
    """Refuse line breaks, tabs and invisible control characters in a one-line field."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        """Raise the reason a one-line field cannot be accepted, if there is one."""
        if isinstance(field.data, str) and has_control(field.data):
            raise ValidationError(_(ONE_LINE_MESSAGE))


ONE_LINE = OneLine()
MONTH_NEEDED = DataRequired(message=lazy_gettext(MONTH_MESSAGE))
# The hint under a candidate's or referee's month field, in their language (refcheck.months cannot translate).
MONTH_HINT_SHOWN = lazy_gettext(MONTH_HINT)
EMAIL_MESSAGE = lazy_gettext("Enter an email address like name@example.org.")
# A phone's number pad has no "-", so month fields take text and the filter reads what was typed.
MONTH_INPUT = {"inputmode": "text", "autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
RELATIONSHIP_CHOICES = [
    SelectChoice("off", "Not asked"), SelectChoice("0", "Allowed, not required"),
    SelectChoice("1", "At least 1"), SelectChoice("2", "At least 2"),
    SelectChoice("3", "At least 3"),
]


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes instead of a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


PASSWORD_HINT = passwords.HINT


class LoginForm(FlaskForm):
    """Staff sign-in."""

    email = EmailField("Email", validators=[DataRequired(message="Enter your email address."),
                                            Email(message=EMAIL_MESSAGE)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])


CODE_INPUT = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}


class CodeForm(FlaskForm):
    """The second step at sign-in: a code from the authenticator app, or a recovery code."""

    code = StringField("Code", validators=[DataRequired(message="Type the code from your app.")],
                       description="The 6 digits your authenticator app shows for refcheck now, "
                                   "or one of your recovery codes if you cannot use your phone.",
                       render_kw=CODE_INPUT)


class EnrolForm(FlaskForm):
    """Confirm a new authenticator app with a code it shows."""

    code = StringField("Code from your app",
                       validators=[DataRequired(message="Type the 6 digits your app shows.")],
                       description="6 digits. A new code appears every 30 seconds; any current one works.",
                       render_kw={**CODE_INPUT, "inputmode": "numeric"})


class StepUpForm(FlaskForm):
    """A step-up's own fields, sent with the original form, whose CSRF token it already carries."""

    class Meta:
        """The page re-sends the original form's token; the app checks it before any view runs."""

        csrf = False

    code = StringField("Code from your authenticator app, or a recovery code", render_kw=CODE_INPUT)
    password = PasswordField("Your password", render_kw={"autocomplete": "current-password"})


class ResetFactorForm(FlaskForm):
    """An admin removes someone else's second factor, saying why."""

    reason = StringField("Reason", validators=[DataRequired(message="Say why, for the record."),
                                               Length(max=300), ONE_LINE],
                         description="For the record, for example: lost their phone.")


class CaseForm(FlaskForm):
    """Open or edit a case: who, for what, and the scope the candidate will be asked to accept."""

    candidate_name = StringField("Candidate's full name",
                                 validators=[DataRequired(message="Enter the candidate's full name."),
                                             Length(max=200), ONE_LINE])
    candidate_email = EmailField("Candidate's email",
                                 validators=[DataRequired(message="Enter the candidate's email address."),
                                             Email(message=EMAIL_MESSAGE), Length(max=254)],
                                 filters=[strip])
    position = StringField("Position", validators=[DataRequired(message="Enter the position offered."),
                                                   Length(max=200), ONE_LINE])
    hiring_organisation = StringField(
        "Hiring organisation",
        validators=[DataRequired(message="Enter the organisation that is hiring."), Length(max=200),
                    ONE_LINE],
        description="One of the organisations you work for. Typing a new name adds it, if you work for all.",
        render_kw={"list": "organisation-names", "autocomplete": "off"})
    purpose = TextAreaField(
        "Purpose, in words the candidate will read",
        validators=[DataRequired(message="Say why the check is done, in words the candidate will read."),
                    Length(max=1000)],
        description="For example: to confirm your work history for the offer of Senior Data Engineer.",
    )
    due_date = DateField("Report due by", validators=[Optional()])
    # Each language is named in itself, as the candidate would look for it; they can change it later.
    language = SelectField(
        "Candidate's language", choices=[SelectChoice(k, v) for k, v in ENGLISH_NAMES.items()],
        default=DEFAULT_LANGUAGE,
        description="Their pages and emails are written in it. They can change it from any page.")
    # Shown only once a due date was refused as too early: saving it anyway is a deliberate choice.
    tight_ok = BooleanField("I know this is tight: keep this due date")
    checks = CheckboxesField(
        "Checks", choices=[SelectChoice(k, v[0].upper() + v[1:]) for k, v in CHECKS.items()],
        default=["references", "employment_history"],
    )
    min_referees = IntegerField("Fewest referees", default=2, validators=[
        InputRequired(message="Enter the fewest referees, a number from 1 to 10."),
        NumberRange(min=1, max=10)])
    max_referees = IntegerField("Most referees", default=4, validators=[
        InputRequired(message="Enter the most referees, a number from 1 to 10."),
        NumberRange(min=1, max=10)])
    period_from = MonthField("Period from", validators=[
        DataRequired(message="Enter the first month the check covers."), MONTH], filters=[normalise_month],
                              description=MONTH_HINT, render_kw=MONTH_INPUT)
    period_to = MonthField("Period to", validators=[
        DataRequired(message="Enter the last month the check covers."), MONTH], filters=[normalise_month],
                            description=MONTH_HINT, render_kw=MONTH_INPUT)
    staff_approval = BooleanField("Staff approve each referee before they are contacted")
    attribution = RadioField(
        "How referees' answers are shown to the candidate and the hiring side",
        choices=[SelectChoice(k, v) for k, v in ATTRIBUTION.items()], default="grouped",
        description="The candidate reads this before consenting, and each referee before answering.",
    )
    question_set = SelectField("Question set", choices=[SelectChoice(k, v) for k, v in QUESTION_SETS.items()])
    report_recipients = TextAreaField(
        "Who receives the report",
        validators=[DataRequired(message="Name who receives the report."), Length(max=500)],
        description="Name the people or team, for example: Priya Shah, Head of Talent.",
    )
    retention_days = IntegerField("Keep data for (days after the case ends)", default=180, validators=[
        InputRequired(message="Enter how many days to keep the data, from 30 to 730."),
        NumberRange(min=30, max=730)])

    def relationship_fields(self) -> list:
        """Return the per-relationship fields in display order."""
        return [getattr(self, f"rel_{key}") for key in RELATIONSHIPS]

    def scope(self) -> Scope:
        """Build the scope value the form describes."""
        relationships = {
            key: int(getattr(self, f"rel_{key}").data)
            for key in RELATIONSHIPS if getattr(self, f"rel_{key}").data != "off"
        }
        return Scope(
            checks=tuple(self.checks.data or ()), min_referees=self.min_referees.data or 0,
            max_referees=self.max_referees.data or 0, relationships=relationships,
            period_from=self.period_from.data or "", period_to=self.period_to.data or "",
            question_set=self.question_set.data, report_recipients=self.report_recipients.data or "",
            retention_days=self.retention_days.data or 0, staff_approval=bool(self.staff_approval.data),
            attribution=self.attribution.data or "",
        )

    def fill_scope(self, scope: Scope) -> None:
        """Show an existing scope in the form."""
        self.checks.data = list(scope.checks)
        self.min_referees.data = scope.min_referees
        self.max_referees.data = scope.max_referees
        for key in RELATIONSHIPS:
            value = scope.relationships.get(key)
            getattr(self, f"rel_{key}").data = "off" if value is None else str(value)
        self.period_from.data = scope.period_from
        self.period_to.data = scope.period_to
        self.question_set.data = scope.question_set
        self.report_recipients.data = scope.report_recipients
        self.retention_days.data = scope.retention_days
        self.staff_approval.data = scope.staff_approval
        self.attribution.data = scope.attribution or "grouped"


for _key, (_singular, _plural) in RELATIONSHIPS.items():
    setattr(CaseForm, f"rel_{_key}", SelectField(
        _plural[0].upper() + _plural[1:], choices=RELATIONSHIP_CHOICES,
        default={"manager": "1", "peer": "1"}.get(_key, "0"),
    ))


class ConfirmForm(FlaskForm):
    """A button that changes something; the form exists for its CSRF token."""


class EmployerAliasForm(FlaskForm):
    """Staff record that one name of an employer is a former name, the parent or a trading name of another."""

    name = StringField("Other name", validators=[
        DataRequired(message="Enter the other name, for example the employer's former name."),
        Length(max=200), ONE_LINE], filters=[strip],
        description="As candidates or referees may write it, for example Contoso Retail.")
    relation = SelectField("It is", choices=[
        SelectChoice("former_name", "a former name of"), SelectChoice("parent", "the parent company of"),
        SelectChoice("trading_name", "a trading name of")])
    same_as = StringField("Employer", validators=[
        DataRequired(message="Enter the employer's name as candidates usually give it."),
        Length(max=200), ONE_LINE], filters=[strip],
        description="The employer's name as candidates usually give it, for example Fabrikam Stores.")


class ReasonForm(FlaskForm):
    """A short reason in plain words."""

    reason = TextAreaField("Reason", validators=[Length(max=1000)])


class ConsentForm(FlaskForm):
    """The candidate's typed signature and explicit agreement."""

    signature = StringField(lazy_gettext("Type your full name to sign"),
                            validators=[DataRequired(message=lazy_gettext("Type your full name to sign.")),
                                        Length(min=2, max=200), ONE_LINE])
    agree = BooleanField(
        lazy_gettext("I have read what will be checked, who will see the result and how long it is kept, "
                     "and I agree to exactly this."),
        validators=[DataRequired(message=lazy_gettext("Tick the box to show you agree, or decline below."))],
    )


class WithdrawForm(FlaskForm):
    """Withdrawing consent, with an explicit confirmation."""

    reason = TextAreaField(lazy_gettext("If you like, tell us why (optional)"), validators=[Length(max=1000)])
    confirm = BooleanField(
        lazy_gettext("I understand the check stops now and cannot be restarted from this link."),
        validators=[DataRequired(message=lazy_gettext("Tick the box to confirm."))])


class RequestLinkForm(FlaskForm):
    """Ask for a new candidate link by email."""

    email = EmailField(lazy_gettext("Your email address"),
                       validators=[DataRequired(message=lazy_gettext("Enter your email address.")),
                                   Email(message=EMAIL_MESSAGE)], filters=[strip])


class StaffAccountForm(FlaskForm):
    """An admin creates a staff account."""

    name = StringField("Name", validators=[DataRequired(message="Enter their name."), Length(max=120),
                                           ONE_LINE])
    email = EmailField("Email", validators=[DataRequired(message="Enter their email address."),
                                            Email(message=EMAIL_MESSAGE), Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice("verifier", "Verifier"),
                                         SelectChoice("client", "Client (the hiring side)"),
                                         SelectChoice("admin", "Admin")])
    organisation = StringField(
        "Organisation", validators=[Length(max=200), ONE_LINE],
        description="A client's own organisation; for a verifier, the one they work on (blank: every "
                    "organisation). Admins work on all.",
        render_kw={"list": "organisation-names", "autocomplete": "off"})
    org_admin = BooleanField("This client may invite colleagues of their organisation")
    # Length and the other rules are checked by accounts.check_password, which says why kindly.
    password = PasswordField("Initial password", validators=[
        DataRequired(message="Choose a first password for them.")],
                             description=f"{PASSWORD_HINT} Share it with them in person.")


class OrganisationForm(FlaskForm):
    """An admin adds a hiring organisation."""

    name = StringField("Organisation's name", validators=[
        DataRequired(message="Enter the organisation's name."), Length(max=200), ONE_LINE])


class PackageForm(FlaskForm):
    """Staff save a case's scope as a package its organisation's clients can order with."""

    name = StringField("Package name", validators=[
        DataRequired(message="Name the package, for example: Senior engineer, two references."),
        Length(max=120), ONE_LINE])


class AssignForm(FlaskForm):
    """An admin chooses which organisations' cases a verifier works on."""

    every = BooleanField("Every organisation, including ones added later")
    organisations = CheckboxesField("Or only these organisations", coerce=int, choices=[])


class RefereeForm(FlaskForm):
    """The candidate (or staff) names a referee."""

    name = StringField(lazy_gettext("Full name"),
                       validators=[DataRequired(message=lazy_gettext("Enter the referee's full name.")),
                                   Length(max=200), ONE_LINE])
    email = EmailField(
        lazy_gettext("Work email address"),
        validators=[DataRequired(message=lazy_gettext("Enter the referee's work email address.")),
                    Email(message=EMAIL_MESSAGE), Length(max=254)], filters=[strip],
        description=lazy_gettext("Their work address helps them trust our email."))
    organisation = StringField(lazy_gettext("Organisation where you worked together"),
                               validators=[DataRequired(message=lazy_gettext("Enter the organisation.")),
                                           Length(max=200), ONE_LINE])
    job_title = StringField(
        lazy_gettext("Their job title then"),
        validators=[DataRequired(message=lazy_gettext("Enter the referee's job title at the time.")),
                    Length(max=200), ONE_LINE])
    # The service, not the widget, decides what the scope allows, so its message is the one shown.
    relationship = SelectField(
        lazy_gettext("How you worked together"), choices=[], validate_choice=False,
        validators=[DataRequired(message=lazy_gettext("Choose how you worked together."))])
    worked_from = MonthField(lazy_gettext("Worked together from"), validators=[MONTH_NEEDED, MONTH],
                              filters=[normalise_month], description=MONTH_HINT_SHOWN, render_kw=MONTH_INPUT)
    worked_to = MonthField(lazy_gettext("Until"), validators=[MONTH_NEEDED, MONTH],
                            filters=[normalise_month], description=MONTH_HINT_SHOWN, render_kw=MONTH_INPUT)


# A field the candidate must fill in, in their language.
FILL_IN = lazy_gettext("Please fill this in.")


class ClaimForm(FlaskForm):
    """The candidate states the facts of one position."""

    employer = StringField(lazy_gettext("Employer"),
                           validators=[DataRequired(message=FILL_IN), Length(max=200), ONE_LINE])
    title = StringField(lazy_gettext("Your job title"),
                        validators=[DataRequired(message=FILL_IN), Length(max=200), ONE_LINE])
    start_month = MonthField(lazy_gettext("Started"), validators=[MONTH_NEEDED, MONTH],
                              filters=[normalise_month], description=MONTH_HINT_SHOWN, render_kw=MONTH_INPUT)
    end_month = MonthField(
        lazy_gettext("Ended"), validators=[Optional(), MONTH], filters=[normalise_month],
        description=lazy_gettext("%(hint)s Leave empty if you still work there.", hint=MONTH_HINT_SHOWN),
        render_kw=MONTH_INPUT)
    reason_for_leaving = SelectField(lazy_gettext("Why it ended"), choices=[
        SelectChoice("", lazy_gettext("Choose one (if it ended)")),
        SelectChoice("resigned", lazy_gettext("I resigned")),
        SelectChoice("contract_ended", lazy_gettext("The contract ended")),
        SelectChoice("laid_off", lazy_gettext("I was laid off (redundancy)")),
        SelectChoice("dismissed", lazy_gettext("I was dismissed")),
        SelectChoice("other", lazy_gettext("Another reason")),
    ], validators=[Optional()])
    responsibilities = TextAreaField(lazy_gettext("Key responsibilities (optional)"),
                                     validators=[Length(max=2000)])


def show_error(form: FlaskForm, message: str, field: str | None = None) -> None:
    """Show a domain refusal on the field it concerns, or above the form."""
    target = getattr(form, field, None) if field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


class ResolveForm(FlaskForm):
    """Staff resolve a finding with a note that goes into the report."""

    resolution = SelectField("Resolution", choices=[
        SelectChoice("confirmed", "Confirmed: the difference stands"),
        SelectChoice("explained", "Explained: there is a good reason for it"),
        SelectChoice("dismissed", "Dismissed: not a real difference"),
    ])
    note = TextAreaField("Note for the report", validators=[Length(max=2000)])


def relationship_choices(scope: Scope) -> list[SelectChoice]:
    """Offer only the relationships the scope allows."""
    return [SelectChoice("", _("Choose one"))] + [
        SelectChoice(key, _capital(_(RELATIONSHIPS[key][0])))
        for key in scope.relationships if key in RELATIONSHIPS
    ]


def _capital(text: str) -> str:
    """Start a phrase with a capital letter, as a choice in a list does."""
    return text[:1].upper() + text[1:]


def text_of(field: Field) -> str:
    """Return what a text field holds, trimmed: empty when nothing was sent."""
    return field.data.strip() if isinstance(field.data, str) else ""


def details_from(form: RefereeForm) -> RefereeDetails:
    """Collect referee details from the form."""
    return RefereeDetails(
        name=text_of(form.name), email=text_of(form.email), organisation=text_of(form.organisation),
        job_title=text_of(form.job_title), relationship=text_of(form.relationship),
        worked_from=text_of(form.worked_from), worked_to=text_of(form.worked_to),
    )


def claim_facts(form: ClaimForm) -> ClaimFacts:
    """Collect a claim from the form."""
    return ClaimFacts(
        employer=text_of(form.employer), title=text_of(form.title), start_month=text_of(form.start_month),
        end_month=text_of(form.end_month),
        reason_for_leaving=text_of(form.reason_for_leaving) if form.end_month.data else "",
        responsibilities=text_of(form.responsibilities),
    )
