"""What makes a sensitive word the job rather than the person: the nouns that may follow it. Pure."""

from __future__ import annotations

# Nouns after a word that make it the work ("the maternity ward", "the retirement savings product").
WORK_NOUN = (r"(ward|wards|unit|units|product|products|scheme|schemes|policy|policies|book|books|contract|"
             r"contracts|venue|venues|client|clients|customer|customers|sector|industry|market|markets|"
             r"system|"
             r"systems|project|projects|app|apps|platform|software|data|records|charity|charities|account|"
             r"accounts|campaign|campaigns|programme|program|service|services|provider|providers|equipment|"
             r"infrastructure|code|codebase|team|teams|department|clinic|clinics|regulations|requirements|"
             r"audit|"
             r"procedures|law|compliance|reps?|representatives|negotiations|portfolio|fund|funds|savings|"
             r"plan|plans|desk|line|range|brand|store|stores|shop|sales|claims|cases|files|applications|"
             r"trust|board|group|groups|hall|centre|center|school|schools|budget|benefits|network|rota|"
             r"firm|company|companies|organi[sz]ation|staff|patients|workforce|tool|tools|model|models|"
             r"agency|agencies|office|offices|site|website|content|coverage|desk|trial|trials|study|studies|"
             r"partners|suppliers|fair|fairs|event|events|conference|launch|list|lists|magazine|show|"
             r"clinic|charter|initiative|initiatives|modules?|features?|unit's|department's|council|councils|"
             r"village|villages|community|communities|calculations?|administrator|administration|"
             r"assessors?|assessments?|caseworkers?|advisers?|advisors?|nurses?|officers?|approvals?|"
             r"payments?|"
             r"forms?|funding|grants?|catering|orders?|events?|restoration|rooms?|leaders?|queries|enquiries|"
             r"requests|questions|calls|tickets|cases|rounds|seminars|workshops|courses|sessions|training|"
             r"advice)")


def work_sense(word: str) -> str:
    """Return an exception pattern: the word used as a modifier of a work noun."""
    return rf"\b{word}\w*(?:'s)? (?:\w+ )?{WORK_NOUN}\b"
