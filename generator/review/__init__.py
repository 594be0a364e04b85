"""Review in git: plan diffs, each plan's history, publishing site versions."""
