"""Every subcommand's --help: a description, its subject in Chinese and an example."""

from __future__ import annotations

import argparse

import pytest

from geo.cli import build_parser, main
from geo.project import Project


def _subcommands() -> list[tuple[str, argparse.ArgumentParser]]:
    found = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found.append((" ".join([*prefix, name]), child))
                    walk(child, [*prefix, name])

    walk(build_parser(), [])
    return found


COMMANDS = [name for name, _ in _subcommands()]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_a_description_and_an_example(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command.split(), "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    _usage, _, rest = text.partition("\n\n")
    description = rest.split("\n\n")[0]
    assert not description.startswith(("positional arguments", "options")), text
    assert any("\u4e00" <= c <= "\u9fff" for c in description), description  # its subject
    assert "example:\n  geo " + command.split()[0] in text


def test_area_help_names_its_subject():
    assert len(COMMANDS) >= 19  # 15 commands and the 4 gazetteer actions are all checked
    parser = dict(_subcommands())["area"]
    assert parser.description.startswith("面积: ")
    assert parser.epilog.startswith("example:\n  geo area ")


def test_an_unknown_layer_id_gets_the_closest_ids(capsys):
    assert main(["area", "citys"]) == 2
    err = capsys.readouterr().err
    assert "unknown layer 'citys' (did you mean 'cities'?)" in err
    with pytest.raises(KeyError, match=r"did you mean 'rings'"):
        Project().layers(["rngs"])
    with pytest.raises(KeyError) as far:
        Project().layer("zzzzzz")
    assert "did you mean" not in str(far.value)
