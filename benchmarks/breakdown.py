"""Where a referee request's time goes, measured in-process: SQL, templates, encryption and the rest."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from .common import Results, bench_config, csrf_from, fresh_schema


class Timers:
    """Accumulate seconds and calls per kind of work while patched functions run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def reset(self) -> None:
        """Forget everything counted so far."""
        self.seconds.clear()
        self.calls.clear()

    def add(self, kind: str, seconds: float) -> None:
        """Count one call of a kind of work."""
        self.seconds[kind] = self.seconds.get(kind, 0.0) + seconds
        self.calls[kind] = self.calls.get(kind, 0) + 1

    def wrap(self, kind: str, function: Callable) -> Callable:
        """Return `function`, timed under `kind`."""
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(kind, time.perf_counter() - start)
        return timed


def run(results: Results, cases: int = 20) -> None:
    """Time a referee's requests in-process: the emailed link, attestation, the questions and the answers."""
    import flask.templating

    from refcheck import create_app, crypto
    from refcheck.extensions import db

    from .load import full_answers, seed_invited_referees

    timers = Timers()
    with tempfile.TemporaryDirectory(prefix="refcheck-bench-breakdown-") as tmp:
        app = create_app(bench_config(Path(tmp), None))
        fresh_schema(app)
        links = seed_invited_referees(app, cases)
        browsers = [app.test_client() for _ in links]
        forms: list[dict[str, str]] = []

        def enter(n: int, browser: Any) -> None:
            referee_id, token = links[n]
            page = browser.get(f"/r/{referee_id}/{token}")
            browser.post(f"/r/{referee_id}/{token}", data={"csrf_token": csrf_from(page.data)})

        def attest(n: int, browser: Any) -> None:
            page = browser.get("/referee")
            browser.post("/referee/attest", data={"csrf_token": csrf_from(page.data), "identity": "y",
                                                  "truthful": "y"})

        def keep_answers(n: int, browser: Any) -> None:
            forms.append(full_answers(browser.get("/referee/all").data.decode()))

        # Each request is timed at the step it belongs to; the steps between walk every referee on.
        steps: list[tuple[str, Callable[[int, Any], Any], Callable[[int, Any], Any]]] = [
            ("GET /r/<id>/<token>, the emailed link (page)",
             lambda n, b: b.get("/r/{}/{}".format(*links[n])), enter),
            ("GET /referee, before you answer (attestation page)", lambda n, b: b.get("/referee"), attest),
            ("GET /referee/all, questions (page)", lambda n, b: b.get("/referee/all"), keep_answers),
            ("POST /referee (submission)", lambda n, b: b.post("/referee", data=forms[n]), lambda n, b: None),
        ]

        def before(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: Any) -> None:
            context._bench_started = time.perf_counter()

        def after(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: Any) -> None:
            timers.add("SQL", time.perf_counter() - context._bench_started)

        cipher = Timers()
        real_cipher = crypto.AESGCM

        class TimedAESGCM:
            """AES-GCM as the app uses it, each cipher made and each call timed: what a no-op would save."""

            generate_key = staticmethod(real_cipher.generate_key)

            def __init__(self, key: bytes) -> None:
                start = time.perf_counter()
                self._cipher = real_cipher(key)
                cipher.add("AES-GCM", time.perf_counter() - start)

            def encrypt(self, *args: Any) -> bytes:
                return self._timed(self._cipher.encrypt, args)

            def decrypt(self, *args: Any) -> bytes:
                return self._timed(self._cipher.decrypt, args)

            @staticmethod
            def _timed(call: Callable, args: tuple) -> bytes:
                start = time.perf_counter()
                try:
                    return call(*args)
                finally:
                    cipher.add("AES-GCM", time.perf_counter() - start)

        originals = (crypto.seal, crypto.open_sealed, crypto.KeyRing.unwrap, flask.templating._render,
                     crypto.AESGCM)
        with app.app_context():
            engines = list(db.engines.values())
        for engine in engines:
            event.listen(engine, "before_cursor_execute", before)
            event.listen(engine, "after_cursor_execute", after)
        crypto.seal = timers.wrap("encryption", crypto.seal)
        crypto.open_sealed = timers.wrap("encryption", crypto.open_sealed)
        crypto.KeyRing.unwrap = timers.wrap("encryption", crypto.KeyRing.unwrap)
        flask.templating._render = timers.wrap("templates", flask.templating._render)
        crypto.AESGCM = TimedAESGCM
        try:
            for title, request, walk_on in steps:
                timers.reset()
                cipher.reset()
                total = 0.0
                for n, browser in enumerate(browsers):
                    start = time.perf_counter()
                    reply = request(n, browser)
                    total += time.perf_counter() - start
                    if reply.status_code not in (200, 303):
                        raise RuntimeError(f"{title}: {reply.status_code}")
                n = len(browsers)
                parts = {k: v / n for k, v in timers.seconds.items()}
                queries = timers.calls.get("SQL", 0) / n
                rest = total / n - sum(parts.values())
                for m, browser in enumerate(browsers):
                    walk_on(m, browser)
                results.add("1. where the time goes", f"{title}, in-process, per request",
                            f"{total / n * 1000:.1f} ms: SQL {parts.get('SQL', 0) * 1000:.1f} ms "
                            f"({queries:.0f} queries), templates {parts.get('templates', 0) * 1000:.1f} ms, "
                            f"encryption {parts.get('encryption', 0) * 1000:.2f} ms, "
                            f"Flask, forms, ORM and the rest {rest * 1000:.1f} ms")
                if title.startswith("POST /referee"):
                    aes = cipher.seconds.get("AES-GCM", 0.0) / n
                    share = 1 - aes / (total / n)
                    # Without the cipher a submission would take `total - aes`: its throughput against
                    # a no-op cipher's is that share, measured here without other processes' noise.
                    results.add("4. encryption", "AES-GCM inside a submission, in-process (every cipher made "
                                "and every call, timed)",
                                f"{cipher.calls.get('AES-GCM', 0) / n:.0f} ciphers made and calls, "
                                f"{aes * 1e6:.0f} µs of {total / n * 1000:.2f} ms", "without them",
                                f"{share:.1%}", "reference line, no goal", "")
        finally:
            (crypto.seal, crypto.open_sealed, crypto.KeyRing.unwrap, flask.templating._render,
             crypto.AESGCM) = originals
            for engine in engines:
                event.remove(engine, "before_cursor_execute", before)
                event.remove(engine, "after_cursor_execute", after)
            with app.app_context():
                db.session.remove()
                for engine in engines:
                    engine.dispose()
