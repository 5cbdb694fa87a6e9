"""A writer to be killed while it advances the on-disk replica: commits a change set that asserts
and retracts, then opens the archive as a read-only command does (which makes or advances the
replica), in a loop ("ack N" after each durable change set).

Usage: python -m tests.helpers.replica_writer DATA_DIR START
"""

from __future__ import annotations

import sys

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet

from .crash_writer import SOURCE, statements


def main() -> None:
    data_dir, start = sys.argv[1], int(sys.argv[2])
    settings = Settings.from_env({}, data_dir=data_dir, graph_data_dir=f"{data_dir}-no-graph-data")
    archive = Archive.open(settings, initialise=False)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    round_no = start
    while True:
        before = statements(round_no - 1, 0)[::2] if round_no > start else []
        archive.commit(
            [ChangeSet(added=statements(round_no, 0), removed=before, sources=[SOURCE])],
            agent="replica-writer",
            validate=False,
        )
        sys.stdout.write(f"ack {round_no}\n")
        sys.stdout.flush()
        Archive.open_current(settings).close()
        round_no += 1


if __name__ == "__main__":
    main()
