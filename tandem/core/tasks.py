"""Periodic work of the core: removing background jobs whose files have expired."""

from __future__ import annotations

from datetime import datetime

from tandem.core import jobs
from tandem.core.clock import periodic


@periodic("core.delete_expired_jobs")
def delete_expired_jobs(now: datetime) -> int:
    """Remove the jobs (and their files) kept past ``JOBS_KEEP_HOURS``."""
    return jobs.delete_expired(now)
