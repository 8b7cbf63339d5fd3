"""Pages for verification staff: cases, review and release, question sets, metrics, accounts."""
