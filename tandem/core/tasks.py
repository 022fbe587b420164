"""Periodic work of the core: failing background jobs a dead worker left, removing expired ones."""

from __future__ import annotations

from datetime import datetime

from tandem.core import jobs
from tandem.core.clock import periodic


@periodic("core.tidy_jobs")
def tidy_jobs(now: datetime) -> int:
    """Fail the jobs left unfinished, and remove the jobs (and files) kept past ``JOBS_KEEP_HOURS``."""
    jobs.fail_stalled(now)
    return jobs.delete_expired(now)
