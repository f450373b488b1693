"""Benchmark: drift at scale, as a user runs it (issue 13). Prints two Markdown tables.

1. **Scans.** For each world (services x secrets, a tenth of the secrets declared, 20 VPC
   connectors over 3 regions), `drift diff --api-endpoint URL` against the emulator (50 ms
   per request, 600 reads/min per API) and the same requests by a plain thread pool over
   the same clients (bench/peer_threadpool.py): wall time, requests per API, 429s, peak
   RSS, CPU, and the ratio to the floor (the longest chain of dependent requests x latency
   or what the quota forces, whichever is longer, plus process start).
2. **Commands.** `drift diff --snapshot` of 10,000 resources (json and table), `drift --help`,
   `drift validate` on the demo baseline, and bare process start.

Every measured command is a process of its own (wall time from fork to exit status, its own
ru_maxrss and CPU via os.wait4); every scan gets a fresh `drift emulator` process, so the
emulator's CPU and memory are not drift's and no quota window carries over. Each figure is
the median of --runs runs (default 3), with the range.

    .venv/bin/python bench/scale.py            # everything: about 12 minutes
    .venv/bin/python bench/scale.py --quick    # 100 and 300 services: about a minute
    .venv/bin/python bench/scale.py --tree /tmp/drift-before   # measure another drift tree

It asserts nothing about time; bench/README.md explains every figure and holds the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

from bench.floor import Floor, compute_floor  # noqa: E402
from bench.measure import EmulatorProcess, Measured, Spread, run_measured  # noqa: E402

PROJECT = "bench"
REGIONS = ("us-central1", "europe-west1", "asia-east1")
APIS = ("run", "secretmanager", "vpcaccess")
PEER = Path(__file__).resolve().parent / "peer_threadpool.py"
RUN_TIMEOUT_S = 900.0  # a hung process is killed and reported, never waited for forever


@dataclass(frozen=True)
class World:
    """A generated project: services and connectors round-robin over REGIONS."""

    services: int
    secrets: int
    connectors: int = 20

    @property
    def declared(self) -> int:
        """Secrets the baseline declares: the first tenth."""
        return self.secrets // 10

    @property
    def resources(self) -> int:
        return self.services + self.secrets + self.connectors

    @property
    def unmanaged(self) -> int:
        """Findings a correct diff reports: one `unmanaged` per undeclared secret."""
        return self.secrets - self.declared

    def label(self) -> str:
        return f"{self.services:,} svc / {self.secrets:,} sec"


FULL_ROWS = (World(100, 1000), World(300, 1000), World(1000, 1000), World(3000, 1000))
FULL_ROWS += (World(300, 10000),)
QUICK_ROWS = FULL_ROWS[:2]
SMOKE_ROWS = (World(30, 100, connectors=6),)
DIFF_WORLD = World(3000, 6980, 20)  # 10,000 resources, 6,282 unmanaged findings
SMOKE_DIFF_WORLD = World(60, 134, 6)  # 200 resources


@dataclass
class Config:
    runs: int
    fast_runs: int  # runs of the sub-second commands (--help, validate, process start)
    latency_ms: int
    quota: int
    page_size: int | None
    concurrency: int
    seed: int
    drift_cmd: list[str]
    drift_env: dict[str, str]
    emulator_env: dict[str, str]
    demo: Path  # the demo baseline folder that `drift validate` checks
    peer: bool = True
    rates: tuple[str, ...] = ()  # `--rate API=N` given to drift's scans (default: its own)

    @property
    def quotas(self) -> dict[str, int]:
        return dict.fromkeys(APIS, self.quota)


@dataclass
class Run:
    """One scan: the process, the emulator's counters for it, its floor, whether it was right."""

    measured: Measured
    requests: dict[str, int]  # per API, as the emulator counted them
    needed: dict[str, int]  # the same without the answers that were 429
    throttled: int
    floor: Floor
    problem: str  # "" when the output was right


@dataclass
class Row:
    world: World
    runs: dict[str, list[Run]] = field(default_factory=dict)  # "drift" / "peer" -> runs


@dataclass
class CommandRow:
    label: str
    target: str
    runs: list[Measured]
    problem: str
    note: str = ""


def log(text: str) -> None:
    """Progress on stderr, so the tables on stdout stay clean."""
    print(text, file=sys.stderr, flush=True)


def measured(cmd: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> Measured:
    """One measured process (bench/measure.py), killed if it runs past RUN_TIMEOUT_S."""
    return run_measured(cmd, env=env, cwd=cwd, timeout_s=RUN_TIMEOUT_S)


# -- worlds ---------------------------------------------------------------------------------


def write_world(world: World, folder: Path, seed: int, quotas: dict[str, int] | None) -> Path:
    """World file (with the emulator's quotas) and its baseline under folder/expected."""
    from drift.baseline.synthetic import write_baseline
    from drift.emulator.generate import generate_world

    data = generate_world(
        project=PROJECT,
        services=world.services,
        regions=REGIONS,
        secrets=world.secrets,
        connectors=world.connectors,
        seed=seed,
    )
    write_baseline(data, folder / "expected", PROJECT, declared_secrets=world.declared)
    if quotas:
        data["emulator"] = {"quotas": quotas}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "world.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- scans ----------------------------------------------------------------------------------


def _drift_problem(m: Measured, report: Path, world: World) -> str:
    """Empty when drift exited 2 with exactly the findings the world has, else the fault."""
    if m.returncode != 2:
        tail = (m.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return f"exit {m.returncode}: {tail[:160]}"
    data = json.loads(report.read_text(encoding="utf-8"))
    kinds = Counter(f.get("type") for f in data.get("findings", []))
    if data.get("not_checked"):
        return f"{len(data['not_checked'])} not checked"
    if kinds != Counter({"unmanaged": world.unmanaged}):
        return f"findings {dict(kinds)}, expected {world.unmanaged} unmanaged"
    return ""


def _peer_problem(m: Measured, world: World) -> str:
    """Empty when the peer listed every service, secret and connector, else the fault."""
    if m.returncode != 0:
        tail = (m.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return f"exit {m.returncode}: {tail[:160]}"
    counts = json.loads(m.stdout.strip().splitlines()[-1])
    want = {"services": world.services, "secrets": world.secrets, "connectors": world.connectors}
    got = {k: counts.get(k) for k in want}
    return "" if got == want else f"listed {got}, expected {want}"


def scan_once(cfg: Config, runner: str, world: World, world_file: Path, tmp: Path) -> Run:
    """One scan by `runner` ("drift" or "peer") against a fresh emulator process."""
    expected = tmp / "expected"
    report = tmp / "report.json"
    with EmulatorProcess(
        _emulator_cmd(cfg),
        world_file,
        latency_ms=cfg.latency_ms,
        page_size=cfg.page_size,
        env=cfg.emulator_env,
    ) as emu:
        if runner == "drift":
            cmd = [*cfg.drift_cmd, "diff", "--project", PROJECT, "--expected", str(expected)]
            cmd += ["--api-endpoint", emu.url, "--concurrency", str(cfg.concurrency)]
            cmd += ["--format", "json", "--output", str(report), "--quiet"]
            for rate in cfg.rates:
                cmd += ["--rate", rate]
            m = measured(cmd, cfg.drift_env)
        else:
            cmd = [sys.executable, str(PEER), "--project", PROJECT, "--expected", str(expected)]
            cmd += ["--endpoint", emu.url, "--concurrency", str(cfg.concurrency)]
            m = measured(cmd, cfg.emulator_env)
        stats = emu.stats()
    problem = _drift_problem(m, report, world) if runner == "drift" else _peer_problem(m, world)
    requests = dict(stats.get("requests", {}))
    status = stats.get("status", {})
    refused = {api: int(status.get(api, {}).get("429", 0)) for api in requests}
    needed = {api: n - refused[api] for api, n in requests.items()}
    floor = compute_floor(stats["log"], cfg.latency_ms / 1000.0, cfg.quotas, PROJECT)
    return Run(m, requests, needed, sum(refused.values()), floor, problem)


def _emulator_cmd(cfg: Config) -> list[str]:
    """`drift emulator` of this checkout, whichever drift tree is measured."""
    exe = Path(sys.executable).parent / "drift"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "drift"]


def scan_rows(cfg: Config, worlds: Sequence[World], tmp: Path) -> list[Row]:
    """Every world, each run of drift and of the peer taken in turn (same machine state)."""
    rows = []
    runners = ("drift", "peer") if cfg.peer else ("drift",)
    for world in worlds:
        folder = tmp / f"w{world.services}x{world.secrets}"
        log(f"world {world.label()}: generating")
        world_file = write_world(world, folder, cfg.seed, cfg.quotas)
        row = Row(world, {r: [] for r in runners})
        for i in range(cfg.runs):
            for runner in runners:
                run = scan_once(cfg, runner, world, world_file, folder)
                row.runs[runner].append(run)
                flag = f"  PROBLEM: {run.problem}" if run.problem else ""
                log(f"  {runner} run {i + 1}/{cfg.runs}: {run.measured.wall_s:.2f} s{flag}")
        rows.append(row)
    return rows


# -- commands -------------------------------------------------------------------------------


def _repeat(
    n: int, cmd: Sequence[str], env: dict[str, str], ok: Callable[[Measured], str]
) -> tuple[list[Measured], str]:
    runs, problem = [], ""
    for _ in range(n):
        m = measured(cmd, env, cwd=ROOT)
        runs.append(m)
        problem = problem or ok(m)
    return runs, problem


def _exit(code: int) -> Callable[[Measured], str]:
    def check(m: Measured) -> str:
        if m.returncode == code:
            return ""
        tail = (m.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return f"exit {m.returncode} (expected {code}): {tail[:160]}"

    return check


def command_rows(cfg: Config, diff_world: World, tmp: Path) -> list[CommandRow]:
    """The snapshot diff (json, table), --help, validate on the demo, bare process start."""
    rows: list[CommandRow] = []
    folder = tmp / "diff"
    log(f"snapshot diff: {diff_world.resources:,} resources, generating")
    world_file = write_world(diff_world, folder, cfg.seed, None)
    expected, snap = folder / "expected", folder / "snapshot.json"
    # Taking the snapshot is set-up, not measured: no latency, no quota and no rate budget
    # (drift's default would spread 712 Secret Manager reads over two minutes), large pages.
    with EmulatorProcess(
        _emulator_cmd(cfg), world_file, page_size=500, env=cfg.emulator_env
    ) as emu:
        cmd = [*cfg.drift_cmd, "snapshot", "--project", PROJECT, "--expected", str(expected)]
        cmd += ["--api-endpoint", emu.url, "--output", str(snap), "--quiet"]
        cmd += ["--concurrency", "16"]
        for api in APIS:
            cmd += ["--rate", f"{api}=1000000"]
        taken = measured(cmd, cfg.drift_env)
    if taken.returncode != 0:
        problem = _exit(0)(taken)
        for fmt in ("json", "table"):
            rows.append(CommandRow(f"`drift diff --snapshot`, {fmt}", "", [taken], problem))
    else:
        resources = len(json.loads(snap.read_text(encoding="utf-8")).get("resources", []))
        note = f"{resources:,} resources, {diff_world.unmanaged:,} findings"
        targets = {"json": "< 1 s", "table": "< 1.5 s"}
        for fmt in ("json", "table"):
            out = folder / f"report.{fmt}"
            cmd = [*cfg.drift_cmd, "diff", "--project", PROJECT, "--expected", str(expected)]
            cmd += ["--snapshot", str(snap), "--format", fmt, "--output", str(out)]

            def check(m: Measured, fmt: str = fmt, out: Path = out) -> str:
                bad = _exit(2)(m)
                if bad or fmt != "json":
                    return bad
                found = len(json.loads(out.read_text(encoding="utf-8"))["findings"])
                wanted = diff_world.unmanaged
                return "" if found == wanted else f"{found} findings, expected {wanted}"

            log(f"  drift diff --snapshot --format {fmt}: {cfg.runs} runs")
            runs, problem = _repeat(cfg.runs, cmd, cfg.drift_env, check)
            label = f"`drift diff --snapshot`, {fmt}"
            rows.append(CommandRow(label, targets[fmt], runs, problem, note))

    log(f"drift --help, drift validate, process start: {cfg.fast_runs} runs each")
    runs, problem = _repeat(cfg.fast_runs, [*cfg.drift_cmd, "--help"], cfg.drift_env, _exit(0))
    rows.append(CommandRow("`drift --help`", "< 0.1 s", runs, problem))
    validate = [*cfg.drift_cmd, "validate", str(cfg.demo)]
    runs, problem = _repeat(cfg.fast_runs, validate, cfg.drift_env, _exit(0))
    rows.append(CommandRow("`drift validate expected` (demo)", "< 0.15 s", runs, problem))
    start = [sys.executable, "-c", "pass"]
    runs, problem = _repeat(cfg.fast_runs, start, cfg.drift_env, _exit(0))
    note = "the interpreter alone; added to every scan floor"
    rows.append(CommandRow("process start (`python -c pass`)", "", runs, problem, note))
    return rows


# -- tables ---------------------------------------------------------------------------------


def _requests(runs: list[Run]) -> str:
    """Requests per API (429s included) of the first run; marked when the runs did not send
    the same requests apart from retries of 429s."""
    first = runs[0]
    text = " / ".join(str(first.requests.get(api, 0)) for api in APIS)
    same = all(r.needed == first.needed for r in runs)
    return text if same else text + " (varied)"


def _floor_text(floor: Floor, start_s: float, latency_ms: int) -> str:
    if floor.window_s > floor.chain_s:
        why = f"quota {floor.bucket}: {floor.bucket_requests:,} req"
    else:
        why = f"chain {floor.chain} x {latency_ms} ms"
    return f"{floor.window_seconds + start_s:.2f} ({why})"


def scan_table(rows: list[Row], start_s: float, cfg: Config) -> list[str]:
    """The scaling table, one line per world and scanner."""
    head = (
        "| world | scanner | wall s, median (range) | floor s (bound) | ratio | drift / peer "
        f"| requests {' / '.join(APIS)} | 429s | peak RSS MiB | CPU s | check |"
    )
    lines = [head, "|" + " --- |" * 11]
    for row in rows:
        walls = {r: Spread.of([x.measured.wall_s for x in runs]) for r, runs in row.runs.items()}
        for runner, runs in row.runs.items():
            floors = sorted(runs, key=lambda x: x.floor.window_seconds)
            floor = floors[len(floors) // 2].floor  # the median run's floor
            floor_s = floor.window_seconds + start_s
            wall = walls[runner]
            vs_peer = "-"
            if runner == "drift" and "peer" in walls:
                vs_peer = f"{wall.median / walls['peer'].median:.2f}"
            problems = sorted({x.problem for x in runs if x.problem})
            cells = [
                row.world.label() + f" ({row.world.declared:,} declared)",
                runner,
                wall.seconds(),
                _floor_text(floor, start_s, cfg.latency_ms),
                f"{wall.median / floor_s:.2f}",
                vs_peer,
                _requests(runs),
                str(max(x.throttled for x in runs)),
                f"{Spread.of([x.measured.maxrss_mib for x in runs]).median:.0f}",
                f"{Spread.of([x.measured.cpu_s for x in runs]).median:.2f}",
                "; ".join(problems) if problems else "ok",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def command_table(rows: list[CommandRow]) -> list[str]:
    """Snapshot diff, --help, validate and process start."""
    lines = [
        "| command | wall ms, median (range) | target | peak RSS MiB | CPU s | check |",
        "|" + " --- |" * 6,
    ]
    for row in rows:
        wall = Spread.of([m.wall_s for m in row.runs])
        rss = Spread.of([m.maxrss_mib for m in row.runs]).median
        cpu = Spread.of([m.cpu_s for m in row.runs]).median
        check = row.problem or ("ok" + (f": {row.note}" if row.note else ""))
        cells = [row.label, wall.millis(), row.target or "-", f"{rss:.0f}", f"{cpu:.2f}", check]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _git_state() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "drift"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (f" + {len(dirty.splitlines())} modified files in drift/" if dirty else "")


def _load() -> str:
    """1, 5 and 15 minute load averages: other work on the machine widens the ranges."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _json_dump(path: Path, rows: list[Row], commands: list[CommandRow], start_s: float) -> None:
    """Every run's raw figures, for comparing two trees later."""

    def m(x: Measured) -> dict[str, Any]:
        return {"wall_s": x.wall_s, "maxrss_mib": x.maxrss_mib, "cpu_s": x.cpu_s}

    data = {
        "process_start_s": start_s,
        "scans": [
            {
                "services": r.world.services,
                "secrets": r.world.secrets,
                "declared": r.world.declared,
                "runners": {
                    name: [
                        {
                            **m(x.measured),
                            "requests": x.requests,
                            "throttled": x.throttled,
                            "floor_s": x.floor.window_seconds + start_s,
                            "problem": x.problem,
                        }
                        for x in runs
                    ]
                    for name, runs in r.runs.items()
                },
            }
            for r in rows
        ],
        "commands": [
            {"label": c.label, "runs": [m(x) for x in c.runs], "problem": c.problem}
            for c in commands
        ],
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


# -- main -----------------------------------------------------------------------------------


def _default_concurrency() -> int:
    """drift's own default, so the peer runs with what a plain `drift diff` uses."""
    try:
        from drift.collectors.settings import CollectSettings

        return int(CollectSettings().concurrency)
    except (ImportError, AttributeError, TypeError):
        return 8


def _envs(tree: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """Environments for the measured drift and for the emulator / peer (this checkout).

    DRIFT_* variables of the caller (an endpoint, say) must not change what is measured.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    base.pop("PYTHONPATH", None)
    drift_env = dict(base)
    if tree is not None:
        drift_env["PYTHONPATH"] = str(tree)  # ahead of the editable install of this checkout
    return drift_env, base


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="100 and 300 services only")
    size.add_argument(
        "--smoke", action="store_true", help="one tiny world, one run of everything (a test)"
    )
    size.add_argument(
        "--worlds",
        help="comma-separated SERVICESxSECRETS worlds instead of the default ones, e.g. 300x1000",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median, range)")
    parser.add_argument("--latency-ms", type=int, default=50, help="emulator delay per request")
    parser.add_argument("--quota", type=int, default=600, help="reads per minute for each API")
    parser.add_argument("--page-size", type=int, default=None, help="emulator's largest page")
    parser.add_argument("--concurrency", type=int, default=None, help="default: drift's own")
    parser.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="API=N",
        help="drift's per-minute budget for an API (repeatable; default: drift's own, "
        "Google's read quotas), e.g. secretmanager=540 to leave a tenth of the quota free",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-peer", action="store_true", help="skip the thread-pool peer")
    parser.add_argument("--no-commands", action="store_true", help="scans only")
    parser.add_argument(
        "--tree", type=Path, default=None, help="measure the drift package under this folder"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write raw figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables; exit 1 if any output was wrong."""
    args = parse_args(argv)
    if args.smoke:
        worlds, diff_world, runs = SMOKE_ROWS, SMOKE_DIFF_WORLD, 1
    else:
        worlds, diff_world, runs = (QUICK_ROWS if args.quick else FULL_ROWS), DIFF_WORLD, args.runs
    if args.worlds:
        worlds = tuple(
            World(*(int(n.replace(",", "").replace("_", "")) for n in w.split("x")))
            for w in args.worlds.split(",")
        )
    if args.tree is not None and not (args.tree / "drift" / "__init__.py").is_file():
        print(f"--tree {args.tree}: no drift/__init__.py there", file=sys.stderr)
        return 1
    drift_env, base_env = _envs(args.tree)
    exe = Path(sys.executable).parent / "drift"
    drift_cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "drift"]
    cfg = Config(
        runs=max(1, runs),
        fast_runs=max(1, runs) if args.smoke else max(runs, 5),
        latency_ms=args.latency_ms,
        quota=args.quota,
        page_size=args.page_size,
        concurrency=args.concurrency or _default_concurrency(),
        seed=args.seed,
        drift_cmd=drift_cmd,
        drift_env=drift_env,
        emulator_env=base_env,
        # The measured tree's own demo baseline: one written for newer kinds may not validate
        # with an older drift.
        demo=next(
            (p / "expected" for p in (args.tree, ROOT) if p and (p / "expected").is_dir()),
            ROOT / "expected",
        ),
        peer=not args.no_peer,
        rates=tuple(args.rate),
    )
    tree = str(args.tree) if args.tree else f"{ROOT} at {_git_state()}"
    print(f"drift: {tree}")
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {date.today().isoformat()}"
    )
    print(
        f"emulator (own process): {cfg.latency_ms} ms per request, {cfg.quota} reads/min per "
        f"API, page size {cfg.page_size or 'its default (50)'}; concurrency {cfg.concurrency}; "
        f"drift's budgets: {', '.join(cfg.rates) or 'its own'}; "
        f"median of {cfg.runs} runs ({cfg.fast_runs} for sub-second commands)"
    )
    print(f"load average before: {_load()}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp_name:
        tmp = Path(tmp_name)
        start_runs, _ = _repeat(cfg.fast_runs, [sys.executable, "-c", "pass"], base_env, _exit(0))
        start_s = Spread.of([m.wall_s for m in start_runs]).median
        rows = scan_rows(cfg, worlds, tmp)
        commands = [] if args.no_commands else command_rows(cfg, diff_world, tmp)
    print()
    print("\n".join(scan_table(rows, start_s, cfg)))
    if commands:
        print()
        print("\n".join(command_table(commands)))
    took = time.perf_counter() - started
    print(f"\nbenchmark took {took:.0f} s; load average after: {_load()}")
    if args.json:
        _json_dump(args.json, rows, commands, start_s)
    wrong = [x.problem for r in rows for runs in r.runs.values() for x in runs if x.problem]
    wrong += [c.problem for c in commands if c.problem]
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
