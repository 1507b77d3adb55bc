"""px's PEP 517 frontend: read [build-system], run a backend's hooks, unpack sdists safely.

Pure domain code: nothing here touches the store or the index. Assembling the
isolated build environment the hooks run in is a use case (``px.ops.build_env``).
"""
