"""The peer of drift's scan in bench/scale.py: a plain thread pool over the same official clients.

It lists what `drift diff` lists for a baseline written by drift.emulator.generate (Cloud
Run services and VPC Access connectors in each region of project.yaml, every secret, and the
versions of the secrets that are declared or referenced by a service), with the same page
size and the same number of requests in flight, and nothing else: no normalizing, no
comparing, no report. It is what a short script costs for the requests drift needs, so drift
should be at least as fast.

    .venv/bin/python bench/peer_threadpool.py --project bench --expected DIR \
        --endpoint http://127.0.0.1:PORT --concurrency 8

Prints one JSON line of counts; 429 answers are retried with backoff (api_core's Retry),
as a plain script would do.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from google.api_core import exceptions, retry
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import run_v2, secretmanager, vpcaccess_v1

PAGE_SIZE = 500  # what drift asks for (drift/collectors/context.py page_size) ...
SECRETS_PAGE_SIZE = 25_000  # ... but Secret Manager's lists, its documented maximum
# Over REST a 429 arrives as TooManyRequests (ResourceExhausted is its gRPC spelling).
RETRY = retry.Retry(
    predicate=retry.if_exception_type(
        exceptions.TooManyRequests, exceptions.ResourceExhausted, exceptions.ServiceUnavailable
    ),
    initial=1.0,
    maximum=16.0,
    multiplier=2.0,
    timeout=600.0,
)


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _referenced(service: Any) -> set[str]:
    """Secret ids a service names in env vars or volumes (short id or full name)."""
    refs = set()
    for container in service.template.containers:
        for env in container.env:
            ref = env.value_source.secret_key_ref.secret
            if ref:
                refs.add(ref.rsplit("/", 1)[-1])
    for volume in service.template.volumes:
        if volume.secret.secret:
            refs.add(volume.secret.secret.rsplit("/", 1)[-1])
    return refs


def scan(project: str, expected: Path, endpoint: str, concurrency: int) -> dict[str, int]:
    """List everything drift lists for this baseline; return how many of each."""
    folder = expected / project
    regions = _load(folder / "project.yaml").get("regions") or []
    declared = set((_load(folder / "secrets.yaml") or {}).get("secrets") or {})
    options = ClientOptions(api_endpoint=endpoint)
    creds = AnonymousCredentials()
    kw: dict[str, Any] = {"credentials": creds, "transport": "rest", "client_options": options}
    run = run_v2.ServicesClient(**kw)
    sm = secretmanager.SecretManagerServiceClient(**kw)
    vpc = vpcaccess_v1.VpcAccessServiceClient(**kw)

    def services(region: str) -> list[Any]:
        parent = f"projects/{project}/locations/{region}"
        request = {"parent": parent, "page_size": PAGE_SIZE}
        return list(run.list_services(request=request, retry=RETRY))

    def connectors(region: str) -> list[Any]:
        parent = f"projects/{project}/locations/{region}"
        request = {"parent": parent, "page_size": PAGE_SIZE}
        return list(vpc.list_connectors(request=request, retry=RETRY))

    def secrets() -> list[Any]:
        request = {"parent": f"projects/{project}", "page_size": SECRETS_PAGE_SIZE}
        return list(sm.list_secrets(request=request, retry=RETRY))

    def versions(name: str) -> list[Any]:
        request = {"parent": name, "page_size": SECRETS_PAGE_SIZE}
        return list(sm.list_secret_versions(request=request, retry=RETRY))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        svc_jobs = [pool.submit(services, r) for r in regions]
        conn_jobs = [pool.submit(connectors, r) for r in regions]
        secret_job = pool.submit(secrets)
        all_services = [s for job in svc_jobs for s in job.result()]
        all_secrets = secret_job.result()
        wanted = set(declared)
        for service in all_services:
            wanted |= _referenced(service)
        by_id = {s.name.rsplit("/", 1)[-1]: s.name for s in all_secrets}
        version_jobs: list[Future[list[Any]]] = [
            pool.submit(versions, by_id[sid]) for sid in sorted(wanted) if sid in by_id
        ]
        all_versions = [v for job in version_jobs for v in job.result()]
        all_connectors = [c for job in conn_jobs for c in job.result()]
    return {
        "services": len(all_services),
        "secrets": len(all_secrets),
        "connectors": len(all_connectors),
        "version_lists": len(version_jobs),
        "versions": len(all_versions),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the scan and print its counts as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", required=True)
    parser.add_argument("--expected", required=True, type=Path)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    counts = scan(args.project, args.expected, args.endpoint, args.concurrency)
    print(json.dumps(counts, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
