"""Benchmarks of dialogue-kg: synthetic dialogue-shaped archives and a three-system comparison."""
