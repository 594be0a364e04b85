"""golive: go-live plans kept as YAML, validated and rendered into a MkDocs site."""

from __future__ import annotations

__version__ = "0.1.0"
