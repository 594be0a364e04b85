"""Stage 1, reading: the YAML loader, the project's sources on disk and the models they validate against."""
