"""Pulumi components: thin wrappers that register what the builders describe."""
