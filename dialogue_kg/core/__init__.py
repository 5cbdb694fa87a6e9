"""The record: the journal, change sets, the archive (the one write door), its store, validation,
provenance and the history index.
"""
