"""Shared pytest fixtures: the personas' world, on whichever database the settings name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from tandem.testing.browser import use_a_database_file_for_live_servers
from tandem.testing.personas import World, build_world
from tandem.testing.smtp import SMTPServer, running_smtp_server


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogues once, so every test reads the current .po files.

    Under xdist only the controller compiles (before it starts the workers), so workers never race.
    """
    if hasattr(session.config, "workerinput"):
        return
    call_command("compile_translations", verbosity=0)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Browser tests on SQLite get a test database file (see tandem.testing.browser)."""
    use_a_database_file_for_live_servers(request.session, tmp_path_factory)


@pytest.fixture
def world(db: None) -> World:
    """Organizations, a member of every role, two projects and shared/internal records."""
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Tests create many accounts; a fast hasher keeps the suite quick (production keeps PBKDF2/Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: pytest.FixtureRequest) -> None:
    """Background tasks run in the test's own thread (the worker itself is tested on its own)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]


@pytest.fixture(scope="session", autouse=True)
def _webhooks_reach_local_receivers() -> Iterator[None]:
    """Tests receive webhooks on 127.0.0.1; the refusal of private addresses is tested on its own.

    Session-wide, so that module-scoped worlds that add webhooks see it too.
    """
    with override_settings(WEBHOOKS_ALLOW_PRIVATE=True):
        yield


@pytest.fixture
def smtp_server(settings: pytest.FixtureRequest) -> Iterator[SMTPServer]:
    """A real SMTP server (aiosmtpd) that Django's SMTP backend sends to for the test's duration."""
    with running_smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
        settings.EMAIL_HOST = server.host  # type: ignore[attr-defined]
        settings.EMAIL_PORT = server.port  # type: ignore[attr-defined]
        settings.EMAIL_USE_TLS = False  # type: ignore[attr-defined]
        settings.EMAIL_HOST_USER = ""  # type: ignore[attr-defined]
        settings.EMAIL_HOST_PASSWORD = ""  # type: ignore[attr-defined]
        yield server


@pytest.fixture(autouse=True)
def _warm_content_types(request: pytest.FixtureRequest) -> None:
    """Fill Django's content-type cache before a database test, as any running server has it.

    The cache is per process and emptied when a transactional test flushes the database, so without
    this a query-count test would count one extra query or not depending on which test ran before it.
    """
    names = request.fixturenames
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models())


@pytest.fixture(autouse=True)
def _nothing_derived_from_earlier_plans() -> None:
    """Start each test without the values kept per plan revision (``derived_from_plan``) by tests
    before it, as a freshly started process: a query count then does not depend on which test ran
    before it in the same worker."""
    from tandem.planning import scheduling

    scheduling.forget_derived_from_plan()
