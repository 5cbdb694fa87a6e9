"""``python -m dialogue_kg``: the same command line as ``dialogue-kg``."""

from dialogue_kg.cli import main

main(prog_name="dialogue-kg")
