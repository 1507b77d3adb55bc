"""A sample application managed by px."""
