"""Run one command and write its wall time, peak RSS and CPU as JSON: the measuring parent.

    python -S -E bench/rusage_exec.py OUT.json CMD [ARG...]

Why a separate, tiny process: Linux carries a process's peak RSS (ru_maxrss) across
fork and exec, so a command started straight from the benchmark (which holds generated
worlds, 150 MB and more) would report at least the benchmark's own peak. Started from this
process (a few MB, stdlib only, no site), the figure is the command's own. The wall time is
taken here from fork to the exit status, so this helper's own start-up is not counted.
"""

import json
import os
import sys
import time


def main() -> int:
    """Fork, exec the command, reap it with wait4, write the figures; exit 0 if it ran."""
    out, cmd = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: become the command (its stdio and cwd are ours)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    figures = {
        "wall_s": wall,
        "maxrss_kib": usage.ru_maxrss,  # KiB on Linux
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "returncode": os.waitstatus_to_exitcode(status),
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(figures, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
