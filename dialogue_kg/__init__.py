"""dialogue-kg: knowledge graph and institutional-memory archive of the Kosovo–Serbia dialogue."""

__version__ = "0.1.0"
