"""The API's checks: order one, read one, list them, cancel one."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, g, request
from sqlalchemy.exc import IntegrityError

from ... import cases, closure, progress, report, timeline
from ...api_models import IdempotentRequest
from ...check_events import timestamp
from ...commands import CaseGone, CommandRefused, record_refusal
from ...errors import CaseError
from ...extensions import db
from ...hiring_side import STEP_TITLES, WHO, state_words, steps
from ...models import RELEASED, Case, Package, Referee, Report, utcnow
from ...scope import Scope
from .base import (
    Problem,
    actor,
    bp,
    cursor_of,
    json_body,
    key_required,
    organisation_id,
    page_size,
    position_of,
    query_args,
    reply,
    spec,
)
from .base import validate as check_query
from .catalogue import offered

# ---------------------------------------------------------------- checks

# An order through the API goes to the candidate at once, with no check by our team first.
API_ORDERED = "Your system ordered the check and it went to the candidate"

def _step_json(step: timeline.Step, by_api: bool) -> dict[str, Any]:
    """Return one step of a check's timeline in the hiring side's words."""
    title = API_ORDERED if by_api and step.key == "opened" else STEP_TITLES.get(step.key, step.title)
    return {"key": step.key, "title": title, "status": step.status,
            "date": step.date.isoformat() if step.date else None, "who": WHO.get(step.who, step.who),
            **({"note": step.note} if step.note else {})}


def check_json(case: Case, answered: dict[int, dt.datetime], replied: dict[int, dt.datetime],
               latest: Report | None, findings: dict[str, Any] | None, now: dt.datetime) -> dict[str, Any]:
    """Return a check as its hiring side may read it: before release, state and dates only."""
    shown = steps(case, answered, replied, now)
    upcoming = timeline.next_step(shown)
    released = case.state == RELEASED and latest is not None
    by_api = case.api_key_id is not None
    return {
        "id": case.id, "reference": case.reference, "client_reference": case.client_reference,
        "state": case.state, "status": state_words(case, answered, replied),
        "position": case.position, "package_id": case.package_id,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "created_at": timestamp(case.created_at), "updated_at": timestamp(case.state_changed_at),
        "next_step": _step_json(upcoming, by_api) if upcoming else None,
        "timeline": [_step_json(step, by_api) for step in shown],
        "findings": findings if released else None,
        "report": report_json(case, latest) if released and latest is not None else None,
    }


def report_json(case: Case, latest: Report) -> dict[str, Any]:
    """Return a released report's metadata: the same version and fingerprints as the pages."""
    return {"version": latest.version, "sha256": latest.sha256, "fingerprint": latest.fingerprint,
            "language": latest.language, "released_at": timestamp(latest.released_at or latest.created_at),
            "download": f"{spec.BASE}/checks/{case.id}/report.pdf"}


def findings_json(case: Case) -> dict[str, Any]:
    """Count what the released report's findings came to; the findings themselves are in the report."""
    counts = closure.finding_counts(case.id)
    agree = sum(counts.get(status, 0) for status in closure.AGREES)
    answered = db.session.execute(sa.select(sa.func.count()).select_from(Referee).where(
        Referee.case_id == case.id, Referee.state == "submitted")).scalar_one()
    return {"facts_compared": agree + counts.get("conflict", 0) + counts.get("unverified", 0), "agree": agree,
            "corroborated": counts.get("corroborated", 0), "conflicts": counts.get("conflict", 0),
            "unverified": counts.get("unverified", 0), "conflicts_replied": counts.get("replied", 0),
            "referees_answered": answered}


def one_check(check_id: int) -> Case:
    """Return one of the organisation's checks; any other is not found, in the same words."""
    if check_id > spec.MAX_ID:
        raise Problem("not-found", "There is no such check among yours.")
    found = db.session.execute(sa.select(Case).where(
        Case.id == check_id, Case.organisation_id == organisation_id())).scalar_one_or_none()
    if found is None:
        raise Problem("not-found", "There is no such check among yours.")
    return found


def _check_answer(case: Case, now: dt.datetime) -> dict[str, Any]:
    """Return one check's full answer."""
    answered, replied = progress.answers_in([case]), progress.replies_in([case], now)
    latest = report.latest_of([case]).get(case.id) if case.state == RELEASED else None
    findings = findings_json(case) if latest is not None else None
    return check_json(case, answered, replied, latest, findings, now)


@bp.get("/checks/<int:check_id>")
@key_required
def check(check_id: int) -> Response:
    """Read one check."""
    case = one_check(check_id)
    return reply(_check_answer(case, utcnow()), case_id=case.id)


@bp.get("/checks")
@key_required
def check_list() -> Response:
    """List the organisation's checks, newest first, filtered, a page at a time."""
    args = query_args(spec.CHECK_FILTERS)
    check_query(args, {"type": "object", "properties": spec.CHECK_FILTERS})
    limit = page_size()
    query = sa.select(Case).where(Case.organisation_id == organisation_id())
    before = position_of(request.args.get("cursor"))
    if before is not None:
        query = query.where(Case.id < before)
    if "state" in args:
        query = query.where(Case.state == args["state"])
    if "client_reference" in args:
        query = query.where(Case.client_reference == args["client_reference"])
    if "created_after" in args:
        query = query.where(Case.created_at > _moment("created_after", args["created_after"]))
    if "created_before" in args:
        query = query.where(Case.created_at < _moment("created_before", args["created_before"]))
    rows = list(db.session.execute(query.order_by(Case.id.desc()).limit(limit + 1)).scalars())
    page, more = rows[:limit], len(rows) > limit
    now = utcnow()
    answered, replied = progress.answers_in(page), progress.replies_in(page, now)
    released = [case for case in page if case.state == RELEASED]
    latest = report.latest_of(released)
    data = [check_json(case, answered, replied, latest.get(case.id), None, now) for case in page]
    for item, case in zip(data, page, strict=True):
        if item["report"] is not None:
            # Findings are read per check: a list shows where each stands, a check's own page the rest.
            item["findings"] = findings_json(case)
    return reply({"data": data, "next_cursor": cursor_of(page[-1].id) if more and page else None})


def _moment(name: str, text: str) -> dt.datetime:
    """Read a date-time filter; one without a zone is taken as UTC."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise Problem("validation", "A date filter is not a date and time.",
                      [{"field": name, "message": "Must be a date and time such as 2027-01-31T09:00:00Z."}],
                      ) from err
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@bp.post("/checks")
@key_required
def create_check() -> Response:
    """Order a check from a package; the candidate is sent their link in the same transaction."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= 255 and key.isascii() and key.isprintable()
                                and " " not in key):
        raise Problem("validation", "The Idempotency-Key header is not usable.",
                      [{"field": "Idempotency-Key", "message": "Use 1 to 255 visible ASCII characters."}])
    body = json_body(spec.CHECK_CREATE)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    if key is not None:
        earlier = _earlier(key)
        if earlier is not None and _remembered(earlier):
            return _replay(earlier, digest)
        if earlier is not None:
            # Past the time a retry is answered from it: the key may order something new.
            db.session.delete(earlier)
            db.session.flush()
    chosen = db.session.execute(offered().where(Package.id == body["package_id"])).scalar_one_or_none()
    if chosen is None:
        raise Problem("validation", "Choose one of your organisation's packages.",
                      [{"field": "package_id", "message": "There is no such package among yours."}])
    now = utcnow()
    if key is not None:
        # Written first, so a twin request with the same key waits here (PostgreSQL) or at its first
        # write (SQLite), then finds this one's record instead of ordering a second check.
        record = IdempotentRequest(api_key_id=g.api_key.id, key=key, request_hash=digest, case_id=0,
                                   created_at=now)
        db.session.add(record)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            earlier = _earlier(key)
            if earlier is None or not _remembered(earlier):
                raise Problem("idempotency-in-progress",
                              "A request with this key is under way; try again.") from None
            return _replay(earlier, digest)
    details = cases.CaseDetails(
        candidate_name=body["candidate"]["name"], candidate_email=body["candidate"]["email"],
        position=body["position"], hiring_organisation=chosen.organisation.name,
        purpose=(body.get("purpose") or chosen.purpose),
        due_date=_date(body.get("due_date")), package_id=chosen.id,
        client_reference=body.get("client_reference"),
        language=body["candidate"].get("language", "en"))
    try:
        case, _token = cases.order(details, Scope.from_json(chosen.scope), actor(), now)
    except CommandRefused as err:
        record_refusal(err, None, actor(), "api.create_check")
        raise Problem("state-conflict", err.message, kept=True) from err
    except CaseError as err:
        field = {"candidate_name": "candidate.name", "candidate_email": "candidate.email"}.get(
            err.field or "", err.field or "(body)")
        raise Problem("validation", err.message, [{"field": field, "message": err.message}]) from err
    if key is not None:
        record.case_id = case.id
    return reply(_check_answer(case, now), 201, case_id=case.id, idempotency_key=key is not None)


def _date(text: str | None) -> dt.date | None:
    """Read a due date the schema has already checked."""
    return dt.date.fromisoformat(text) if text else None


def _earlier(key: str) -> IdempotentRequest | None:
    """Return this API key's earlier request with the same Idempotency-Key, if one is on record."""
    return db.session.execute(sa.select(IdempotentRequest).where(
        IdempotentRequest.api_key_id == g.api_key.id, IdempotentRequest.key == key)).scalar_one_or_none()


def _remembered(earlier: IdempotentRequest) -> bool:
    """Say whether a retry is still answered from an earlier request (API_IDEMPOTENCY_HOURS)."""
    return earlier.created_at >= utcnow() - dt.timedelta(hours=current_app.config["API_IDEMPOTENCY_HOURS"])


def _replay(earlier: IdempotentRequest, digest: str) -> Response:
    """Answer a retry with the check the first request made; refuse the key with another request."""
    if earlier.request_hash != digest:
        raise Problem("idempotency-key-reused", "This Idempotency-Key was used with another request body.")
    case = db.session.execute(sa.select(Case).where(
        Case.id == earlier.case_id, Case.organisation_id == organisation_id())).scalar_one_or_none()
    if case is None:
        raise Problem("not-found", "The check this key ordered no longer exists (it was erased).")
    response = reply(_check_answer(case, utcnow()), 201, case_id=case.id, replayed=True)
    response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.post("/checks/<int:check_id>/cancel")
@key_required
def cancel(check_id: int) -> Response:
    """Stop a check that has not ended; the reason is shown to the candidate."""
    one_check(check_id)
    body = json_body(spec.CHECK_CANCEL)
    now = utcnow()
    try:
        case = cases.cancel_case(check_id, actor(), body["reason"], now)
    except CaseGone as err:
        raise Problem("not-found", "There is no such check among yours.") from err
    except CommandRefused as err:
        record_refusal(err, check_id, actor(), "api.cancel")
        raise Problem("state-conflict", err.message, kept=True) from err
    except CaseError as err:
        raise Problem("validation", err.message, [{"field": "reason", "message": err.message}]) from err
    return reply(_check_answer(case, now), case_id=case.id)
