"""Static and dependency checks for CI: bandit over refcheck/ and pip-audit over this environment.

Prints one line per check, also written to --summary so the test run can repeat it at its end.
Exits 1 on a high-severity bandit finding or a known vulnerability without a written exception
(.ci/pip-audit-exceptions.txt). A vulnerability service that cannot be reached is reported
plainly and does not fail the run by itself.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EXCEPTIONS = ROOT / ".ci" / "pip-audit-exceptions.txt"
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"


def run_bandit(target: Path = ROOT / "refcheck") -> tuple[bool, str]:
    """Scan the package (refcheck/ unless told) and fail on any high-severity finding."""
    # A fixed command from this venv; the only argument is a path in this repository.
    proc = subprocess.run([str(BIN / "bandit"), "-r", str(target), "-q", "-f", "json"],  # noqa: S603
                          cwd=ROOT, capture_output=True, text=True, check=False)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return False, f"bandit: did not run ({(proc.stderr or proc.stdout).strip()[:200]})"
    by_severity = {"HIGH": 0, "MEDIUM": 0, "LOW": 0}
    for result in report["results"]:
        by_severity[result["issue_severity"]] = by_severity.get(result["issue_severity"], 0) + 1
        print(f"  {result['issue_severity'].lower()}: {result['filename']}:{result['line_number']} "
              f"{result['test_id']} {result['issue_text']}", file=sys.stderr)
    totals = report["metrics"]["_totals"]
    line = (f"bandit: {by_severity['HIGH']} high findings ({by_severity['MEDIUM']} medium, "
            f"{by_severity['LOW']} low, {totals.get('nosec', 0)} nosec) "
            f"in {totals['loc']} lines of {target.name}/")
    return by_severity["HIGH"] == 0, line


def read_exceptions() -> dict[str, str]:
    """Return {vulnerability id: reason}; every listed id must carry a written reason."""
    exceptions: dict[str, str] = {}
    if not EXCEPTIONS.exists():
        return exceptions
    for number, raw in enumerate(EXCEPTIONS.read_text().splitlines(), 1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        vuln_id, _, reason = text.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{EXCEPTIONS.name} line {number}: {vuln_id} has no written reason")
        exceptions[vuln_id] = reason.strip()
    return exceptions


def _project_vulnerabilities(name: str, version: str) -> tuple[str, list[dict] | str]:
    """Ask PyPI's project endpoint; its vulnerabilities are those of the latest release only."""
    try:
        with urllib.request.urlopen(PYPI_PROJECT.format(name=name), timeout=20) as response:  # noqa: S310
            data = json.load(response)
    except urllib.error.HTTPError as err:
        return name, f"PyPI answered {err.code}"
    except (OSError, ValueError) as err:
        return name, f"PyPI unreachable ({err})"
    latest = data["info"]["version"]
    try:
        same = Version(latest) == Version(version)
    except InvalidVersion:
        same = latest == version
    if not same:
        return name, f"installed {version}, PyPI's latest is {latest}"
    return name, [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]


def run_pip_audit() -> tuple[bool, str]:
    """Audit the installed dependencies through PyPI; say plainly what could not be checked."""
    exceptions = read_exceptions()
    command = [str(BIN / "pip-audit"), "-s", "pypi", "-f", "json", "--progress-spinner", "off",
               "--skip-editable"]
    for vuln_id in exceptions:
        command += ["--ignore-vuln", vuln_id]
    # pip-audit from this venv; the only variable parts are IDs from our own exceptions file.
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        reason = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return True, ("pip-audit: NOT CHECKED - could not reach PyPI's vulnerability service "
                      f"({reason[0][:200]})")

    found: list[str] = []
    audited = 0
    # PyPI's per-version endpoint (what pip-audit asks) answers 404 through some proxies, which
    # pip-audit reports as a skip; the project endpoint still answers for the latest release.
    retry = {}
    for dep in report["dependencies"]:
        if "skip_reason" in dep:
            if "not found on PyPI" in dep["skip_reason"]:
                retry[dep["name"]] = dep.get("version") or dep["skip_reason"].rsplit("(", 1)[-1].rstrip(")")
            continue
        audited += 1
        found += [f"{dep['name']} {dep['version']}: {v['id']}" for v in dep["vulns"]]
    unchecked = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for name, result in pool.map(lambda item: _project_vulnerabilities(*item), sorted(retry.items())):
            if isinstance(result, str):
                unchecked.append(f"{name} ({result})")
                continue
            audited += 1
            for vuln in result:
                ids = {vuln["id"], *vuln.get("aliases", [])}
                if not ids & exceptions.keys():
                    found.append(f"{name} {retry[name]}: {vuln['id']} (fixed in {vuln.get('fixed_in')})")
    for item in found:
        print(f"  vulnerable: {item}", file=sys.stderr)
    for item in unchecked:
        print(f"  not checked: {item}", file=sys.stderr)
    line = f"pip-audit: {len(found)} known vulnerabilities in {audited} packages"
    if exceptions:
        line += f" ({len(exceptions)} excepted with a reason in .ci/{EXCEPTIONS.name})"
    if unchecked:
        line += (f"; {len(unchecked)} NOT CHECKED, as PyPI answers here only for a project's latest "
                 f"release: {', '.join(unchecked)}")
    return not found, line


def main() -> int:
    """Run both checks, print their lines, write the summary file, and fail on a real finding."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", type=Path, help="also write the one-line results here")
    args = parser.parse_args()
    if args.summary:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.unlink(missing_ok=True)
    results = [run_bandit(), run_pip_audit()]
    lines = [line for _, line in results]
    print("\n".join(lines))
    if args.summary:
        args.summary.write_text("\n".join(lines) + "\n")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
