"""Benchmarks: `python bench/run.py` (`make bench`)."""
