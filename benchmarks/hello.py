"""The baseline: a hello-world Flask app, served by the same gunicorn settings as refcheck."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Say hello."""
    return "Hello, world!"
