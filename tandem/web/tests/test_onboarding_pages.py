"""Onboarding pages: the role guide and its first-visit prompt, the glossary and its term links, the
handbook (page and PDF, built from the setup as it stands, shared records only for the client), the
training material with its completion, and the client PM readiness checklist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tandem.core.choices import Visibility
from tandem.onboarding import glossary
from tandem.onboarding.models import GuideVisit, TrainingCompletion, TrainingItem, TrainingKind
from tandem.onboarding import services as onboarding
from tandem.projects import services
from tandem.projects.choices import DecisionKind, DecisionPreset, Role
from tandem.projects.models import Membership
from tandem.testing.personas import PASSWORD, VIEWERS, World, build_world

pytestmark = pytest.mark.django_db


def client_for(world: World, persona: str | None, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if persona is not None:
        client.force_login(world.people[persona])
    return client


def test_smoke(world: World) -> None:
    onboarding.do_add_training_item(
        world.project, actor=world.pm, data={"kind": "guide", "title": "How to approve", "body": "Read this"}
    )
    for persona in ("pm", "sponsor", "client_pm", "client_viewer", "member"):
        c = client_for(world, persona)
        for name in ("project_home", "guide", "handbook", "training"):
            r = c.get(reverse(f"web:{name}", args=["ERP"]))
            assert r.status_code == 200, (persona, name, r.content[:3000])
        assert c.get(reverse("web:glossary")).status_code == 200
