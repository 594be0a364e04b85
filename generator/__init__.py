"""golive: go-live plans kept as YAML, validated and rendered into a MkDocs site.

The folders are the stages data flows through, each importing only from earlier ones:
read/ (files into models) -> schedule/ (the timetable) -> check/ (cross-file rules) -> call/
(the log) -> site/ (views, pages, site_src/) -> mkdocs/ (the HTML); beside them authoring/
(files for people to edit), review/ (git), paper/ (PDF). api.py is what each command does;
cli/ parses arguments and prints. diagnostics.py, errors.py and report.py serve them all.
"""

from __future__ import annotations

__version__ = "0.1.0"
