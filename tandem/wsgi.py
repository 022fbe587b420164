"""WSGI entry point for Tandem's app servers.

The URL configuration (and so every view module) is imported here, when a worker starts, rather
than in its first request; then everything loaded so far is moved out of the garbage collector's
reach (``gc.freeze``). Django, its apps and their modules are a few hundred thousand objects that
live as long as the process: without the freeze every full collection walks all of them again,
30–160 ms inside whichever request happens to trigger it (on a plan of 5,000 tasks, a few edits in
ten). Objects made later (requests, the plans' memos) are collected as usual.

A request allocates tens of thousands of container objects (querysets, model instances, template
nodes), nearly all freed by reference counting when it ends. With CPython's default threshold (a
young collection every 700 net allocations) the home, the task list and the API's task list spent
7.4 % of their CPU collecting (``benchmarks/request_cpu.py``, 0.90 s of 12.1 s); with a young
collection every 7,000 (and an older one every 20 of those), 3.0 % (0.35 s of 11.7 s). Cycles are
still collected within a request or two.
"""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views it names
gc.collect()
gc.freeze()
gc.set_threshold(7_000, 20, 20)
