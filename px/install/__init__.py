"""Installing: wheels into the store, shared read-only trees, environment generations.

Keep this file free of imports: ``px.install.state`` and ``px.install.runner``
are on the start-up path of `px run`.
"""
