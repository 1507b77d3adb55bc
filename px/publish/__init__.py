"""Distributions ready to publish: read, checked, and sent to a PyPI-compatible registry.

- :mod:`px.publish.distfile`: a built wheel or sdist, its hashes and its core metadata.
- :mod:`px.publish.checks`: what must hold before a distribution is reported built or
  is uploaded (required fields, name and version, a README that renders as declared).
- :mod:`px.publish.form`: the fields of the legacy upload API (pure).
- :mod:`px.publish.credentials`: which username and password go to which registry.
- :mod:`px.publish.registry`: the HTTP side (urllib3, verified TLS).
- :mod:`px.publish.messages`: the registry's own message for a refused upload, one line.
"""
