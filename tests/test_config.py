"""Settings: declared once, read from the environment, documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue_kg.config import Settings, describe_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_environment_and_overrides() -> None:
    s = Settings.from_env({"DKG_PORT": "8080", "DKG_VALIDATE": "off"}, host="0.0.0.0")
    assert (s.port, s.validate, s.host) == (8080, False, "0.0.0.0")


def test_bad_values_are_named() -> None:
    with pytest.raises(ValueError, match="DKG_PORT='eighty' is not a valid int"):
        Settings.from_env({"DKG_PORT": "eighty"})


def test_readme_documents_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    documented = [tuple(c.strip().strip("`") for c in r.strip("|").split("|")) for r in rows]
    expected = [(env, default, help_) for _, env, default, help_ in describe_settings()]
    assert documented == expected


def test_readme_starts_with_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert [line.split()[0:2] for line in block] == [["make", "run"], ["make", "test"]]
