"""A cron run killed half-way: `retention purge` or `reminders send`, stopped by SIGKILL at a chosen point.

Run as `python -m tests.faults.killed_batch CONFIG_JSON POINT N -- ARGS...`. The real command runs
with ARGS; at the Nth time it reaches POINT the process kills itself, as the kernel's OOM killer or a
lost machine would:

- `erased`: a case's rows are deleted and its erasure audited, not yet committed;
- `share`: an erasure is committed and its key share not yet destroyed in the key store;
- `reminded`: a case's reminders are queued and counted, not yet committed.
"""

import json
import os
import signal
import sys

from refcheck import create_app, keystore, privacy, reminders

POINTS = {"erased": (privacy, "erase_if_due"), "share": (keystore, "destroy_shares"),
          "reminded": (reminders, "remind_case")}


def main(config: dict, point: str, at: int, args: list[str]) -> None:
    """Run the command, killing this process the `at`-th time it passes `point`."""
    module, name = POINTS[point]
    real = getattr(module, name)
    seen = [0]

    def wrapped(*a, **kw):
        if point == "share":
            seen[0] += 1
            if seen[0] == at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*a, **kw)
        outcome = real(*a, **kw)
        if outcome:  # only a call that changed something counts
            seen[0] += 1
            if seen[0] == at:
                os.kill(os.getpid(), signal.SIGKILL)
        return outcome

    setattr(module, name, wrapped)
    app = create_app(config)
    result = app.test_cli_runner().invoke(args=args)
    print(result.output, flush=True)
    sys.exit(result.exit_code)


if __name__ == "__main__":
    split = sys.argv.index("--")
    main(json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[split + 1:])
