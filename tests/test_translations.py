"""The catalogues: every word marked for candidates and referees has its Spanish and French, as compiled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "refcheck" / "translations"
LANGUAGES = ("es", "fr")
# What gettext reads besides Babel's own keywords: lazy strings for forms and tables.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None,
            "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
TAG = re.compile(r"</?([a-z]+)\b")


def marked_messages() -> dict[str | tuple[str, str], str]:
    """Return every marked message in the code and templates, with where it was found."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str | tuple[str, str], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.setdefault(message if isinstance(message, str) else tuple(message), f"{filename}:{lineno}")
    return found


def catalogue(language: str) -> Catalog:
    """Read a language's .po file, as translators edit it."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_message_is_translated_without_losing_a_value_or_a_tag(language):
    translated = catalogue(language)
    problems = []
    for message, where in marked_messages().items():
        entry = translated.get(message)
        strings = [] if entry is None else [entry.string] if isinstance(entry.string, str) \
            else list(entry.string)
        if entry is None or entry.fuzzy or not strings or not all(s.strip() for s in strings):
            problems.append(f"{where}: no {language} translation for {message!r}")
            continue
        sources = message if isinstance(message, tuple) else (message,)
        for string in strings:
            # A translation keeps the English's values (a plural may leave out the count) and its markup.
            wanted = set(PLACEHOLDER.findall(" ".join(sources))) - ({"count"} if len(sources) > 1 else set())
            if not wanted <= set(PLACEHOLDER.findall(string)) or \
                    set(PLACEHOLDER.findall(string)) - set(PLACEHOLDER.findall(" ".join(sources))):
                problems.append(f"{where}: {language} changes the values of {message!r}: {string!r}")
            if sorted(TAG.findall(sources[0])) != sorted(TAG.findall(string)):
                problems.append(f"{where}: {language} changes the markup of {message!r}: {string!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_one_written(language):
    # gettext reads the .mo that installing compiles (setup.py); one older than its .po shows stale words.
    mo_path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    assert mo_path.exists(), "install refcheck (make install, or pip install -e .) to compile the catalogues"
    with mo_path.open("rb") as mo:
        compiled = {_hashable(message.id): _hashable(message.string) for message in read_mo(mo) if message.id}
    # What is translated (untranslated and fuzzy entries are left out when compiling) is compiled as written.
    written = {_hashable(message.id): _hashable(message.string) for message in catalogue(language)
               if message.id and not message.fuzzy and message.string
               and (isinstance(message.string, str) or all(message.string))}
    stale = {key: value for key, value in written.items() if compiled.get(key) != value}
    assert stale == {}, "the catalogues changed since install: run make install (or pip install -e .)"

def _hashable(value: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    """Return a plural's forms as a tuple, however the reader gave them."""
    return value if isinstance(value, str) else tuple(value)
