"""The files of one ingest run, landed by parallel workers yet recorded as a one-file-at-a-time run would.

Workers (threads: the parsing is polars and pyarrow, which release the GIL) copy, hash, decode, parse and publish
each file's data files at once; what makes a file visible, its manifest, is written by the run's own thread in
the order the files were given. Three things keep the outcome identical to a serial run whatever order the
workers finish in:

- **Delivery times follow the given order.** A file's `_ingested_at` stamp is taken once every earlier file has
  been hashed and stamped, and is later than theirs (by at least a microsecond). With manifests published in the
  same order, a build never sees a file without seeing every earlier-stamped one: the rule incremental models rely
  on (dbt_project/macros/incremental.sql, "Affected keys") holds as it did.
- **The same bytes twice in one run** are a duplicate of the first as before: the later file waits until the
  first is recorded, then finds its manifest like any duplicate.
- **A run failure** (disk, lake, memory) stops the run after the files before the failing one are recorded, as
  before; files after it are never recorded (data files they already published stay invisible, and are re-landed
  under the same names by the next run).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable


class Stopped(Exception):
    """The run stopped (an earlier file failed it): this worker's file is left for the next run."""


class Batch:
    def __init__(self, size: int, clock: Callable[[], dt.datetime]):
        self.size = size
        self.clock = clock
        self._changed = threading.Condition()
        self._hashed: dict[int, str | None] = {}
        self._recorded: set[int] = set()
        self._last_stamp: dt.datetime | None = None
        self.stopped = False

    def hashed(self, index: int, sha256: str | None) -> tuple[dt.datetime, int | None]:
        """Note file `index`'s content hash (None: not read, e.g. still being written), once every earlier file has
        been noted. Returns its delivery time (later than every earlier file's) and the earlier file of this run
        with the same bytes, if any."""
        with self._changed:
            self._wait(lambda: all(i in self._hashed for i in range(index)))
            self._hashed[index] = sha256
            now = self.clock()
            if self._last_stamp is not None and now <= self._last_stamp:
                now = self._last_stamp + dt.timedelta(microseconds=1)
            self._last_stamp = now
            self._changed.notify_all()
        same = [i for i in range(index) if sha256 is not None and self._hashed[i] == sha256]
        return now, (same[0] if same else None)

    def release(self, index: int) -> None:
        """File `index` will not be hashed (it failed first): later files need not wait for it."""
        with self._changed:
            if index not in self._hashed:
                self._hashed[index] = None
                self._changed.notify_all()

    def wait_recorded(self, index: int) -> None:
        with self._changed:
            self._wait(lambda: index in self._recorded)

    def recorded(self, index: int) -> None:
        with self._changed:
            self._recorded.add(index)
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._changed.notify_all()

    def _wait(self, ready) -> None:
        while not ready():
            if self.stopped:
                raise Stopped
            self._changed.wait()
