"""The JSON API under /api/v1/: bearer keys per organisation, problem details, every call audited.

Thin over the same commands as the pages. A key acts as its organisation's hiring side: it sees that
organisation's checks and nothing else, and another organisation's check is a 404 like a missing one.
"""
