"""Benchmark 4a: sealing and opening a typical answer record, against the same calls with no cipher."""

from __future__ import annotations

import time
from typing import Any

from .common import Results
from .noop_cipher import installed


def typical_record() -> dict[str, Any]:
    """Return a referee's answers as the app seals them: 15 answers and the facts drawn from them."""
    text = ("Careful, well-explained work; kept the team informed when plans changed, and brought new "
            "colleagues up to speed quickly. ")
    answers: dict[str, Any] = {"101": "manager", "102": {"from": "2021-10", "to": "2025-08"},
                               "103": "Northwind Analytics", "104": "Senior Data Engineer",
                               "105": {"from": "2021-09", "to": "2025-08"}, "106": "resigned", "107": "yes",
                               "108": "4", "109": "4", "110": "5", "111": "3",
                               "112": text * 2, "113": text * 2, "114": text, "115": ""}
    facts = {"relationship": "manager", "worked_together_from": "2021-10", "worked_together_to": "2025-08",
             "employer": "Northwind Analytics", "title": "Senior Data Engineer", "start_month": "2021-09",
             "end_month": "2025-08", "reason_for_leaving": "resigned", "rehire_eligible": "yes"}
    return {"answers": answers, "facts": facts}


def _rate(work: Any, seconds: float = 1.0) -> float:
    """Return how many times per second `work()` runs, over about `seconds`."""
    count, start = 0, time.perf_counter()
    while True:
        for _ in range(200):
            work()
        count += 200
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def _rates(seconds: float) -> dict[str, float]:
    from refcheck import crypto

    record = typical_record()
    key_id, key = crypto.new_data_key()
    place = "response/0123456789abcdef0123456789abcdef/answers_enc/referee/fedcba9876543210fedcba9876543210"
    blob = crypto.seal(key, key_id, place, record)
    assert crypto.open_sealed(key, key_id, place, blob) == record
    ring = crypto.KeyRing({1: crypto.new_data_key()[1]}, b"\1" * 32)
    share = crypto.new_share()
    _version, wrapped = ring.wrap(key, key_id, share)
    return {
        "seal": _rate(lambda: crypto.seal(key, key_id, place, record), seconds),
        "open": _rate(lambda: crypto.open_sealed(key, key_id, place, blob), seconds),
        "unwrap": _rate(lambda: ring.unwrap(1, wrapped, key_id, share), seconds),
        "size": len(blob),
    }


def run(results: Results, seconds: float = 1.0) -> None:
    """Rates with AES-256-GCM, then with the no-op cipher (JSON, framing and key derivation only)."""
    name = "4. encryption"
    # Alternate three times and keep each side's best, so a busy moment does not decide the ratio.
    real: dict[str, float] = {}
    bare: dict[str, float] = {}
    for _ in range(3):
        for side, patched in ((real, False), (bare, True)):
            if patched:
                with installed():
                    rates = _rates(seconds)
            else:
                rates = _rates(seconds)
            for k, v in rates.items():
                side[k] = max(side.get(k, 0), v)
    size = len(str(typical_record()).encode())
    results.add(name, f"seal a typical answer record (~{size // 100 * 100} bytes of JSON)",
                f"{real['seal']:,.0f}/s", f"no-op cipher: {bare['seal']:,.0f}/s",
                f"{real['seal'] / bare['seal']:.0%}")
    results.add(name, "open it", f"{real['open']:,.0f}/s", f"no-op cipher: {bare['open']:,.0f}/s",
                f"{real['open'] / bare['open']:.0%}")
    results.add(name, "unwrap a data key (HKDF with the share, then AES-GCM; every unseal does it)",
                f"{real['unwrap']:,.0f}/s", f"no-op cipher: {bare['unwrap']:,.0f}/s",
                f"{real['unwrap'] / bare['unwrap']:.0%}")
