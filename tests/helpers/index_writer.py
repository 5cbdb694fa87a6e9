"""A writer to be killed while it keeps the history index: commits change sets that assert and
retract, bringing the index level after each, in a loop ("ack N" after each durable batch).

Usage: python -m tests.helpers.index_writer DATA_DIR START
"""

from __future__ import annotations

import sys

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.versions import index_for

from .crash_writer import SOURCE, statements


def main() -> None:
    data_dir, start = sys.argv[1], int(sys.argv[2])
    settings = Settings.from_env({}, data_dir=data_dir, graph_data_dir=f"{data_dir}-no-graph-data")
    archive = Archive.open(settings, initialise=False)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    round_no = start
    while True:
        # Each batch asserts a round's statements and retracts half of the round before it.
        before = statements(round_no - 1, 0)[::2] if round_no > start else []
        archive.commit(
            [
                ChangeSet(added=statements(round_no, 0), sources=[SOURCE]),
                ChangeSet(added=statements(round_no, 1), removed=before, sources=[SOURCE]),
            ],
            agent="index-writer",
            validate=False,
        )
        index_for(archive)
        sys.stdout.write(f"ack {round_no}\n")
        sys.stdout.flush()
        round_no += 1


if __name__ == "__main__":
    main()
