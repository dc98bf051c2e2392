"""Benchmarks and synthetic data: ``python -m bench.generate`` writes files in the real source formats."""
