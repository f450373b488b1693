"""A scan imports only the service clients it uses (drift/collectors/imports.py): not the
eight clients google.cloud.run_v2 imports, not the hundred of compute_v1; and a package
drift imported that way is whole for any code that asks for more of it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from drift.emulator import Emulator, bundled_world_path, load_world
    from drift.collectors.scan import collect
    from drift.collectors.settings import CollectSettings

    kinds = sys.argv[1].split(",")
    with Emulator(load_world(bundled_world_path("netra-staging"))) as emu:
        snap = collect("netra-staging", ["us-central1"], kinds,
                       CollectSettings(endpoint=emu.base_url))
    services = sorted({m.split(".")[4] for m in sys.modules
                       if m.startswith(("google.cloud.run_v2.services.",
                                        "google.cloud.compute_v1.services."))
                       and len(m.split(".")) > 4})
    read = sorted({r.kind for r in snap.resources})
    # Code elsewhere asking for more of the package gets it whole.
    from google.cloud import run_v2
    whole = [run_v2.JobsClient.__name__, run_v2.types.Job.__name__]
    print(json.dumps({"services": services, "read": read, "not_checked": len(snap.not_checked),
                      "whole": whole}))
    """
)


def _scan(kinds: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, kinds],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return out


def test_a_cloud_run_scan_imports_one_run_v2_client() -> None:
    got = _scan("services,secrets,vpc_connectors")
    assert got["services"] == ["services"]  # not builds, executions, jobs, revisions, ...
    assert got["read"] == ["secrets", "services", "vpc_connectors"] and got["not_checked"] == 0
    assert got["whole"] == ["JobsClient", "Job"]


def test_a_health_check_scan_imports_only_health_check_clients() -> None:
    got = _scan("health_checks")
    services = set(got["services"])  # type: ignore[arg-type]
    # Its two clients, and the operation clients they import themselves; not the other
    # ninety-odd (instances, disks, networks, ...).
    assert {"health_checks", "region_health_checks"} <= services
    assert services - {"health_checks", "region_health_checks"} <= {
        "global_operations", "region_operations", "zone_operations"
    }  # fmt: skip
    assert got["read"] == ["health_checks"] and got["not_checked"] == 0
