"""Entry point for gunicorn: `gunicorn wsgi:app`."""

import gc

from refcheck import create_app

app = create_app()
# What starting up made lives as long as the worker: freezing it keeps the collector's full passes,
# triggered by requests that make many objects, from walking it all again each time.
gc.freeze()
