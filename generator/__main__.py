"""`python -m generator`: the golive command line, as the `golive` console script runs it."""

from __future__ import annotations

from generator.cli.main import main

raise SystemExit(main())
