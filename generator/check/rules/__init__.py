"""Cross-file rules, one module per kind of source they read."""
