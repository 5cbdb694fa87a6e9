"""``dialogue-kg serve``: the archive over HTTP."""

from __future__ import annotations

from pathlib import Path

import click

from dialogue_kg import __version__
from dialogue_kg.cli.common import data_dir_option, progress_bar, settings_for, user_errors
from dialogue_kg.core.archive import Archive


@click.command()
@data_dir_option
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 5000).")
@user_errors
def serve(data_dir: Path | None, host: str | None, port: int | None) -> None:
    """Serve the archive over HTTP (production WSGI server)."""
    from webapp import create_app
    from webapp.server import make_server

    settings = settings_for(data_dir, host=host, port=port)
    with progress_bar("opening archive") as update:
        archive = Archive.open(settings, progress=update)
    app = create_app(archive=archive)
    click.echo(
        f"dialogue-kg {__version__}: revision {archive.revision}, serving on "
        f"http://{settings.host}:{settings.port}/",
        err=True,
    )
    make_server(app, settings).run()
