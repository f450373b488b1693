"""Collects Compute SSL certificates, managed and self-managed (global, or of one region)."""

from __future__ import annotations

from typing import Any

from drift.collectors import compute_lists
from drift.collectors.context import ScanContext


def list_raw(ctx: ScanContext, project: str, region: str | None) -> list[dict[str, Any]]:
    return compute_lists.list_raw(ctx, "ssl_certificates", project, region)
