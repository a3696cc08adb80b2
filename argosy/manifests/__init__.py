"""Pure builders of manifests and documents (no Pulumi imports)."""
