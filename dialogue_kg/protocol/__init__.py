"""SPARQL without HTTP: the query guard, result formats, the query workers and the saved queries."""
