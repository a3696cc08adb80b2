"""Edits to stack files that keep their comments, order and quoting (ruamel.yaml round trip)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def record_bootstrap(path: Path, *, secrets_provider: str, backend: str) -> bool:
    """Set the stack file's ``secretsprovider`` and ``argosy:backend``; True if it changed.

    ``secretsprovider`` goes first in the file (where ``pulumi stack init`` puts it);
    ``argosy:backend`` goes after the other ``argosy:`` scalars. Nothing else is touched.
    """
    yaml = _yaml()
    document: Any = yaml.load(path.read_text(encoding="utf-8"))
    if document is None:
        document = CommentedMap()
    changed = False
    if document.get("secretsprovider") != secrets_provider:
        if "secretsprovider" in document:
            document["secretsprovider"] = secrets_provider
        else:
            document.insert(0, "secretsprovider", secrets_provider)
        changed = True
    config = document.get("config")
    if config is None:
        config = CommentedMap()
        document["config"] = config
    if config.get("argosy:backend") != backend:
        if "argosy:backend" in config:
            config["argosy:backend"] = backend
        else:
            keys = list(config)
            after = max(
                (i for i, k in enumerate(keys) if k in ("argosy:role", "argosy:production")),
                default=len(keys) - 1,
            )
            config.insert(after + 1, "argosy:backend", backend)
        changed = True
    if changed:
        buffer = io.StringIO()
        yaml.dump(document, buffer)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return changed
