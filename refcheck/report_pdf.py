"""The report's PDF: finished HTML rendered by WeasyPrint in a child process, with only the bundled assets."""

from __future__ import annotations

import os
import selectors
import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .errors import CaseError

ASSETS = Path(__file__).parent / "static" / "report"
# Relative URLs in the report resolve here, and only here is anything served from.
ASSET_BASE = "https://report-assets.refcheck.invalid/"


class AssetFetcher(URLFetcher):
    """Serve only the bundled report assets: no network, no file://, no attachments from elsewhere."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        """Return a bundled file for an asset URL; refuse everything else."""
        from weasyprint.urls import URLFetcherResponse

        if not url.startswith(ASSET_BASE):
            raise ValueError("the report may load only its own bundled assets")
        name = urlsplit(url).path.lstrip("/")
        path = (ASSETS / name).resolve()
        if ASSETS.resolve() not in path.parents or not path.is_file():
            raise ValueError("no such report asset")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})


def _mime(path: Path) -> str:
    """Return the content type of a bundled asset."""
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(path.suffix,
                                                                                 "application/octet-stream")


class RenderTimeout(CaseError):
    """The PDF took longer than the configured limit and was stopped; nothing was saved."""


def pdf_from_html(html: str, timeout: float | None) -> bytes:
    """Turn finished HTML into a PDF in a child process, stopped when it runs past `timeout` seconds."""
    if not timeout or not hasattr(os, "fork"):
        return _write_pdf(html)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        _render_in_child(html, read_end, write_end)
    os.close(write_end)
    finished = False
    chunks = []
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(read_end, selectors.EVENT_READ)
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise RenderTimeout(
                        f"The report took longer than {timeout:g} seconds to render, so it was stopped "
                        "and nothing was saved or sent. Please try again; if it happens again, tell "
                        "your administrator.")
                chunk = os.read(read_end, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        finished = True
    finally:
        os.close(read_end)
        if not finished:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)  # reap the child, whether it finished or was killed
    payload = b"".join(chunks)
    if not payload.startswith(b"ok"):
        raise RuntimeError("The report could not be rendered: " + payload[2:].decode(errors="replace"))
    return payload[2:]


def _render_in_child(html: str, read_end: int, write_end: int) -> None:
    """Write the PDF (or the error) to the pipe and exit; the child never touches the database."""
    status = 1
    try:
        os.close(read_end)
        try:
            payload = b"ok" + _write_pdf(html)
        except Exception as exc:  # the parent raises it; the child must exit whatever happens
            payload = b"er" + f"{type(exc).__name__}: {exc}".encode()
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        # Leave at once: no atexit hooks, no flushing of the parent's buffers, no pool clean-up.
        os._exit(status)


def _write_pdf(html: str) -> bytes:
    """Render finished HTML with WeasyPrint, fetching only the bundled assets."""
    # Tagged, so screen readers can read the report in order, headings and tables included.
    return HTML(string=html, base_url=ASSET_BASE, url_fetcher=AssetFetcher()).write_pdf(pdf_tags=True)
