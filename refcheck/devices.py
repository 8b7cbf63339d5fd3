"""A coarse, neutral description of the device behind a session ("Firefox on Linux"), from its User-Agent."""

from __future__ import annotations

from ua_parser import parse

from .text import one_line

UNKNOWN = "An unknown browser"


def describe(user_agent: str) -> str:
    """Return "<browser> on <system>", or a neutral phrase when the header says too little."""
    if not user_agent:
        return UNKNOWN
    # A header is attacker-chosen text of any length: only a bounded prefix is parsed.
    result = parse(user_agent[:512])
    browser = result.user_agent.family if result.user_agent and result.user_agent.family != "Other" else None
    system = result.os.family if result.os and result.os.family != "Other" else None
    if browser and system:
        text = f"{browser} on {system}"
    elif browser or system:
        text = f"{browser or 'A browser'}{' on ' + system if system else ''}"
    else:
        text = UNKNOWN
    return one_line(text)[:80]
