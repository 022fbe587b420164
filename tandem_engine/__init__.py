"""Tandem's scheduling engine: calendars, networks and the critical path method, free of any framework."""

from __future__ import annotations

__all__: list[str] = []
