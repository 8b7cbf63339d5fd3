"""The API's OpenAPI 3.1 document: the one description of every route, its input and its answers.

The request schemas here are also what the API validates bodies and query strings with, and a test
holds the document's paths equal to the app's routes, so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from ...check_events import TYPES
from ...i18n import DEFAULT as DEFAULT_LANGUAGE
from ...i18n import LANGUAGES
from ...lifecycle import CASE_STATES
from ...scope import CHECKS, RELATIONSHIPS

VERSION = "1.0.0"
BASE = "/api/v1"
# Problem types, each a stable id with its status and what it means; `type` is the reference page's anchor.
PROBLEMS = {
    "unauthorized": (401, "The request has no API key, or one that is unknown or revoked."),
    "not-found": (404, "Nothing here, or not your organisation's: the two are told apart by nothing."),
    "method-not-allowed": (405, "The route exists but not with this method."),
    "invalid-json": (400, "The body is not a JSON object."),
    "validation": (422, "A field is missing or wrong; `errors` names each field and what is wrong with it."),
    "state-conflict": (409, "The check's state does not allow this now (say, cancelling a released check)."),
    "idempotency-key-reused": (422, "This Idempotency-Key was used with another request."),
    "idempotency-in-progress": (409, "A request with this Idempotency-Key is still under way; try again."),
    "not-released": (404, "The check has no released report yet."),
    "too-large": (413, "The body is larger than the service accepts."),
    "rate-limited": (429, "Too many calls with this key; Retry-After says when to try again."),
    "unavailable": (503, "The service cannot take the change now; nothing was saved. Retry later."),
    "server-error": (500, "Something went wrong on our side; nothing was saved."),
}


def problem_type(slug: str) -> str:
    """Return a problem type's URI: the reference page's section on it."""
    return f"{BASE}/docs#problem-{slug}"


_DATE_TIME = {"type": "string", "format": "date-time"}
_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_NULLABLE_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}
_STATE = {"type": "string", "enum": list(CASE_STATES)}
MAX_ID = 2_147_483_647
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

CHECK_CREATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["package_id", "candidate", "position"],
    "properties": {
        "package_id": {**_ID, "description": "One of your organisation's packages (GET /packages)."},
        "candidate": {
            "type": "object", "additionalProperties": False, "required": ["name", "email"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
                "email": {"type": "string", "format": "email", "minLength": 3, "maxLength": 254},
                "language": {"type": "string", "enum": list(LANGUAGES), "default": DEFAULT_LANGUAGE,
                             "description": "The language of the candidate's pages and emails: English (en), "
                                            "Spanish (es) or French (fr). They can change it themselves."},
            },
        },
        "position": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
        "due_date": {**_NULLABLE_DATE, "description": "When you need the report; refused if the usual pace "
                                                      "cannot meet it (the problem says the earliest date)."},
        "purpose": {"type": ["string", "null"], "maxLength": 1000,
                    "description": "Why the check is done, in the words the candidate reads; the package's "
                                   "when left out."},
        "client_reference": {"type": ["string", "null"], "maxLength": 100,
                             "description": "Your own reference, returned with the check; a filter too."},
    },
}
CHECK_CANCEL: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason"],
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": r"\S",
                              "description": "Why the check stops; the candidate reads it."}},
}

_STEP = {
    "type": "object",
    "required": ["key", "title", "status", "date", "who"],
    "properties": {
        "key": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": ["done", "current", "overdue", "upcoming", "stopped"]},
        "date": _NULLABLE_DATE,
        "who": {"type": "string", "description": "Who acts: the candidate, the referees or our team."},
        "note": {"type": "string"},
    },
}
_REPORT_META = {
    "type": "object",
    "required": ["version", "sha256", "fingerprint", "language", "released_at", "download"],
    "properties": {
        "version": {"type": "integer"},
        "sha256": {"type": "string", "description": "SHA-256 of the PDF file, as the pages give it."},
        "fingerprint": {"type": "string", "description": "The fingerprint printed on every page of the PDF."},
        "language": {"type": "string", "enum": ["en", "es", "fr"],
                     "description": "The language the report is written in (the service's REPORT_LANGUAGE)."},
        "released_at": _DATE_TIME,
        "download": {"type": "string", "description": "The PDF's path in this API."},
    },
}
_FINDINGS = {
    "type": "object",
    "description": "How the candidate's facts compared with what referees said (in full: the report).",
    "required": ["facts_compared", "agree", "corroborated", "conflicts", "unverified", "conflicts_replied",
                 "referees_answered"],
    "properties": {name: {"type": "integer", "minimum": 0} for name in (
        "facts_compared", "agree", "corroborated", "conflicts", "unverified", "conflicts_replied",
        "referees_answered")},
}
CHECK: dict[str, Any] = {
    "type": "object",
    "description": "A check as the hiring side reads it: ids, states and dates, and once released the "
                   "findings' counts and the report. The candidate's name and address are not repeated: "
                   "your system holds what it sent, under the check's id and your reference.",
    "required": ["id", "reference", "client_reference", "state", "status", "position",
                 "package_id", "due_date", "created_at", "updated_at", "next_step", "timeline", "findings",
                 "report"],
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string", "description": "The reference our team and the candidate quote."},
        "client_reference": {"type": ["string", "null"]},
        "state": _STATE,
        "status": {"type": "string", "description": "Where the check stands, in words."},
        "position": {"type": "string"},
        "package_id": {"type": ["integer", "null"]},
        "due_date": _NULLABLE_DATE,
        "created_at": _DATE_TIME,
        "updated_at": {**_DATE_TIME, "description": "When the state last changed."},
        "next_step": {"oneOf": [{"type": "null"}, _STEP]},
        "timeline": {"type": "array", "items": _STEP},
        "findings": {"oneOf": [{"type": "null"}, _FINDINGS], "description": "Only once released."},
        "report": {"oneOf": [{"type": "null"}, _REPORT_META], "description": "Only once released."},
    },
}
PACKAGE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "purpose", "checks", "referees", "period", "question_set", "retention_days",
                 "attribution"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "purpose": {"type": "string"},
        "checks": {"type": "array", "items": {"type": "string", "enum": list(CHECKS)}},
        "referees": {"type": "object", "required": ["min", "max", "required_by_relationship"], "properties": {
            "min": {"type": "integer"}, "max": {"type": "integer"},
            "required_by_relationship": {"type": "object", "propertyNames": {"enum": list(RELATIONSHIPS)},
                                         "additionalProperties": {"type": "integer"}}}},
        "period": {"type": "object", "required": ["from", "to"], "properties": {
            "from": {"type": "string", "description": "YYYY-MM"}, "to": {"type": "string"}}},
        "question_set": {"type": "string"},
        "retention_days": {"type": "integer", "description": "Days the data is kept after the check ends."},
        "attribution": {"type": "string", "enum": ["grouped", "attributed", ""]},
    },
}
EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "type", "timestamp", "data"],
    "properties": {
        "id": {"type": "string", "description": "The webhook-id header of the same event's delivery."},
        "type": {"type": "string", "enum": list(TYPES)},
        "timestamp": _DATE_TIME,
        "data": {"type": "object", "required": ["check_id", "state"], "properties": {
            "check_id": {"type": "integer"}, "state": {"type": "string"}}},
    },
}
PROBLEM: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}
_CURSOR = {"name": "cursor", "in": "query", "required": False,
           "schema": {"type": "string", "maxLength": 100, "pattern": r"^[A-Za-z0-9_-]+$"},
           "description": "next_cursor of the page before."}
_LIMIT = {"name": "limit", "in": "query", "required": False,
          "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}}
CHECK_FILTERS: dict[str, Any] = {
    "state": {"type": "string", "enum": list(CASE_STATES)},
    "client_reference": {"type": "string", "minLength": 1, "maxLength": 100},
    "created_after": {"type": "string", "format": "date-time"},
    "created_before": {"type": "string", "format": "date-time"},
}
EVENT_FILTERS: dict[str, Any] = {
    "type": {"type": "string", "enum": list(TYPES)},
    "check_id": _ID,
}


def _page_of(item: str) -> dict[str, Any]:
    """Return the schema of a page of items with the cursor to the next page."""
    return {"type": "object", "required": ["data", "next_cursor"], "properties": {
        "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        "next_cursor": {"type": ["string", "null"]}}}


def _answers(ok: int, schema: str | None, *problems: str, media: str = "application/json") -> dict[str, Any]:
    """Return an operation's responses: the success with its schema, and the problems it may give."""
    answers: dict[str, Any] = {str(ok): {"description": "OK" if ok == 200 else "Created"}}
    if schema is not None:
        answers[str(ok)]["content"] = {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}
                                               if media == "application/json"
                                               else {"type": "string", "format": "binary"}}}
    for slug in ("unauthorized", "rate-limited", *problems):
        status = str(PROBLEMS[slug][0])
        answers.setdefault(status, {"description": PROBLEMS[slug][1],
                                    "content": {"application/problem+json": {
                                        "schema": {"$ref": "#/components/schemas/Problem"}}}})
    return answers


def _check_id() -> dict[str, Any]:
    """Return the path parameter naming a check."""
    return {"name": "check_id", "in": "path", "required": True, "schema": _ID}


def document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the API."""
    query = [{"name": name, "in": "query", "required": False, "schema": schema}
             for name, schema in CHECK_FILTERS.items()]
    event_query = [{"name": name, "in": "query", "required": False, "schema": schema}
                   for name, schema in EVENT_FILTERS.items()]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "refcheck API", "version": VERSION,
            "description": "Order reference checks from a hiring system, follow them and download released "
                           "reports. Authenticate with the header Authorization: Bearer <key>; errors are "
                           "RFC 9457 problem details. A key sees only its organisation's checks.",
        },
        "servers": [{"url": BASE}],
        "security": [{"bearer": []}],
        "paths": {
            "/packages": {"get": {
                "operationId": "listPackages", "summary": "The packages your organisation may order",
                "responses": _answers(200, "PackageList")}},
            "/packages/{package_id}": {"get": {
                "operationId": "getPackage", "summary": "One package",
                "parameters": [{"name": "package_id", "in": "path", "required": True, "schema": _ID}],
                "responses": _answers(200, "Package", "not-found")}},
            "/checks": {
                "get": {"operationId": "listChecks", "summary": "Your checks, newest first, a page at a time",
                        "parameters": [*query, _LIMIT, _CURSOR],
                        "responses": _answers(200, "CheckList", "validation")},
                "post": {"operationId": "createCheck",
                         "summary": "Order a check: the candidate is sent their link at once",
                         "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                         "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                                                    "pattern": "^[\\x21-\\x7e]+$"},
                                         "description": "A retry with the same key and body returns the "
                                                        "first check and creates nothing new."}],
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"$ref": "#/components/schemas/CheckCreate"}}}},
                         "responses": _answers(201, "Check", "invalid-json", "validation",
                                               "idempotency-key-reused", "idempotency-in-progress",
                                               "too-large")}},
            "/checks/{check_id}": {"get": {
                "operationId": "getCheck", "summary": "One check: its state, timeline and, once released, "
                                                      "its findings and report",
                "parameters": [_check_id()], "responses": _answers(200, "Check", "not-found")}},
            "/checks/{check_id}/cancel": {"post": {
                "operationId": "cancelCheck", "summary": "Stop a check that has not ended",
                "parameters": [_check_id()],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CheckCancel"}}}},
                "responses": _answers(200, "Check", "not-found", "invalid-json", "validation",
                                      "state-conflict")}},
            "/checks/{check_id}/report": {"get": {
                "operationId": "getReport", "summary": "The released report's version and fingerprints",
                "parameters": [_check_id()], "responses": _answers(200, "Report", "not-found")}},
            "/checks/{check_id}/report.pdf": {"get": {
                "operationId": "downloadReport",
                "summary": "The released report: the same file the candidate and the pages give",
                "parameters": [_check_id()],
                "responses": _answers(200, "Report", "not-found", media="application/pdf")}},
            "/events": {"get": {
                "operationId": "listEvents",
                "summary": "Events your webhooks receive, oldest first, to catch up after an outage",
                "parameters": [*event_query, _LIMIT, _CURSOR],
                "responses": _answers(200, "EventList", "validation")}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "An API key an admin made for your organisation."}},
            "schemas": {"CheckCreate": CHECK_CREATE, "CheckCancel": CHECK_CANCEL, "Check": CHECK,
                        "CheckList": _page_of("Check"), "Package": PACKAGE,
                        "PackageList": _page_of("Package"),
                        "Report": _REPORT_META, "Event": EVENT, "EventList": _page_of("Event"),
                        "Problem": PROBLEM},
        },
    }
