"""Stage 2, the schedule: each step's start and end, the critical path, and how times are written."""
