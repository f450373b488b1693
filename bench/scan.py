"""Benchmark: how long a drift scan of a large project takes, against what is possible.

Serves a generated world (300 Cloud Run services over 3 regions, 1,000 secrets of which
100 are declared, 20 VPC connectors) from the emulator with 50 ms latency and per-minute
read quotas, then runs `drift.pipeline.run_diff` against it and prints figures: wall time
concurrent and serial, requests and 429s per API, the floor (the fastest any scanner could
be, from the request log), peak memory and `drift --help` start-up time.

The emulator runs in a child process, so its threads neither compete with the scanner for
the GIL nor count in the scanner's memory figures (real Google is not in our process
either). Every scan gets a fresh emulator, so quota windows never carry over.

    .venv/bin/python bench/scan.py            # the full world (about a minute or two)
    .venv/bin/python bench/scan.py --quick    # a small world, a few seconds

It prints figures only and asserts nothing; bench/README.md explains each figure.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

from bench.floor import Floor, collection, compute_floor  # noqa: E402

PROJECT = "bench"
REGIONS = ("us-central1", "europe-west1", "asia-east1")


@dataclass(frozen=True)
class WorldSpec:
    services: int
    secrets: int
    declared_secrets: int
    connectors: int
    seed: int


FULL = WorldSpec(services=300, secrets=1000, declared_secrets=100, connectors=20, seed=0)
QUICK = WorldSpec(services=30, secrets=100, declared_secrets=10, connectors=6, seed=0)


# -- the emulator, in a child process ------------------------------------------------------


def _serve(conn: Any, spec: WorldSpec, knobs: dict[str, Any], baseline_dir: str | None) -> None:
    """Child process: build the world (and its baseline), serve it, answer stats/stop."""
    from drift.baseline.synthetic import write_baseline
    from drift.emulator import Emulator
    from drift.emulator.generate import generate_world

    world = generate_world(
        project=PROJECT,
        services=spec.services,
        regions=REGIONS,
        secrets=spec.secrets,
        connectors=spec.connectors,
        seed=spec.seed,
    )
    if baseline_dir:
        write_baseline(world, Path(baseline_dir), PROJECT, declared_secrets=spec.declared_secrets)
    emu = Emulator(world, **knobs)
    conn.send(emu.start())
    while True:
        command = conn.recv()
        if command == "stats":
            conn.send(emu.stats())
        elif command == "stop":
            emu.stop()
            conn.send(None)
            return


class ChildEmulator:
    """A fresh emulator in a spawned process: `with ChildEmulator(...) as (base, stats): ...`."""

    def __init__(self, spec: WorldSpec, knobs: dict[str, Any], baseline_dir: Path | None = None):
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        args = (child, spec, knobs, str(baseline_dir) if baseline_dir else None)
        self._proc = ctx.Process(target=_serve, args=args, daemon=True)

    def __enter__(self) -> ChildEmulator:
        self._proc.start()
        self.base_url: str = self._conn.recv()
        return self

    def stats(self) -> dict[str, Any]:
        self._conn.send("stats")
        return self._conn.recv()

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.send("stop")
            self._conn.recv()
        finally:
            self._proc.join(timeout=10)
            if self._proc.is_alive():
                self._proc.kill()


# -- scans -------------------------------------------------------------------------------


@dataclass
class ScanResult:
    wall_s: float
    stats: dict[str, Any]
    findings: Counter[tuple[str, str]]
    not_checked: int
    traced_peak: int | None = None


def scan(
    spec: WorldSpec,
    knobs: dict[str, Any],
    expected: Path,
    concurrency: int,
    budget: dict[str, int],
    trace: bool = False,
) -> ScanResult:
    from drift.collectors import CollectSettings
    from drift.pipeline import run_diff

    with ChildEmulator(spec, knobs) as emu:
        settings = CollectSettings(
            endpoint=emu.base_url, concurrency=concurrency, rate_per_minute=dict(budget)
        )
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        report = run_diff(PROJECT, expected, endpoint=emu.base_url, settings=settings)
        wall = time.perf_counter() - start
        peak = None
        if trace:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        stats = emu.stats()
    found = Counter((f.type, f.kind) for f in report.findings)
    return ScanResult(wall, stats, found, len(report.not_checked), peak)


def warm_imports() -> float:
    """Import drift's scan path and the Google client libraries once; returns seconds.

    Done before any timed scan so the first scan does not pay for it alone (the figure is
    printed on its own: a one-off `drift diff` process pays it once).
    """
    import importlib

    start = time.perf_counter()
    importlib.import_module("drift.pipeline")
    importlib.import_module("drift.collectors.scan")
    clients = importlib.import_module("drift.collectors.clients")
    for module, _cls in getattr(clients, "CLIENTS", {}).values():
        if "compute" not in module:  # this world has no Compute kind: drift never imports it
            importlib.import_module(module)
    return time.perf_counter() - start


def help_time(runs: int = 5) -> tuple[float, str]:
    """Best wall time of `drift --help` over `runs` fresh processes."""
    exe = Path(sys.executable).parent / "drift"
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "drift", "--help"]
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=False)
        best = min(best, time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
    return best, " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))


# -- output ------------------------------------------------------------------------------


def _line(label: str, value: str) -> None:
    print(f"  {label:<34} {value}")


def _requests(stats: dict[str, Any]) -> str:
    return ", ".join(f"{api} {n}" for api, n in sorted(stats["requests"].items()))


def _throttled(stats: dict[str, Any]) -> int:
    return sum(int(s.get("429", 0)) for s in stats["status"].values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small world (seconds, not minutes)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--quota", type=int, default=600, help="reads per minute for each API")
    parser.add_argument("--page-size", type=int, default=None, help="emulator page size")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--budget",
        type=int,
        default=None,
        help="drift's own rate budget per API (reads/min); default: drift's default",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-serial", action="store_true", help="skip the serial scan")
    args = parser.parse_args(argv)

    spec = QUICK if args.quick else FULL
    spec = WorldSpec(spec.services, spec.secrets, spec.declared_secrets, spec.connectors, args.seed)
    quotas = {"run": args.quota, "secretmanager": args.quota, "vpcaccess": args.quota}
    knobs: dict[str, Any] = {"latency_ms": args.latency_ms, "quotas": quotas}
    if args.page_size:
        knobs["page_size"] = args.page_size
    latency_s = args.latency_ms / 1000.0
    budget = {api: args.budget for api in quotas} if args.budget else {}

    print(
        f"world: {spec.services} services over {len(REGIONS)} regions, {spec.secrets} secrets "
        f"({spec.declared_secrets} declared), {spec.connectors} connectors, seed {spec.seed}"
    )
    page = args.page_size or "emulator default"
    print(f"emulator: {args.latency_ms:g} ms latency, {args.quota}/min per API, page size {page}")
    print(f"drift's rate budget: {f'{args.budget}/min per API' if budget else 'its default'}")

    with tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp:
        expected = Path(tmp)
        with ChildEmulator(spec, knobs, baseline_dir=expected):
            pass  # builds the world once more and writes its baseline; nothing scanned

        imports_s = warm_imports()
        print(f"\nconcurrent scan (concurrency {args.concurrency})")
        conc = scan(spec, knobs, expected, args.concurrency, budget)
        floor = compute_floor(conc.stats["log"], latency_s, quotas, PROJECT)
        _line("wall time", f"{conc.wall_s:.2f} s")
        _line("requests", f"{sum(conc.stats['requests'].values())} ({_requests(conc.stats)})")
        _line("429 received", str(_throttled(conc.stats)))
        found = ", ".join(f"{n} {t} {k}" for (t, k), n in sorted(conc.findings.items())) or "none"
        _line("findings", found + (f"; {conc.not_checked} not checked" if conc.not_checked else ""))
        _line(
            "longest dependent chain",
            f"{floor.chain} requests x {args.latency_ms:g} ms = {floor.chain_s:.2f} s",
        )
        _line("  along", " -> ".join(f"{p} ({n})" for p, n in _chain_pages(floor, conc)))
        _line(
            "busiest quota bucket",
            f"{floor.bucket}: {floor.bucket_requests} requests / ({args.quota}/60 per s)"
            f" = {floor.rate_s:.2f} s",
        )
        _line("floor", f"{floor.seconds:.2f} s  (max of the two above)")
        _line("ratio wall / floor", f"{conc.wall_s / floor.seconds:.2f}" if floor.seconds else "-")
        _line(
            "floor, sliding 60 s window",
            f"{floor.window_seconds:.2f} s  (ratio {conc.wall_s / floor.window_seconds:.2f})"
            if floor.window_seconds
            else "-",
        )

        if not args.no_serial:
            print("\nserial scan (concurrency 1)")
            serial = scan(spec, knobs, expected, 1, budget)
            _line("wall time", f"{serial.wall_s:.2f} s")
            n = sum(serial.stats["requests"].values())
            _line("requests", str(n))
            _line(
                "time per request",
                f"{serial.wall_s / n * 1000:.0f} ms (of which {args.latency_ms:g} ms latency)",
            )
            _line("429 received", str(_throttled(serial.stats)))
            _line("speed-up of the concurrent scan", f"{serial.wall_s / conc.wall_s:.1f}x")

        print("\nmemory (a third, traced, concurrent scan)")
        traced = scan(spec, knobs, expected, args.concurrency, budget, trace=True)
        _line("tracemalloc peak during run_diff", f"{(traced.traced_peak or 0) / 2**20:.1f} MiB")
        maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        _line("ru_maxrss of this process", f"{maxrss_kib / 1024:.1f} MiB")

    print("\nstart-up")
    _line("importing drift + client libraries", f"{imports_s * 1000:.0f} ms (before the scans)")
    try:
        best, cmd = help_time()
        _line(f"{cmd} (best of 5)", f"{best * 1000:.0f} ms")
    except (OSError, RuntimeError) as err:
        _line("drift --help", f"could not run: {err}")
    return 0


def _chain_pages(floor: Floor, result: ScanResult) -> list[tuple[str, int]]:
    """Each collection on the longest chain with its page count, shortened for printing."""
    pages: Counter[str] = Counter()
    for _m, raw, status in result.stats["log"]:
        if int(status) != 429:
            pages[collection(raw, PROJECT)] += 1
    prefix = f"/projects/{PROJECT}/"
    out = []
    for path in floor.chain_path:
        short = path.split(prefix, 1)[-1] if prefix in path else path
        out.append((short, pages[path]))
    return out


if __name__ == "__main__":
    sys.exit(main())
