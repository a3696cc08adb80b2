"""Tooling that calls AWS directly: account bootstrapping and preflight checks."""
