"""The API's plumbing: its blueprint, bearer keys, problem details, validation, cursors, audited answers."""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from typing import Any, cast

from flask import Blueprint, Response, current_app, g, jsonify, request
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from ... import api_keys, audit
from ...api_models import ApiKey
from ...commands import Actor
from ...extensions import csrf, db, limiter
from ...models import utcnow
from . import spec

bp = Blueprint("api", __name__, url_prefix=spec.BASE)
csrf.exempt(bp)
MEDIA = "application/json"
PROBLEM_MEDIA = "application/problem+json"


class Problem(Exception):
    """An answer of RFC 9457 problem details, raised anywhere in a view."""

    def __init__(self, slug: str, detail: str, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, kept: bool = False) -> None:
        super().__init__(detail)
        self.slug, self.detail, self.errors, self.headers = slug, detail, errors, headers or {}
        # The view already rolled its change back and wrote why it was refused: keep that.
        self.kept = kept


def problem_response(slug: str, detail: str, errors: list[dict[str, str]] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    """Build a problem-details answer: a stable type, a title, the status, what went wrong."""
    status = spec.PROBLEMS[slug][0]
    body: dict[str, Any] = {"type": spec.problem_type(slug), "title": slug.replace("-", " ").capitalize(),
                            "status": status, "detail": detail, "instance": request.path}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MEDIA
    response.headers.update(headers or {})
    return response


def is_api_request() -> bool:
    """Say whether this request is the API's, which is answered in JSON whatever goes wrong."""
    return request.path == spec.BASE or request.path.startswith(spec.BASE + "/")


def _caller() -> ApiKey | None:
    """Return the live key the request presented, looked up once per request."""
    if "api_caller" not in g:
        g.api_caller = api_keys.authenticate(_presented_key() or "")
    return g.api_caller


def _bucket() -> str:
    """Key the rate limit by the live key, or by the address for a request without one.

    Made-up keys share their address's allowance: inventing a new key per call gains nothing.
    """
    key = _caller()
    return f"api-key:{key.id}" if key is not None else "api-address:" + (request.remote_addr or "?")




def _presented_key() -> str | None:
    """Return the bearer key of the Authorization header, if it has one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def key_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve a view only to a live API key, which it then acts as; refuse any other request alike."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = _caller()
        if key is None:
            # Said alike for a missing, a wrong and a revoked key; not audited (no organisation to tie it to).
            return problem_response("unauthorized", "Send a live API key as `Authorization: Bearer <key>`.",
                                    headers={"WWW-Authenticate": 'Bearer realm="refcheck"'})
        g.api_key = key
        g.api_actor = Actor.api_key(key.id, key.organisation_id)
        return view(*args, **kwargs)

    # Each key has its own allowance, counted before the key is even looked up.
    limited = limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_bucket)(wrapped)
    # Who may use the view rides on it, where the access tests read every route's rule.
    setattr(limited, "access_rule", ("api-key",))  # noqa: B010
    return limited


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view anyone may read (the API's own description)."""
    setattr(view, "access_rule", ("public",))  # noqa: B010 - read by the access tests
    return view


def actor() -> Actor:
    """Return the calling key as the actor its commands run as."""
    return g.api_actor


def organisation_id() -> int:
    """Return the calling key's organisation."""
    return g.api_key.organisation_id


def reply(body: Any, status: int = 200, case_id: int | None = None, **audited: Any) -> Response:
    """Audit the call, commit once, and answer with JSON."""
    record_call(status, case_id, **audited)
    db.session.commit()
    response = jsonify(body)
    response.status_code = status
    return response


def record_call(status: int, case_id: int | None = None, **details: Any) -> None:
    """Write the call to the audit log, in the transaction about to commit."""
    key = g.get("api_key")
    if key is None:
        return
    api_keys.note_use(key, utcnow())
    rule = request.url_rule.rule if request.url_rule is not None else request.path[:200]
    audit.record("api.called", f"api-key:{key.id}", case_id, method=request.method, route=rule, status=status,
                 organisation_id=key.organisation_id, **details)


def answer_problem(error: Problem) -> Response:
    """Turn a raised problem into its answer, with nothing the view half-did kept, and audit the call."""
    if not error.kept:
        db.session.rollback()
    response = problem_response(error.slug, error.detail, error.errors, error.headers)
    if g.get("api_key") is not None:
        record_call(response.status_code, problem=error.slug)
        db.session.commit()
    return response


bp.register_error_handler(Problem, answer_problem)


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """Return the request's JSON object, valid against `schema`, or raise the problem that says why."""
    if not request.is_json:
        raise Problem("invalid-json", f"Send the body as JSON with Content-Type: {MEDIA}.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem("invalid-json", "The body is not a JSON object.")
    validate(body, schema)
    return body


# Made once: the checker's set of formats is the same for every request.
FORMATS = FormatChecker()


def validate(value: dict[str, Any], schema: dict[str, Any]) -> None:
    """Check a value against a schema of the OpenAPI document; raise a problem naming each wrong field."""
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    found = sorted(validator.iter_errors(value), key=lambda err: list(err.absolute_path))
    if found:
        errors = [{"field": _field(err), "message": _message(err)} for err in found[:20]]
        raise Problem("validation", "Some fields are missing or wrong; see errors.", errors)


def _field(error: ValidationError) -> str:
    """Name the field an error is about, dotted, as the body spells it."""
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        # jsonschema names the missing property only in its message: 'name' is a required property.
        path.append(str(error.message.split("'")[1]))
    return ".".join(path) or "(body)"


# One plain sentence per kind of problem; jsonschema's own messages repeat the value sent.
_MESSAGES: dict[str, Callable[[ValidationError], str]] = {
    "required": lambda err: "This field is required.",
    "type": lambda err: f"Must be of type {err.validator_value}.",
    "maxLength": lambda err: f"Use at most {err.validator_value} characters.",
    "minLength": lambda err: "Must not be empty.",
    "pattern": lambda err: "Must not be empty or blank." if err.validator_value == r"\S"
    else "Has characters that are not allowed here.",
    "format": lambda err: {"email": "Must be an email address.", "date": "Must be a date such as 2027-01-31.",
                           "date-time": "Must be a date and time such as 2027-01-31T09:00:00Z."}.get(
                               str(err.validator_value), f"Must be a {err.validator_value}."),
    "enum": lambda err: "Must be one of: " + ", ".join(map(str, cast(list[Any], err.validator_value))) + ".",
    "additionalProperties": lambda err: _unknown_fields(err.instance, cast(dict[str, Any], err.schema)),
    "minimum": lambda err: f"Must be at least {err.validator_value}.",
    "maximum": lambda err: f"Must be at most {err.validator_value}.",
}


def _unknown_fields(instance: Any, schema: dict[str, Any]) -> str:
    """Name (shortly) the fields a body sent that its schema does not have."""
    unknown = sorted(set(instance) - set(schema.get("properties", {})))
    return "Has fields this API does not know: " + ", ".join(name[:40] for name in unknown[:5]) + "."


def _message(error: ValidationError) -> str:
    """Say what is wrong with one field, without repeating what was sent."""
    say = _MESSAGES.get(str(error.validator))
    return say(error) if say is not None else "Is not valid here."


def cursor_of(value: int) -> str:
    """Return an opaque cursor for a position in a list."""
    return base64.urlsafe_b64encode(f"after:{value}".encode()).decode().rstrip("=")


def position_of(cursor: str | None) -> int | None:
    """Read a cursor back; refuse one this API did not make."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "after" or not number.isdigit() or len(number) > 10:
            raise ValueError(text)
        return int(number)
    except (ValueError, UnicodeDecodeError) as err:
        raise Problem("validation", "The cursor is not one this API gave.",
                      [{"field": "cursor", "message": "Use next_cursor from the page before."}]) from err


def query_args(filters: dict[str, Any]) -> dict[str, Any]:
    """Return the filters a list was asked for; refuse any it does not know (a typo would filter nothing)."""
    unknown = sorted(set(request.args) - set(filters) - {"limit", "cursor"})
    if unknown:
        raise Problem("validation", "The list does not know some of the parameters sent.",
                      [{"field": name[:40], "message": "Not a parameter of this list."}
                       for name in unknown[:5]])
    repeated = [name for name in request.args if len(request.args.getlist(name)) > 1]
    if repeated:
        raise Problem("validation", "A parameter was sent more than once.",
                      [{"field": name[:40], "message": "Send it once."} for name in repeated[:5]])
    return {name: request.args[name] for name in filters if name in request.args}


def page_size() -> int:
    """Return the page size asked for, 1 to 100 (25 when not given)."""
    text = request.args.get("limit", "25")
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise Problem("validation", "The page size is out of range.",
                      [{"field": "limit", "message": "Must be a whole number from 1 to 100."}])
    return int(text)
