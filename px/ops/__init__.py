"""Use cases: one module per user verb, returning plain result objects."""
