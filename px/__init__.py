"""px: a Python project manager whose whole state lives in one SQLite database."""

__version__ = "0.1.0.dev0"
