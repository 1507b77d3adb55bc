"""Developer tools px runs for a project, and what `px tidy` reads from its code.

Public API::

    Tool, RUFF, FORMATTERS, choose_formatter(setting) -> (Tool, version)  # px.tools.model
    scan_imports(root) -> Imports                                       # px.tools.imports
    provided_modules(paths, top_level) -> frozenset[str]                # px.tools.provides
    check_dependencies(...) -> DependencyReport                         # px.tools.deps
"""

from __future__ import annotations

from px.tools.model import FORMATTERS, RUFF, Ruff, Tool, choose_formatter

__all__ = ["FORMATTERS", "RUFF", "Ruff", "Tool", "choose_formatter"]
