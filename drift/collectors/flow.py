"""One scan as a flow of events: lists page by page, follow-up requests as soon as possible.

Every list (a kind in a scope) runs on the pool and reports each page as it arrives; the
main thread takes those events in order and, while requests are in flight:

- normalizes each page of a kind (once the project number, which secret names reveal,
  is known; pages before that wait for it);
- hands each page of a kind with a follow-up step (secrets) to its follower, which starts
  the requests those objects need at once (a declared secret's version list starts as
  soon as its page is in, not after every list has ended);
- once every other kind is in and normalized, tells the followers what those refer to.

Lists are submitted first, so on a pool bounded by --concurrency a list's next page never
queues behind follow-up requests: each list keeps its worker from its first page to its
last. Every request is still one budgeted, retried call (drift/collectors/context.py).

What comes out is what the phase-by-phase scan gave: resources in the order of the
lists (kinds, then scopes, then pages), a kind whose list failed `not_checked` with no
follow-up (its requests already started are dropped), and the project number read as
the first numbered name in list order. A page normalized with a number that a list
failing later takes back is normalized again.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from drift.collectors.budget import follow_up
from drift.collectors.context import ScanContext
from drift.collectors.followup import Follower, FollowUp, step_of
from drift.collectors.lister import COLLECT_ERRORS, list_raw
from drift.collectors.retry import describe_error
from drift.collectors.settings import CollectSettings
from drift.collectors.signals import run_pending_handlers
from drift.model import NotChecked, Resource
from drift.normalize.resources import to_resource
from drift.registry import KINDS

Progress = Callable[[int, int, str], None]
#: Told of each batch of resources as they are normalized, with the project number their
#: references were resolved with (the one read live, else the baseline's): a consumer may
#: start working on them while the scan goes on (drift/engine/ahead.py).
OnResources = Callable[[list[Resource], str | None], None]
WAKE_S = 0.1  # the longest the main thread waits before it checks for a signal
Item = dict[str, Any]


class _List:
    """One list's pages as they arrive, and how it ended."""

    def __init__(self, kind: str, region: str | None) -> None:
        self.kind = kind
        self.region = region
        self.items: list[Item] = []
        self.normalized: list[Resource] = []  # of items[:len(normalized)], with `ids`
        self.ids: frozenset[str] | None = None
        self.done = False
        self.failed = False


class _Follow:
    """A kind's follow-up step in progress."""

    def __init__(self, kind: str, follower: Follower) -> None:
        self.kind = kind
        self.follower = follower
        self.pending: dict[Future[Any], tuple[str, str]] = {}
        self.told_others = False
        self.dead = False  # its list failed: no follow-up, as if never started


class Flow:
    """The state of one project's scan (see the module docstring)."""

    def __init__(
        self,
        project: str,
        kinds: list[str],
        regions: list[str],
        settings: CollectSettings,
        ctx: ScanContext,
        pool: ThreadPoolExecutor,
        project_number: str | None,
        progress: Progress | None,
        on_resources: OnResources | None = None,
    ) -> None:
        self.project = project
        self.on_resources = on_resources
        self.kinds = kinds
        self.settings = settings
        self.ctx = ctx
        self.pool = pool
        self.declared_number = project_number
        self.progress = progress
        self.lists = [_List(k, r) for k in kinds for r in KINDS[k].scopes(regions)]
        self.events: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self.futures: list[Future[Any]] = []
        self.failed: list[NotChecked] = []
        self.follows: dict[str, _Follow] = {}
        self.done = 0
        self.total = len(self.lists)

    # -- the pool ----------------------------------------------------------------------------

    def _submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        fut = self.pool.submit(fn, *args)
        self.futures.append(fut)
        return fut

    def cancel(self) -> None:
        """Drop every request of this scan not yet started (an interrupted or failed scan)."""
        for fut in self.futures:
            fut.cancel()

    def _tick(self, label: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, label)

    # -- the run ------------------------------------------------------------------------------

    def run(
        self, version_secrets: frozenset[str], digest_secrets: frozenset[str]
    ) -> tuple[list[Resource], list[NotChecked], str | None]:
        """Every list and follow-up request to its end: (resources, not checked, the
        project number read live)."""
        for kind in self.kinds:
            step = step_of(KINDS[kind])
            if step is not None:
                start = self._starter(kind)
                given = FollowUp(self.ctx, self.settings, version_secrets, digest_secrets, start)
                self.follows[kind] = _Follow(kind, step(given))
        for lst in self.lists:
            self._submit(self._list, lst).add_done_callback(self._listed(lst))
        while not self._finished():
            try:
                # Never an unbounded wait: Ctrl-C must stop the run at once, and a signal
                # another thread received is handled only here (drift/collectors/signals.py).
                event = self.events.get(timeout=WAKE_S)
            except queue.Empty:
                run_pending_handlers()
                continue
            self._handle(event)
            self._advance()
        number, _ = self._number()  # every list has ended: settled
        ids = self._ids_with(number)
        resources: list[Resource] = []
        for lst in self.lists:
            if lst.kind in self.follows or lst.failed:
                continue
            if lst.ids != ids:  # normalized with a number a failed list took back
                lst.normalized, lst.ids = [], ids
                self._normalize(lst, ids, number)
            resources += lst.normalized
        for kind, follow in self.follows.items():
            mine = [lst for lst in self.lists if lst.kind == kind and not lst.failed]
            items = [(lst.region, item) for lst in mine for item in lst.items]
            extras: list[Mapping[str, Any]] = [{} for _ in items]
            if not follow.dead:
                extras = follow.follower.extras([item for _, item in items])
            resources += [
                to_resource(kind, item, ids, region=scope, extra=extra)
                for (scope, item), extra in zip(items, extras, strict=True)
            ]
        return resources, self.failed, number

    def _list(self, lst: _List) -> list[Item]:
        """A worker: the whole list, each page reported to the main thread as it arrives."""
        return list_raw(
            self.ctx,
            KINDS[lst.kind],
            self.project,
            lst.region,
            on_page=lambda items: self.events.put(("page", lst, items)),
        )

    def _listed(self, lst: _List) -> Callable[[Future[Any]], None]:
        return lambda fut: self.events.put(("listed", lst, fut))

    def _starter(self, kind: str) -> Callable[[str, Callable[[str], Any], str], None]:
        def start(what: str, fn: Callable[[str], Any], key: str) -> None:
            follow = self.follows[kind]
            if follow.dead:
                return
            fut = self._submit(_as_follow_up, fn, key)
            follow.pending[fut] = (what, key)
            self.total += 1
            fut.add_done_callback(lambda f: self.events.put(("job", kind, f)))

        return start

    def _finished(self) -> bool:
        if not all(lst.done for lst in self.lists):
            return False
        return all(f.dead or (f.told_others and not f.pending) for f in self.follows.values())

    def _handle(self, event: tuple[Any, ...]) -> None:
        what = event[0]
        if what == "page":
            lst, items = event[1], event[2]
            lst.items.extend(items)
            follow = self.follows.get(lst.kind)
            if follow is not None and not follow.dead:
                follow.follower.page(items)
        elif what == "listed":
            lst, fut = event[1], event[2]
            lst.done = True
            err = fut.exception()
            if err is not None:
                if not isinstance(err, COLLECT_ERRORS):
                    raise err  # a bug in drift: fails the run (drift/collectors/lister.py)
                # A failure is a value, never an empty or partial list.
                lst.failed = True
                lst.items, lst.normalized = [], []
                api = KINDS[lst.kind].api
                self.failed.append(NotChecked(lst.kind, lst.region, describe_error(err, api)))
                follow = self.follows.get(lst.kind)
                if follow is not None:
                    follow.dead = True
                    for pending in follow.pending:
                        pending.cancel()
            self._tick(f"{lst.kind} {lst.region or 'global'}")
        else:
            kind, fut = event[1], event[2]
            follow = self.follows[kind]
            job, key = follow.pending.pop(fut, ("", ""))
            if follow.dead or fut.cancelled():
                return
            err = fut.exception()
            if err is None:
                follow.follower.done(job, key, fut.result())
            elif isinstance(err, COLLECT_ERRORS):  # a failure is a value, never an empty answer
                why = describe_error(err, KINDS[kind].api)
                # The list was read: only this one resource is not checked.
                self.failed.append(NotChecked(kind, None, f"{job} of {key}: {why}", key))
            else:
                raise err
            self._tick(f"{job} of {key}")

    # -- normalizing as pages arrive --------------------------------------------------------

    def _advance(self) -> None:
        try:
            number, unsettled = self._number()
        except _Pending:
            return
        ids = self._ids_with(number)
        for lst in self.lists:
            if lst.kind not in self.follows and not lst.failed:
                self._normalize(lst, ids, number)
        if not all(lst.done for lst in self.lists if lst.kind not in self.follows):
            return
        others = tuple(
            r for lst in self.lists if lst.kind not in self.follows for r in lst.normalized
        )
        for follow in self.follows.values():
            # What the others refer to depends on the number; a follower hears of them once
            # only a failure of its own list (which ends it) could still take that back.
            if not follow.told_others and unsettled <= {follow.kind}:
                follow.told_others = True
                if not follow.dead:
                    follow.follower.others(others)

    def _normalize(self, lst: _List, ids: frozenset[str], number: str | None = None) -> None:
        if lst.ids is not None and lst.ids != ids:
            lst.normalized = []  # a number taken back: normalize again
        lst.ids = ids
        start = len(lst.normalized)
        new = [to_resource(lst.kind, item, ids, region=lst.region) for item in lst.items[start:]]
        lst.normalized += new
        if new and self.on_resources is not None:
            self.on_resources(new, number or self.declared_number)

    def _number(self) -> tuple[str | None, set[str]]:
        """The first project number a kind's objects reveal, in list order (secret names),
        and the kinds whose list, failing, would still take it back. Raises _Pending while
        an earlier list that could reveal one is still running."""
        for lst in self.lists:
            reveal = KINDS[lst.kind].project_number
            if reveal is None or lst.failed:
                continue
            for item in lst.items:
                number = reveal(item)
                if number:
                    return number, set() if lst.done else {lst.kind}
            if not lst.done:
                raise _Pending
        return None, set()

    def _ids_with(self, number: str | None) -> frozenset[str]:
        """The ids of this project in references: its id and number (a number read live
        wins over the baseline's)."""
        known = number or self.declared_number
        return frozenset({self.project} | ({known} if known else set()))


class _Pending(Exception):
    """The project number is not known yet: an earlier list may still reveal it."""


def _as_follow_up(fn: Callable[[str], Any], key: str) -> Any:
    """A follow-up request: under a full rate budget, lists' pages go before it."""
    with follow_up():
        return fn(key)
