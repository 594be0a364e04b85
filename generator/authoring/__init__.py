"""New files for authors: a plan scaffold, a prefilled post-mortem, the JSON Schemas for editors."""
