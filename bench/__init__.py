"""Benchmarks: each prints its time and a ratio against a baseline measured in the same run."""
