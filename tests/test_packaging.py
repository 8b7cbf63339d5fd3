"""`pip install .` gives a working refcheck: a wheel built from the project, installed away from the
checkout, serves a page (in Spanish too, from catalogues the build compiled), seeds the demo through its
own migrations and hands out the released PDF."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Everything the installed copy does, run in a Python that can only find refcheck in the wheel's files.
SCRIPT = r"""
import json, re, sys
import refcheck
from refcheck import create_app

assert refcheck.__file__.startswith(sys.argv[1]), refcheck.__file__
app = create_app({"INSTANCE_PATH": sys.argv[2], "TESTING": True, "RATELIMIT_ENABLED": False})
result = app.test_cli_runner().invoke(args=["demo", "--json"])
assert result.exit_code == 0, result.output
demo = json.loads(result.output.strip().splitlines()[-1])
browser = app.test_client()
home = browser.get("/")
spanish = browser.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
path = demo["released_candidate_url"].split("://", 1)[1].split("/", 1)[1]
page = browser.get("/" + path).get_data(as_text=True)
token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
browser.post("/" + path, data={"csrf_token": token})
report = browser.get("/portal/report.pdf")
print(json.dumps({"home": home.status_code, "home_text": "refcheck" in home.get_data(as_text=True).lower(),
                  "spanish": 'lang="es"' in spanish and "Ir al contenido" in spanish,
                  "report": report.status_code, "pdf": report.data[:5].decode("latin-1"),
                  "templates": str(app.jinja_loader.searchpath)}))
"""


def test_a_wheel_installed_away_from_the_checkout_serves_pages_and_reports(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "instance", "build", "dist", "*.egg-info", "test-artifacts", "__pycache__",
        ".pytest_cache", ".ruff_cache", ".mypy_cache", "*.mo"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",  # noqa: S603
                    "-w", str(wheels), str(source)], check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("refcheck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"refcheck/templates/error.html", "refcheck/templates/mail/report_released.txt",
            "refcheck/templates/report/report.html", "refcheck/static/report/report.css",
            "refcheck/static/passkeys.js", "refcheck/templates/staff/passkey_add.html",
            "refcheck/migrations/alembic.ini",
            # Compiled by the build itself: the copy it was built from had only the .po files.
            "refcheck/translations/es/LC_MESSAGES/messages.mo",
            "refcheck/translations/fr/LC_MESSAGES/messages.mo"} <= names
    installed = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",  # noqa: S603
                    str(installed), str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFCHECK_") and k != "DATABASE_URL"}
    # The wheel's copy comes first on the path, ahead of the checkout the test environment installed.
    env["PYTHONPATH"] = str(installed)
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(installed), str(tmp_path / "instance")],  # noqa: S603
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["home"] == 200 and seen["home_text"] and seen["spanish"]
    assert seen["report"] == 200 and seen["pdf"] == "%PDF-"
    assert str(installed) in seen["templates"] and str(ROOT) not in seen["templates"]
