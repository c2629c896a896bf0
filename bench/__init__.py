"""Benchmarks run by hand (never timed unit tests); see bench/README.md."""
