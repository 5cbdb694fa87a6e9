"""A writer to be killed: commits change sets in a loop, printing "ack N" after each durable one.

Usage: python -m tests.helpers.crash_writer DATA_DIR STORE START
Each round writes a batch of three change sets of ten statements each, so that a kill can land
inside a record, between the records of a batch, or between fsync and the acknowledgement.
"""

from __future__ import annotations

import sys

import pyoxigraph as ox

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet

SOURCE = "https://w3id.org/dialogue-kg/id/source/test-doc"
PER_SET = 10


def statements(round_no: int, part: int) -> list[ox.Triple]:
    """Ten statements that identify their round and part."""
    s = ox.NamedNode(f"urn:crash:{round_no}:{part}")
    return [
        ox.Triple(s, ox.NamedNode(f"urn:crash:p{k}"), ox.Literal(f"r{round_no} p{part} k{k}"))
        for k in range(PER_SET)
    ]


def main() -> None:
    data_dir, store, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
    empty = f"{data_dir}-no-graph-data"
    settings = Settings.from_env({}, data_dir=data_dir, store=store, graph_data_dir=empty)
    archive = Archive.open(settings, initialise=False)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    round_no = start
    while True:
        archive.commit(
            [ChangeSet(added=statements(round_no, part), sources=[SOURCE]) for part in range(3)],
            agent="crash-writer",
            validate=False,
        )
        sys.stdout.write(f"ack {round_no}\n")
        sys.stdout.flush()
        round_no += 1


if __name__ == "__main__":
    main()
