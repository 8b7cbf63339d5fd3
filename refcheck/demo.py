"""Seed a demo case through the real services, so a newcomer can click through at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import current_app

from . import accounts, cases
from .extensions import db
from .models import StaffUser, utcnow
from .scope import Scope

DEMO_STAFF_EMAIL = "verifier@refcheck.example"
DEMO_CANDIDATE = ("Amira Okafor", "amira.okafor@candidate.example")


def seed(password: str) -> dict[str, Any]:
    """Create (or refresh) the demo staff account and open and send a fresh demo case."""
    now = utcnow()
    staff = db.session.execute(
        sa.select(StaffUser).where(StaffUser.email == DEMO_STAFF_EMAIL)
    ).scalar_one_or_none()
    if staff is None:
        staff = accounts.create_staff(DEMO_STAFF_EMAIL, "Dana Verifier", "admin", password, "demo")
    else:
        staff.active = True
        accounts.set_password(staff, password, "demo")
    name, email = DEMO_CANDIDATE
    period_to = now.date().replace(day=1)
    scope = Scope(
        checks=("references", "employment_history"), min_referees=2, max_referees=4,
        relationships={"manager": 1, "peer": 1, "direct_report": 0},
        period_from=f"{period_to.year - 5}-{period_to.month:02d}",
        period_to=period_to.strftime("%Y-%m"), question_set="standard-v1",
        report_recipients="Priya Shah, Head of Talent at Northwind Analytics Ltd",
        retention_days=180,
    )
    details = cases.CaseDetails(
        candidate_name=name, candidate_email=email, position="Senior Data Engineer",
        hiring_organisation="Northwind Analytics Ltd",
        purpose="To confirm your recent work history and hear from people you have worked with, "
                "before Northwind Analytics confirms its offer of Senior Data Engineer.",
        due_date=(now + dt.timedelta(days=21)).date(),
    )
    case = cases.open_case(details, scope, staff, now)
    token = cases.invite_candidate(case, staff, now)
    base = current_app.config["BASE_URL"].rstrip("/")
    return {
        "case_id": case.id,
        "case_reference": case.reference,
        "staff_email": DEMO_STAFF_EMAIL,
        "staff_password": password,
        "staff_login_url": f"{base}/staff/login",
        "candidate_name": name,
        "candidate_email": email,
        "candidate_url": f"{base}/c/{case.id}/{token}",
    }
