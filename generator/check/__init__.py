"""Stage 3, checking: every rule across files that the models alone cannot express."""
