"""Tandem's URL map: the web UI, the API under /api/v1, and the operators' admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from tandem.api.api import api
from tandem.api.errors import unknown_endpoint

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", unknown_endpoint),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tandem.web.urls")),
]
