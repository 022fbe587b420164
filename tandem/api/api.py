"""The NinjaAPI instance (routers are added per domain)."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Tandem API", version="1", urls_namespace="api")
