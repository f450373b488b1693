"""The fastest any scanner could be, read from the emulator's request log (bench/README.md).

Shared by bench/scan.py (one in-process scan) and bench/scale.py (the scaling table).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from drift.emulator.world import api_of

WINDOW_S = 60.0  # Google and the emulator count read quotas per minute


@dataclass(frozen=True)
class Floor:
    chain: int  # longest run of requests that must happen one after another
    chain_path: tuple[str, ...]  # the collections along that run
    chain_s: float
    bucket: str  # the quota bucket that takes longest at the steady rate
    bucket_requests: int
    rate_s: float  # bucket_requests / (quota / 60)
    window_s: float  # what a sliding 60 s window forces: a full minute's quota at once

    @property
    def seconds(self) -> float:
        """Chain or steady quota rate, whichever is longer."""
        return max(self.chain_s, self.rate_s)

    @property
    def window_seconds(self) -> float:
        """Chain or what the sliding-window quota forces, whichever is longer."""
        return max(self.chain_s, self.window_s)


def collection(raw: str, project: str) -> str:
    """URL path without the query; a project number is written as the project id."""
    return re.sub(r"/projects/\d+/", f"/projects/{project}/", unquote(urlsplit(raw).path))


def quota_bucket(path: str) -> str:
    """The emulator's quota bucket: Cloud Run per region, the other APIs per project."""
    api = api_of(path)
    if api == "run":
        parts = path.split("/")
        if "locations" in parts and parts.index("locations") + 1 < len(parts):
            return f"run:{parts[parts.index('locations') + 1]}"
    return api


def page_counts(log: list[list[Any]], project: str) -> Counter[str]:
    """Requests per collection, 429 answers left out (they were not needed)."""
    pages: Counter[str] = Counter()
    for _method, raw, status in log:
        if int(status) != 429:
            pages[collection(raw, project)] += 1
    return pages


def compute_floor(
    log: list[list[Any]], latency_s: float, quotas: dict[str, int], project: str
) -> Floor:
    """Lower bounds on a scan's wall time from the requests it needed (see bench/README.md).

    A request's collection is its URL path without the query (all pages of one list share
    it). Pages of one list are sequential (each needs the previous page's token), and a
    collection nested under another (`/secrets/x/versions` under `/secrets`) can only start
    once that one has been read. 429 answers are not needed requests and are left out.
    """
    pages = page_counts(log, project)
    per_bucket: Counter[str] = Counter()
    for path, n in pages.items():
        per_bucket[quota_bucket(path)] += n

    best: dict[str, tuple[int, tuple[str, ...]]] = {}
    for path in sorted(pages, key=len):  # ancestors are shorter, so they are done first
        before = [best[p] for p in best if path.startswith(p + "/")]
        length, via = max(before, default=(0, ()))
        best[path] = (length + pages[path], (*via, path))
    chain, chain_path = max(best.values(), default=(0, ()))

    bucket, n, rate_s, window_s = "-", 0, 0.0, 0.0
    for name, count in per_bucket.items():
        quota = quotas.get(name.split(":")[0])
        if not quota:
            continue
        r = count / (quota / WINDOW_S)
        # A sliding window lets `quota` requests through at once, the next `quota` a
        # minute later, and so on; the last one still takes one latency to answer.
        w = ((count - 1) // quota) * WINDOW_S + latency_s
        if r > rate_s:
            bucket, n, rate_s = name, count, r
        window_s = max(window_s, w)
    return Floor(chain, chain_path, chain * latency_s, bucket, n, rate_s, window_s)
