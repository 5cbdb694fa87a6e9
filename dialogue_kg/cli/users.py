"""``dialogue-kg users``: archivists' and editors' accounts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from dialogue_kg.cli.common import data_dir_option, settings_for, user_errors


def _accounts(data_dir: Path | None):  # noqa: ANN202 - dialogue_kg.write.accounts.Accounts
    from dialogue_kg.write.accounts import Accounts

    return Accounts.for_settings(settings_for(data_dir))


@click.group()
def users() -> None:
    """Archivists' and editors' accounts (kept in accounts.sqlite in the data directory)."""


@users.command("add")
@data_dir_option
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["archivist", "editor"]), default="archivist", show_default=True
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@user_errors
def users_add(data_dir: Path | None, username: str, role: str, password_stdin: bool) -> None:
    """Create an account (the password is asked for, never echoed)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _accounts(data_dir).add(username, password, role)
    click.echo(f"added {user.role} {user.username} ({user.agent_iri})")


@users.command("list")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def users_list(data_dir: Path | None, as_json: bool) -> None:
    """List the accounts."""
    found = _accounts(data_dir).list()
    if as_json:
        rows = [
            {"username": u.username, "role": u.role, "disabled": u.disabled, "agent": u.agent_iri}
            for u in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for u in found:
        click.echo(f"{u.username:<24} {u.role:<10} {'disabled' if u.disabled else 'active'}")


@users.command("set-role")
@data_dir_option
@click.argument("username")
@click.argument("role", type=click.Choice(["archivist", "editor"]))
@user_errors
def users_set_role(data_dir: Path | None, username: str, role: str) -> None:
    """Make USERNAME an archivist or an editor."""
    _accounts(data_dir).set_role(username, role)
    click.echo(f"{username} is now {role}")


@users.command("disable")
@data_dir_option
@click.argument("username")
@click.option("--enable", is_flag=True, help="Restore a disabled account instead.")
@user_errors
def users_disable(data_dir: Path | None, username: str, enable: bool) -> None:
    """Stop an account: its logins and API tokens are refused from now on."""
    _accounts(data_dir).disable(username, not enable)
    click.echo(f"{username} {'enabled' if enable else 'disabled'}")


@users.command("token")
@data_dir_option
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@user_errors
def users_token(data_dir: Path | None, username: str, name: str) -> None:
    """Create an API token for USERNAME and print it (once: only its hash is kept)."""
    click.echo(_accounts(data_dir).create_token(username, name))
