"""Real processes in tests: the process tree read from /proc, and waiting for a condition by polling."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
PROC = Path("/proc")


def _parent_of(pid: int) -> int | None:
    """The parent pid from /proc/<pid>/stat (None when the process is gone or a zombie)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # "pid (command name, may hold spaces and parentheses) state ppid …"
    state, ppid = stat.rsplit(")", 1)[1].split()[:2]
    return None if state == "Z" else int(ppid)


def arguments(pid: int) -> list[str]:
    """The process's command line, argument by argument (empty when it is gone or a zombie)."""
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")[:-1]


def command_line(pid: int) -> str:
    """The process's command line, arguments joined by spaces ("" when it is gone or a zombie)."""
    return " ".join(arguments(pid))


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` in the process tree (children, their children, …)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir(PROC):
        if entry.isdigit():
            parent = _parent_of(int(entry))
            if parent is not None:
                parents.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def descendants_running(pid: int, argument: str) -> list[int]:
    """The processes below ``pid`` that have ``argument`` among their command-line arguments."""
    return [child for child in descendants(pid) if argument in arguments(child)]


def wait_until(condition: Callable[[], T], *, timeout: float = 60.0, what: str = "the condition") -> T:
    """Poll ``condition`` until it returns something truthy, and return that; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
