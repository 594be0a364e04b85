"""Stage 1, reading: the YAML loader, the project's sources on disk and the models they validate against.

layout.py (where each source lives), load.py (one file's bytes, safely, into a Document),
yaml_reader.py and yaml_scalars.py (the fast YAML reader and its scalar rules), document.py
(values with their places), model_errors.py (pydantic's errors in a user's words),
sources.py (every source of a project), models/ (one pydantic model per source kind).
"""
