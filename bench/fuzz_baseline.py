"""Long fuzz run of the baseline loader: only BaselineError may ever come out, and fast.

Feeds generated project folders (tests/test_loader_fuzz.py: hostile YAML, bytes, entries
that are not files) to `load_baseline` / `validate_dir` for a set time, in batches with a
fresh random seed each, and counts what happened. Unlike the test, a failure does not
stop the run: each one is recorded (its exception and the input, saved under --save) and
the run goes on. Each example also runs under an alarm, so a hang is reported as one.

    .venv/bin/python bench/fuzz_baseline.py --minutes 10
    .venv/bin/python bench/fuzz_baseline.py --minutes 1 --save /tmp/fuzz-failures

It prints figures only and exits 1 when anything other than ok / refused was seen.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.test_loader_fuzz import baseline_folders, check_folder  # noqa: E402

BATCH = 500  # examples per Hypothesis run; each batch gets a new seed


class _Hang(Exception):
    """Raised by the alarm when one example runs longer than --hang-seconds."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Hang()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to run")
    parser.add_argument("--hang-seconds", type=int, default=20, help="one example's limit")
    parser.add_argument("--save", type=Path, default=None, help="folder for failing inputs")
    parser.add_argument("--seed", type=int, default=None, help="first batch seed")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    outcomes: collections.Counter[str] = collections.Counter()
    failures: collections.Counter[str] = collections.Counter()
    slowest: list[float] = [0.0]
    times: list[float] = []
    signal.signal(signal.SIGALRM, _on_alarm)

    def record_failure(kind: str, files: dict[str, Any], detail: str) -> None:
        failures[kind] += 1
        if args.save is not None and failures[kind] <= 3:
            args.save.mkdir(parents=True, exist_ok=True)
            name = f"{kind.replace(' ', '_').replace(':', '')}-{failures[kind]}.json"
            shown = {
                k: v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else v
                for k, v in files.items()
            }
            (args.save / name).write_text(json.dumps({"files": shown, "error": detail}, indent=1))

    def one(files: dict[str, Any]) -> None:
        start = time.perf_counter()
        signal.alarm(args.hang_seconds)
        try:
            outcomes[check_folder(files)] += 1
        except _Hang:
            outcomes["hang"] += 1
            record_failure("hang", files, f"> {args.hang_seconds} s")
        except Exception as exc:  # noqa: BLE001 - every escape is what this run looks for
            outcomes["exception"] += 1
            record_failure(f"{type(exc).__name__}", files, traceback.format_exc())
        finally:
            signal.alarm(0)
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            slowest[0] = max(slowest[0], elapsed)

    deadline = time.monotonic() + args.minutes * 60
    started = time.monotonic()
    batches = 0
    while time.monotonic() < deadline:
        batch_seed = rng.randrange(2**32)
        runner = seed(batch_seed)(
            settings(
                max_examples=BATCH,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )(given(baseline_folders())(one))
        )
        try:
            runner()
        except Exception as exc:  # noqa: BLE001 - a generator problem ends one batch only
            outcomes["batch error"] += 1
            print(f"batch {batch_seed}: {type(exc).__name__}: {exc}", file=sys.stderr)
        batches += 1
        done = sum(outcomes.values())
        print(
            f"  {time.monotonic() - started:6.0f} s  {done} examples  {dict(outcomes)}", flush=True
        )

    wall = time.monotonic() - started
    total = sum(outcomes.values())
    times.sort()
    print(f"\nexamples run     {total} in {wall:.0f} s ({total / wall:.0f}/s, {batches} batches)")
    print(f"loaded ok        {outcomes['ok']}")
    print(f"refused          {outcomes['refused']} (BaselineError, as it should)")
    print(f"exceptions       {outcomes['exception']} {dict(failures) if failures else ''}")
    print(f"hangs            {outcomes['hang']} (> {args.hang_seconds} s)")
    if times:
        median = times[len(times) // 2]
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(
            f"per example      median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"slowest {slowest[0] * 1000:.0f} ms"
        )
    bad = outcomes["exception"] + outcomes["hang"] + outcomes["batch error"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
