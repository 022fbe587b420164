from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

app_name = "web"
urlpatterns = [
    path("", TemplateView.as_view(template_name="web/base.html"), name="project_list"),
    path("login/", TemplateView.as_view(template_name="web/base.html"), name="login"),
]
