"""The examples in the engine's docstrings run as doctests, so the documentation cannot drift."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import tandem_engine

#: Every module of the engine (its tests excepted), by dotted name.
MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(tandem_engine.__path__, "tandem_engine.")
    if info.name != "tandem_engine.tests"
)

#: The modules whose public functions show a worked example; each must keep at least one.
WITH_EXAMPLES = {"calendar", "china", "cpm", "evm", "model", "mspdi", "resources"}


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_in_the_docstrings_hold(name: str) -> None:
    """Run the module's docstring examples; every one must print what it shows."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
    if name.rsplit(".", 1)[1] in WITH_EXAMPLES:
        assert result.attempted > 0, f"{name} lost its examples"
