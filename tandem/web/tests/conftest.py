"""Fixtures of the web tests: the browser tests' Chromium and the pages photographed when one fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tandem.testing.browser import browser, pages

__all__ = ["browser", "pages"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keeps each phase's report on the test item (``rep_call``), so ``pages`` knows a test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)
