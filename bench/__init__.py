"""Benchmarks (not tests): see plan_benchmark.py."""
