"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from refcheck import create_app

app = create_app()
