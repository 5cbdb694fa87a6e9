"""Query stores: indexes derived from the journal, behind one contract (:class:`QuadStore`)."""

from __future__ import annotations

from dialogue_kg.config import Settings
from dialogue_kg.core.store.base import ApplyStats, QuadStore, QueryTimeout, StoreError
from dialogue_kg.namespaces import Minter

__all__ = ["ApplyStats", "QuadStore", "QueryTimeout", "StoreError", "make_store"]


def make_store(settings: Settings, minter: Minter) -> QuadStore:
    """The store chosen by ``settings.store``: 'memory', 'disk' or 'remote'."""
    if settings.store in {"memory", "disk"}:
        from dialogue_kg.core.store.oxigraph import OxigraphStore

        path = settings.data_path / "store" if settings.store == "disk" else None
        return OxigraphStore(minter, path=path)
    if settings.store == "remote":
        from dialogue_kg.core.store.remote import RemoteStore

        if not settings.remote_query_url or not settings.remote_update_url:
            raise StoreError(
                "the remote store needs DKG_REMOTE_QUERY_URL and DKG_REMOTE_UPDATE_URL"
            )
        return RemoteStore(
            minter,
            settings.remote_query_url,
            settings.remote_update_url,
            user=settings.remote_user or None,
            password=settings.remote_password or None,
        )
    raise StoreError(f"unknown store {settings.store!r}: use memory, disk or remote")
