"""Every worked example in the insights' docstrings runs as a test, so none can go stale."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import solemate.insights

MODULES = sorted(
    f"solemate.insights.{m.name}" for m in pkgutil.iter_modules(solemate.insights.__path__)
)


def test_every_statistic_module_is_covered() -> None:
    assert {
        "solemate.insights.ar1",
        "solemate.insights.distributions",
        "solemate.insights.experiment",
        "solemate.insights.habit",
        "solemate.insights.randomization",
        "solemate.insights.stress",
        "solemate.insights.timing",
        "solemate.insights.weekly",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_worked_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(module, name)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} worked examples failed in {name}"
    if name != "solemate.insights":
        assert result.attempted > 0, f"{name} has no worked example"


def test_the_package_exports_what_it_lists() -> None:
    for name in solemate.insights.__all__:
        assert hasattr(solemate.insights, name), name
