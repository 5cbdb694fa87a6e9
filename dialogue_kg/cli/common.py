"""What every command shares: the data-directory and engine options, opening the archive, reading a
query, and turning a user's mistake into one line.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.validation import ENGINES
from dialogue_kg.errors import DialogueKGError

# What a user can cause: the archive's error family and the expected conditions of a path the
# user named. Anything else is a bug and keeps its traceback.
USER_ERRORS = (
    DialogueKGError,
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)


def shacl_engine_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--shacl-engine`` (default: $DKG_SHACL_ENGINE, then rudof)."""
    return click.option(
        "--shacl-engine",
        type=click.Choice(ENGINES),
        default=None,
        help="SHACL engine: rudof (SHACL in Rust, faster) or pyshacl (the reference). "
        "Default: $DKG_SHACL_ENGINE, else rudof.",
    )(func)


def data_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--data-dir`` (default: $DKG_DATA_DIR, then a per-user data directory)."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Archive data directory (default: $DKG_DATA_DIR or a per-user directory).",
    )(func)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a user's mistake into one clear line on stderr and exit status 1, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def settings_for(data_dir: Path | None, **overrides: Any) -> Settings:
    """Settings from the environment, with command-line overrides."""
    return Settings.from_env(data_dir=str(data_dir) if data_dir else None, **overrides)


@contextmanager
def progress_bar(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, fed with the revision reached so far."""
    bar = tqdm(
        total=total,
        desc=label,
        unit=" change sets",
        file=sys.stderr,
        leave=False,
        disable=not sys.stderr.isatty(),
    )
    done = {"n": 0}

    def update(n: int) -> None:
        bar.update(max(0, n - done["n"]))
        done["n"] = max(done["n"], n)

    try:
        yield update
    finally:
        bar.close()


def open_current(data_dir: Path | None) -> Archive:
    """Open the archive for a command that only reads its current state: from the on-disk
    replica (no journal replay, no store load; docs/proportion.md), falling back to
    :func:`open_archive` the first time, which makes the replica for the next call."""
    settings = settings_for(data_dir)
    with progress_bar("opening archive") as update:
        return Archive.open_current(settings, progress=update)


def open_archive(data_dir: Path | None, **overrides: Any) -> Archive:
    """Open the archive, with a progress bar while the store catches up with the journal (an
    in-memory store starts from its snapshot: on an unchanged directory, a load and no replay;
    4.5 s at 1M quads here, against 8 s to materialise the head from the history index)."""
    settings = settings_for(data_dir, **overrides)
    with progress_bar("opening archive") as update:
        return Archive.open(settings, progress=update)


def _query_text(file: Path | None, expression: str | None, params: tuple[str, ...] = ()) -> str:
    """The query of FILE or -e, with a saved query's parameters bound."""
    from dialogue_kg.protocol import queries

    if (file is None) == (expression is None):
        raise click.UsageError("give a query file or -e QUERY (one of them)")
    text = expression if expression is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    if params:
        name = file.stem if file is not None else "query"
        text = queries.bind(queries.parse(name, text), queries.parse_assignments(params))
    return text


def _row_text(row: object) -> str:
    """One row of an answer (a tuple of terms) or one statement, as a line."""
    return "\t".join(row) if isinstance(row, tuple) else str(row)
