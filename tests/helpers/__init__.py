"""Helpers for tests: processes to start and kill."""
