"""What the nightly run remembers (`drift diff --history LOCATION`, docs/operations.md).

Each run's JSON report is kept under LOCATION/<project>/runs/, and LOCATION/<project>/
latest.json points at the last complete one and carries the state the next run needs:
the open findings (by stable id, never by value), when each was first seen, which alert
destinations were told about it, and a short index of past runs for the trend.

The logic is pure (state.py) over a small storage interface (store.py): a local folder
here, a Cloud Storage bucket in drift/collectors/history_gcs.py (only collectors import
google.*). record.py does the write order that keeps `latest` whole: the run's report
first, then the pointer, conditionally on the pointer being the one read.
"""

from __future__ import annotations

from drift.history.ids import finding_id
from drift.history.record import Recorded, record
from drift.history.state import State, advance
from drift.history.store import Conflict, HistoryError, Store, open_store
from drift.history.trend import daily, trend

__all__ = [
    "Conflict",
    "HistoryError",
    "Recorded",
    "State",
    "Store",
    "advance",
    "daily",
    "finding_id",
    "open_store",
    "record",
    "trend",
]
