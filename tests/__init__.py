"""refcheck tests."""
