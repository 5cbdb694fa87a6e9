"""The ``dialogue-kg`` command line: one entry point for archivists, scholars and operators.

Each command lives in the module of its kind (records, query, history, report, users, imports,
analyse, serve); this module makes the group and registers them.
"""

from __future__ import annotations

import click

from dialogue_kg import __version__
from dialogue_kg.cli import analyse as _analyse
from dialogue_kg.cli import history as _history
from dialogue_kg.cli import imports as _imports
from dialogue_kg.cli import query as _query
from dialogue_kg.cli import records as _records
from dialogue_kg.cli import report as _report
from dialogue_kg.cli import serve as _serve
from dialogue_kg.cli import users as _users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dialogue-kg")
def main() -> None:
    """dialogue-kg: the knowledge graph and archive of the Kosovo–Serbia dialogue."""


main.add_command(_serve.serve)
main.add_command(_records.load)
main.add_command(_records.validate)
main.add_command(_records.export)
main.add_command(_records.verify)
main.add_command(_records.repair)
main.add_command(_records.rebuild)
main.add_command(_query.query)
main.add_command(_history.history)
main.add_command(_history.diff)
main.add_command(_history.versions)
main.add_command(_history.blame)
main.add_command(_history.history_index)
main.add_command(_history.audit)
main.add_command(_report.report)
main.add_command(_users.users)
main.add_command(_imports.import_)
main.add_command(_analyse.analyse)
