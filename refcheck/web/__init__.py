"""The pages, one package per audience: staff, clients, the candidate, referees, and the public.

Each is a set of thin blueprints over the commands of the service modules; no service module
imports anything from here.
"""

from __future__ import annotations

from flask import Flask

from .. import hiring_side
from . import public
from .api import base as api_base
from .api import catalogue as api_catalogue  # noqa: F401 - its routes join the API blueprint
from .api import checks as api_checks  # noqa: F401 - its routes join the API blueprint
from .api import results as api_results  # noqa: F401 - its routes join the API blueprint
from .candidate import findings, portal
from .candidate import questions as candidate_questions  # noqa: F401 - its routes join the portal blueprint
from .candidate import referees as candidate_referees
from .client import checks as client_checks
from .client import order as client_order  # noqa: F401 - its routes join the client blueprint
from .client import people as client_people  # noqa: F401 - its routes join the client blueprint
from .referee import after as referee_after  # noqa: F401 - its routes join the referee blueprint
from .referee import choices as referee_choices  # noqa: F401 - its routes join the referee blueprint
from .referee import paged as referee_paged  # noqa: F401 - its routes join the referee blueprint
from .referee import pages as referee_pages
from .staff import accounts, metrics, question_sets
from .staff import cases as staff_cases
from .staff import employer_aliases as staff_employer_aliases
from .staff import enquiries as staff_enquiries  # noqa: F401 - its routes join the staff blueprint
from .staff import integrations as staff_integrations
from .staff import organisations as staff_organisations
from .staff import passkeys as staff_passkeys
from .staff import review as staff_review  # noqa: F401 - its routes join the staff blueprint
from .staff import two_factor as staff_two_factor

BLUEPRINTS = (public.bp, accounts.bp, staff_two_factor.bp, staff_passkeys.bp, staff_cases.bp, metrics.bp,
              question_sets.bp, staff_organisations.bp, portal.bp, candidate_referees.bp, findings.bp,
              referee_pages.bp, client_checks.bp, api_base.bp,
              staff_integrations.bp, staff_employer_aliases.bp)


def register_blueprints(app: Flask) -> None:
    """Attach every audience's pages to the app."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    # The hiring side's words for a check's steps: its pages and its API say them alike.
    app.jinja_env.globals.update(hiring_titles=hiring_side.STEP_TITLES, hiring_who=hiring_side.WHO)
