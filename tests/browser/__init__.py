"""Journeys through the pages in headless Chromium."""
