"""A writer to be killed while it keeps derived state: commits change sets that assert and
retract in a loop ("ack N" after each durable batch), and after each brings the history index
level (``index``) or opens the archive as a read-only command does, which makes or advances the
on-disk replica (``replica``).

Usage: python -m tests.helpers.index_writer DATA_DIR START [index|replica]
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
    keep = sys.argv[3] if len(sys.argv) > 3 else "index"
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
        sys.stdout.write(f"ack {round_no}\n")
        sys.stdout.flush()
        if keep == "index":
            index_for(archive)
        else:
            Archive.open_current(settings).close()
        round_no += 1


if __name__ == "__main__":
    main()
