"""Stage 3, checking: every rule across files that the models alone cannot express.

validate.py runs them (validate_project) and keeps what they found (Validation); rules/ holds
them by the kind of source they read, each a function over a CheckContext (context.py).
"""
