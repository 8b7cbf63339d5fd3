"""The candidate's portal: the emailed link, consent, receipt, timeline, withdrawal, their data, erasure."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ... import access, audit, cases, closure, experience, pace, privacy, progress, report, search, timeline
from ...commands import Actor
from ...extensions import db, limiter
from ...i18n import WORDS, reader_known, writing_in
from ...lifecycle import NAMING
from ...models import AWAITING_CONSENT, REFEREE_ACTIVE, RELEASED, Case, Consent, Referee, utcnow
from ...scope import RELATIONSHIPS, Nominee, Scope, still_needed
from ..common import run, save_experience, session_required
from ..forms import ConfirmForm, ConsentForm, ReasonForm, RequestLinkForm, WithdrawForm, text_of

bp = Blueprint("portal", __name__)
LINK_LIMIT = "20 per minute"
# Someone asking at /link acts for nobody in particular: the service sends the link.
PUBLIC = Actor.system("public")


class EraseForm(FlaskForm):
    """The candidate confirms that erasure is final."""

    confirm = BooleanField(
        lazy_gettext("I understand that this erases everything about this check for good, "
                     "and cannot be undone."),
        validators=[DataRequired(message=lazy_gettext("Please tick the box to confirm."))],
    )


candidate_required = session_required(
    "candidate", lambda: (render_template("portal/signed_out.html", form=RequestLinkForm()), 401))


def me() -> Actor:
    """Return the signed-in candidate as the actor of a command."""
    return Actor.candidate(g.case.id)


@bp.route("/c/<int:case_id>/<token>", methods=["GET"])
@limiter.limit(LINK_LIMIT)
def open_link(case_id: int, token: str) -> Any:
    """Show where the link leads; a GET changes nothing, so mail scanners cannot use it up."""
    link = access.find_link(token, "candidate", utcnow(), case_id=case_id)
    if link is None:
        return _link_refused()
    reader_known(link.case.candidate.language)
    return render_template("portal/open_link.html", case=link.case, form=ConfirmForm())


@bp.route("/c/<int:case_id>/<token>", methods=["POST"])
@limiter.limit(LINK_LIMIT)
def use_link(case_id: int, token: str) -> Any:
    """Exchange a valid link for a session, once, and move to a URL without the token."""
    if not ConfirmForm().validate_on_submit():
        return _link_refused()
    link = access.find_link(token, "candidate", utcnow(), case_id=case_id)
    if link is None:
        return _link_refused()
    done = run(cases.open_link, link.case_id, Actor.candidate(link.case_id), token, utcnow())
    if not done.ok or done.value is None:
        return _link_refused()
    session.clear()
    session["candidate_sid"] = done.value
    return redirect(url_for("portal.home"), 303)


@bp.route("/link", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def request_link() -> Any:
    """Send a fresh link to a candidate's address; the answer is the same whether or not we know it."""
    form = RequestLinkForm()
    if form.validate_on_submit():
        # One link per case, so someone with two checks can open either; withdrawn and
        # finished cases stay readable (the receipt is theirs at any time).
        for case_id in [case.id for case in search.find_cases_for_email(text_of(form.email))]:
            run(cases.send_new_link, case_id, PUBLIC, utcnow())
        return render_template("portal/link_sent.html")
    return render_template("portal/request_link.html", form=form)


@bp.route("/portal")
@candidate_required
def home() -> Any:
    """Show the case: the scope to decide on, or where things stand and what comes next."""
    case: Case = g.case
    now = utcnow()
    steps = timeline.build(progress.case_facts(case), now, WORDS)
    if case.state == AWAITING_CONSENT:
        return render_template("portal/decide.html", case=case, **_disclosure(case),
                               decide_by=pace.decide_by(steps, now), form=ConsentForm(),
                               decline_form=ReasonForm())
    listed = db.session.execute(
        sa.select(Referee).options(sa.orm.selectinload(Referee.data_key))
        .where(Referee.case_id == case.id, Referee.state != "revoked").order_by(Referee.nominated_at)
    ).scalars().all()
    released = case.state == RELEASED
    scope = _disclosure(case)["scope"]
    # A referee who declined or let their link expire leaves a gap only the candidate can fill.
    to_name = still_needed(scope, [Nominee(r.relationship, r.email_hash) for r in listed
                                   if r.state in REFEREE_ACTIVE], WORDS) if case.state in NAMING else []
    return render_template("portal/home.html", case=case, steps=steps,
                           next_step=timeline.next_step(steps), question=timeline.question(steps),
                           glance=closure.glance(closure.finding_counts(case.id)) if released else [],
                           latest_report=report.latest(case) if released else None,
                           replies_closed=case.reply_due_at is not None and case.reply_due_at <= utcnow(),
                           contact=case.contact, consent=case.consent, to_name=to_name,
                           referees=listed, **_disclosure(case),
                           typical_days=None if case.is_closed else experience.typical_days("check"),
                           experience_done=case.state == RELEASED and experience.answered(case, "release"))


@bp.route("/portal/consent", methods=["POST"])
@candidate_required
def consent() -> Any:
    """Record consent to the scope shown, signed with the typed name."""
    form = ConsentForm()
    if form.validate_on_submit():
        done = run(cases.grant_consent, g.case.id, me(), form.signature.data, request.remote_addr,
                   request.user_agent.string, utcnow(), shown_in=request.form.get("shown_in"))
        if done.ok or _already_agreed():
            # A second click, or a twin request, finds the consent recorded: that is the outcome wanted.
            flash(_("Thank you. Your consent is recorded and your receipt is below."), "success")
            return redirect(url_for("portal.receipt"), 303)
        if done.moved_on:
            done.flash_refusal()
            return redirect(url_for("portal.home"), 303)
        done.show_on(form)
    case: Case = g.case
    if case.state != AWAITING_CONSENT:
        return redirect(url_for("portal.home"), 303)
    return render_template("portal/decide.html", case=case, **_disclosure(case), form=form,
                           decide_by=cases.decide_by(case, utcnow()), decline_form=ReasonForm()), 422


@bp.route("/portal/decline", methods=["POST"])
@candidate_required
def decline() -> Response:
    """Record that the candidate refuses; nothing will be checked."""
    form = ReasonForm()
    if form.validate_on_submit():
        done = run(cases.decline_consent, g.case.id, me(), form.reason.data or "", request.remote_addr,
                   request.user_agent.string, utcnow(), shown_in=request.form.get("shown_in"))
        if done.ok:
            flash(_("You declined. Nothing will be checked and no one will be contacted."), "info")
        done.flash_refusal()
    return redirect(url_for("portal.home"), 303)


@bp.route("/portal/receipt")
@candidate_required
def receipt() -> Any:
    """Show the consent receipt for this case."""
    consent = _consent_or_404()
    return render_template("portal/receipt.html", case=g.case, consent=consent,
                           receipt=consent_receipt(g.case, consent), **_disclosure(g.case),
                           experience_done=experience.answered(g.case, "consent"))


@bp.route("/portal/receipt.json")
@candidate_required
def receipt_json() -> Any:
    """Return the consent receipt as JSON, in the shape of a Kantara consent receipt."""
    consent = _consent_or_404()
    # A record of the decision: written in the language the candidate decided in, whatever they read now.
    with writing_in(consent.language):
        receipt = consent_receipt(g.case, consent)
    response = current_app.response_class(json.dumps(receipt, indent=2, ensure_ascii=False) + "\n",
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="consent-receipt-{consent.id}.json"'
    return response


@bp.route("/portal/withdraw", methods=["GET", "POST"])
@candidate_required
def withdraw() -> Any:
    """Withdraw consent after an explicit confirmation; the case stops at once."""
    form = WithdrawForm()
    if form.validate_on_submit():
        done = run(cases.withdraw_consent, g.case.id, me(), form.reason.data or "", utcnow())
        if done.ok:
            flash(_("Your consent is withdrawn. The check has stopped and no one will be contacted."),
                  "info")
        done.flash_refusal()
        return redirect(url_for("portal.home"), 303)
    return render_template("portal/withdraw.html", case=g.case, form=form, **_disclosure(g.case))


@bp.route("/portal/experience/<moment>", methods=["POST"])
@session_required("candidate", lambda: ("", 401))
def experience_answer(moment: str) -> Response:
    """Keep the candidate's optional answer about consent or the whole check."""
    if moment not in experience.CANDIDATE_MOMENTS or (moment == "release" and g.case.state != RELEASED):
        return redirect(url_for("portal.home"), 303)
    save_experience(g.case.id, me(), moment)
    return redirect(url_for("portal.receipt" if moment == "consent" else "portal.home"), 303)


@bp.route("/portal/my-data")
@candidate_required
def export_page() -> Any:
    """Show everything held about the candidate in this case, in readable form."""
    data = privacy.export_case(g.case, utcnow())
    audit.record("data.exported", me().name, g.case.id, format="html")
    db.session.commit()
    return render_template("portal/export.html", case=g.case, data=data,
                           erasable=g.case.state in privacy.ERASABLE_STATES)


@bp.route("/portal/my-data.json")
@candidate_required
def export_json() -> Any:
    """Download everything held about the candidate in this case as JSON."""
    data = privacy.export_case(g.case, utcnow())
    audit.record("data.exported", me().name, g.case.id, format="json")
    db.session.commit()
    response = current_app.response_class(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="refcheck-{g.case.reference}-my-data.json"')
    return response


@bp.route("/portal/erase", methods=["GET", "POST"])
@candidate_required
def erase() -> Any:
    """Erase the case for good at the candidate's request, once nothing more will be checked."""
    case: Case = g.case
    form = EraseForm()
    if case.state not in privacy.ERASABLE_STATES:
        return render_template("portal/erase.html", case=case, form=form, too_early=True), 409
    if form.validate_on_submit():
        reference = case.reference
        done = run(privacy.request_erasure, case.id, me(), utcnow())
        if done.ok:
            session.clear()
            return render_template("portal/erased.html", reference=reference)
        done.flash_refusal()
        return redirect(url_for("portal.home"), 303)
    return render_template("portal/erase.html", case=case, form=form,
                           retention_days=cases.retention_days(case)), (422 if form.errors else 200)


@bp.route("/portal/signout", methods=["POST"])
def sign_out() -> Any:
    """End the candidate's session."""
    if ConfirmForm().validate_on_submit():
        access.end_session(session.get("candidate_sid"), utcnow())
        db.session.commit()
        session.clear()
    return render_template("portal/signed_out.html", form=RequestLinkForm(), signed_out=True)


def consent_receipt(case: Case, consent: Consent) -> dict[str, Any]:
    """Build a consent receipt with the fields of the Kantara Consent Receipt specification."""
    cfg = current_app.config
    scope = Scope.from_json(consent.scope)
    return {
        "version": "KI-CR-v1.1.0",
        "jurisdiction": cfg["JURISDICTION"],
        "consentTimestamp": int(consent.decided_at.timestamp()),
        "collectionMethod": _("Signed by typing full name on the refcheck candidate portal"),
        "consentReceiptID": consent.id,
        # The language the candidate read the scope and decided in, which the receipt's words are in too.
        "language": consent.language,
        "piiPrincipalId": case.candidate.email,
        "piiControllers": [{"piiController": cfg["CONTROLLER_NAME"], "email": cfg["CONTROLLER_EMAIL"],
                            "onBehalf": False}],
        "policyUrl": cfg["BASE_URL"].rstrip("/") + url_for("public.privacy"),
        "services": [{
            "service": _("Reference check for %(position)s at %(organisation)s",
                         position=case.position, organisation=case.hiring_organisation),
            "purposes": [{
                "purpose": case.purpose,
                "purposeCategory": ["Employment screening"],
                "consentType": "EXPLICIT",
                "piiCategory": _pii_categories(scope),
                "primaryPurpose": True,
                "termination": ngettext(
                    "%(num)d day after the case ends (also when you withdraw), then erased",
                    "%(num)d days after the case ends (also when you withdraw), then erased",
                    scope.retention_days),
                "thirdPartyDisclosure": True,
                "thirdPartyName": scope.report_recipients,
            }],
        }],
        "sensitive": False,
        "spiCat": [],
        "decision": consent.decision,
        "scope": consent.scope,
        "scopeSha256": consent.scope_sha256,
        "disclosureVersion": consent.disclosure_version,
        "withdrawn": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        "howToWithdraw": _("Ask for a new link at %(address)s, open it and choose 'Withdraw consent'; "
                           "or write to %(email)s.", address=cfg["BASE_URL"].rstrip("/") + "/link",
                           email=cfg["CONTROLLER_EMAIL"]),
    }


def _pii_categories(scope: Scope) -> list[str]:
    """Name the kinds of personal data the scope covers."""
    categories = [_("Name and contact details")]
    if "employment_history" in scope.checks:
        categories.append(_("Employment history (employers, job titles, dates and reasons for leaving)"))
    if "references" in scope.checks:
        categories.append(_("Referees' answers about your work"))
    return categories


def _disclosure(case: Case) -> dict[str, Any]:
    """Return what the disclosure pages need: the scope in words and the controller."""
    consent = case.consent
    scope = Scope.from_json(consent.scope if consent else case.scope)
    return {"scope": scope, "scope_lines": scope.describe(WORDS),
            "controller": current_app.config["CONTROLLER_NAME"],
            "controller_email": current_app.config["CONTROLLER_EMAIL"],
            "declined_erase_days": min(scope.retention_days, current_app.config["DECLINED_ERASE_DAYS"]),
            "relationships": RELATIONSHIPS}


def _already_agreed() -> bool:
    """Say whether the candidate's consent to this case is recorded and in force."""
    consent = db.session.execute(sa.select(Case).where(Case.id == g.case.id)).scalar_one().consent
    return consent is not None and consent.decision == "granted" and consent.withdrawn_at is None


def _consent_or_404() -> Consent:
    """Return the case's consent, or answer 404 if there is none yet."""
    consent = g.case.consent
    if consent is None:
        abort(404)
    return consent


def _link_refused() -> Any:
    """Answer every unusable link the same way: expired, used, altered or unknown."""
    return render_template("portal/link_refused.html", form=RequestLinkForm()), 404
