"""The ArtisanGlow demo brand: a deterministic generator of the platforms' native exports and an independent
implementation of docs/metrics.md's accounting rules over what those files reveal (the ground truth the
marts are tested against). `commerce-analytics generate` runs it; the product imports only the constants below.
"""

import datetime as dt

# The defaults of `commerce-analytics generate` (here so the CLI need not import the generator to parse).
DEFAULT_START = dt.date(2025, 9, 1)
DEFAULT_DAYS = 122
DEFAULT_ORDERS_PER_DAY = 40.0
DEFAULT_SEED = 7
# What in a generated set is not an export: pass to `ingest --skip` / `Ingestor.ingest_paths(skip=...)`.
NOT_EXPORTS = ("truth",)
