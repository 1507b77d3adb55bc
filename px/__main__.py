"""`python -m px`."""

from px.cli.main import entry

entry()
