"""Each person's language: the candidate and each referee choose the one their pages and emails are in."""

from __future__ import annotations

from . import audit
from .commands import Actor, begin, referee_of
from .lifecycle import REFEREE
from .words import LANGUAGES


def choose(case_id: int, actor: Actor, language: str) -> str:
    """Keep the language the candidate or a referee chose for their pages and emails; return it.

    Only a language refcheck is written in is kept; anything else leaves the person's language as it was.
    """
    case = begin("language.choose", case_id, actor)
    person = referee_of(case, actor) if actor.kind == REFEREE else case.candidate
    if language in LANGUAGES and person.language != language:
        person.language = language
        audit.record("language.chosen", actor.name, case.id, language=language)
    return person.language
