"""A sample application managed by px: does a version satisfy a requirement?"""

__version__ = "0.1.0"
