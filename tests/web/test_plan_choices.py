"""The plan's choices are defined once: the terminal's flags and the web's fields agree with the
plan's table (names, allowed values, defaults, help), so neither can drift from the other."""

from __future__ import annotations

import typing

import pytest

from solemate.cli.plan_flags import PLAN_FLAGS
from solemate.plan import ABOUT, CHOICES, FLAG_HELP
from solemate.web.models import PlanQuery, PrintQuery, SessionIn

#: The terminal's name for each choice the web calls by its PlanOptions field.
FLAG_OF = {"first_foot": "first_foot", "feet": "foot", "wording": "wording", "counts": "counts"}


@pytest.mark.parametrize("field", sorted(CHOICES))
def test_each_choice_is_the_same_in_both_shells(field: str) -> None:
    choice = CHOICES[field]
    enum, option = PLAN_FLAGS[FLAG_OF[field]]
    assert tuple(enum) == choice.values
    assert option.default == choice.default
    assert option.help == choice.help
    for model in (PlanQuery, PrintQuery, SessionIn):
        info = model.model_fields[field]
        allowed = typing.get_args(info.annotation)
        allowed = tuple(a for arg in allowed for a in (typing.get_args(arg) or (arg,)))
        assert set(allowed) - {type(None)} == set(choice.values), (model, field)
        if model is not SessionIn or field != "wording":  # the session's unset wording is chosen
            assert info.default == choice.default, (model, field)


def test_flag_help_and_api_descriptions_come_from_the_table() -> None:
    for name, text in FLAG_HELP.items():
        assert PLAN_FLAGS[name][1].help == text
    for name, text in ABOUT.items():
        assert PlanQuery.model_fields[name].description == text
    assert PlanQuery.model_fields["counts"].description == CHOICES["counts"].about


def test_a_choice_outside_the_table_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="feet"):
        PlanQuery.model_validate({"feet": "middle"})
