"""Keep secrets and personal data out of logs: link tokens and email addresses are masked."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

# The token part of an emailed link, in any request line or URL that is logged.
_LINK_TOKEN = re.compile(r"(/c/\d+/|/r/[0-9a-f]{32}/)[A-Za-z0-9_-]{8,}")
# Any free-standing string shaped like one of our tokens (32 random bytes, URL-safe base64).
_BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
# An email address, also when percent-encoded in a URL.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mask(text: str) -> str:
    """Replace link tokens, token-shaped strings and email addresses with placeholders."""
    text = _LINK_TOKEN.sub(r"\1[token]", text)
    text = _BARE_TOKEN.sub("[token]", text)
    return _EMAIL.sub("[email]", text)


def _masked(value: Any) -> Any:
    """Mask a log argument; an object is replaced by its masked text only when masking changed it."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, (int, float, bool, type(None))):
        return value
    try:
        text = str(value)
    except Exception:  # a broken __str__ must not break logging
        return value
    masked = mask(text)
    # Keep the object when there was nothing to mask, so "%d" and the like still format it.
    return value if masked == text else masked


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite a record in place so that nothing it prints carries a token or an email."""
    record.msg = _masked(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_masked(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _masked(v) for k, v in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Exception messages can quote a token or an address: format the traceback once, masked.
        record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    return record


class MaskTokens(logging.Filter):
    """A logging filter that masks tokens and emails in a record; for handlers set up elsewhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        mask_record(record)
        return True


def install() -> None:
    """Mask every log record the process creates, whichever logger or handler it goes to.

    A filter on a logger only sees records made by that very logger, not its children's
    (`refcheck.mail`) or libraries', so the masking sits in the record factory instead.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "refcheck_masking", False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(current(*args, **kwargs))

    setattr(masking_factory, "refcheck_masking", True)  # noqa: B010 - marks the factory as installed
    logging.setLogRecordFactory(masking_factory)
