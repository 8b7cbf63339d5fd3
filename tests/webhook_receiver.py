"""A real HTTP receiver on loopback for webhook tests: it records what arrives and answers as told."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request as the receiver got it."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A loopback HTTP server: `answers` holds the statuses to give next (200 once it runs out)."""

    answers: deque[int] = field(default_factory=deque)
    delay: float = 0.0
    location: str = ""
    # Answer one header byte at a time, slowly: each within a socket timeout, the whole never done.
    drip: bool = False
    # Called while a request is held, before it is answered.
    on_request: Any = None
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        """Return the address events are sent to."""
        return f"http://127.0.0.1:{self.port}/hooks/refcheck"

    def start(self, port: int = 0) -> Receiver:
        """Start serving (again, on the same port when given one)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                  body))
                if receiver.on_request is not None:
                    receiver.on_request()
                if receiver.delay:
                    time.sleep(receiver.delay)
                if receiver.drip:
                    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 40:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.2)
                    return
                status = receiver.answers.popleft() if receiver.answers else 200
                self.send_response(status)
                if 300 <= status < 400 and receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                """Keep the test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving: connections are refused until it starts again."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
