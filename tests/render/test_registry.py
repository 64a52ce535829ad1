"""Rendering one built-in renderer imports only the module that registers it."""

from __future__ import annotations

import subprocess
import sys

from solemate import render


def test_each_built_in_name_is_registered_by_its_module() -> None:
    registered = render.renderers()
    for name, module in render._BUILT_IN.items():
        assert registered[name].render.__module__ == f"solemate.render.{module}"
    assert set(render._BUILT_IN) <= set(registered)


def test_a_text_plan_does_not_import_the_printable_sheet() -> None:
    code = (
        "import sys\n"
        "from solemate.plan import PlanOptions, plan\n"
        "from solemate.render import render\n"
        "from solemate.routine import builtin_routine\n"
        "render('text', plan(builtin_routine('evening'), PlanOptions(preset='nightly')))\n"
        "print('solemate.render.printable' in sys.modules, 'html' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
