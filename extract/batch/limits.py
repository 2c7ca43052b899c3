"""Per-document limits and the worker count of a batch run (no process machinery imported here)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_TIME_LIMIT = 300.0  # seconds per document
DEFAULT_MEMORY_LIMIT = 2048  # MB of resident memory per worker
MAX_JOBS = 32  # a sane ceiling whatever the machine says


@dataclass(frozen=True)
class Limits:
    """Per-document limits; 0 switches one off."""

    time_s: float = DEFAULT_TIME_LIMIT
    memory_mb: int = DEFAULT_MEMORY_LIMIT


def cap_jobs(jobs: int) -> int:
    """Worker count: at least 1, at most the usable cores (and :data:`MAX_JOBS`).

    >>> cap_jobs(0)
    1
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(jobs, cores, MAX_JOBS))
