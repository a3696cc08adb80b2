"""The GitOps tree as files: repository path to bytes; written, or compared with a checkout.

A :class:`Tree` holds every file ``argosy render`` writes and the directories it owns
entirely. Owning a directory means a file there that the tree does not hold is *extra*:
``render`` removes it and ``render --check`` reports it, so a file left behind by an object
that no longer exists never lingers for Argo CD to keep syncing.

Files are deterministic: YAML with sorted keys, UTF-8, LF line endings, a header comment
first. Two renders of the same config are byte-identical.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

#: The first line of every rendered file.
HEADER = "# Rendered by `python -m argosy render`; do not edit."

_COMMENT_WIDTH = 98


class TreeInputError(Exception):
    """A file the render reads from the checkout (a kustomization's ``images``) is unusable."""


# libyaml's emitter and parser where PyYAML was built with it (its wheels are): the same bytes,
# several times faster than the pure-Python ones on a large tree.
try:
    from yaml import CBaseLoader as _BaseLoader
    from yaml import CSafeDumper as _SafeDumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import BaseLoader as _BaseLoader  # type: ignore[assignment]
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]


class _Dumper(_SafeDumper):
    """PyYAML's safe dumper, without anchors: an object used twice is written twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def to_yaml(document: Mapping[str, Any], comment: str = "") -> bytes:
    """``document`` as the bytes of a rendered file.

    The header, ``comment`` wrapped as ``#`` lines, then the YAML (sorted keys, block style),
    UTF-8 with LF line endings.
    """
    lines = [HEADER]
    if comment:
        lines.extend(f"# {line}" for line in textwrap.wrap(comment, _COMMENT_WIDTH - 2))
    body = yaml.dump(
        dict(document),
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
    )
    return ("\n".join(lines) + "\n" + body).encode("utf-8")


@dataclass(frozen=True, kw_only=True)
class Tree:
    """Rendered files by path in the repository, and the directories the render owns.

    Attributes:
        files: Repository-relative POSIX path to the file's bytes.
        owned: Repository-relative directories whose every file is the render's: each file of
            ``files`` is in one of them, and anything else found there is extra.
    """

    files: Mapping[PurePosixPath, bytes]
    owned: tuple[PurePosixPath, ...]

    def __post_init__(self) -> None:
        for path in self.files:
            if path.is_absolute() or ".." in path.parts:
                raise ValueError(f"{path} is not a path inside the repository")
            if not any(path.is_relative_to(d) for d in self.owned):
                raise ValueError(f"{path} is outside the directories the render owns")


@dataclass(frozen=True, kw_only=True)
class Difference:
    """How a checkout differs from a tree: each list repository-relative and sorted.

    Attributes:
        missing: Files the tree has and the checkout lacks.
        stale: Files whose bytes differ from the tree's.
        extra: Files in an owned directory that the tree does not have.
    """

    missing: tuple[PurePosixPath, ...] = ()
    stale: tuple[PurePosixPath, ...] = ()
    extra: tuple[PurePosixPath, ...] = ()

    @property
    def clean(self) -> bool:
        """Whether the checkout holds exactly the tree."""
        return not (self.missing or self.stale or self.extra)

    def lines(self) -> list[str]:
        """One line per differing file: ``missing PATH``, ``stale   PATH``, ``extra   PATH``."""
        return [
            f"{status:<7} {path}"
            for status, paths in (
                ("missing", self.missing),
                ("stale", self.stale),
                ("extra", self.extra),
            )
            for path in paths
        ]


def _files_under(root: Path, directory: PurePosixPath) -> list[PurePosixPath]:
    base = root / directory
    if not base.is_dir():
        return []
    return [
        PurePosixPath(p.relative_to(root).as_posix())
        for p in base.rglob("*")
        if p.is_file() or p.is_symlink()
    ]


def compare(tree: Tree, root: Path) -> Difference:
    """How the checkout at ``root`` differs from ``tree``; reads, never writes."""
    missing, stale = [], []
    for path, content in tree.files.items():
        on_disk = root / path
        if not on_disk.is_file():
            missing.append(path)
        elif on_disk.read_bytes() != content:
            stale.append(path)
    found = {p for d in tree.owned for p in _files_under(root, d)}
    extra = found - set(tree.files)
    return Difference(
        missing=tuple(sorted(missing)),
        stale=tuple(sorted(stale)),
        extra=tuple(sorted(extra)),
    )


def write(tree: Tree, root: Path) -> Difference:
    """Make the checkout at ``root`` hold exactly ``tree``; return what it had to change.

    Writes missing and stale files (only those: an unchanged file is not touched), removes
    extra ones, then removes the owned directories that are left empty.
    """
    difference = compare(tree, root)
    for path in (*difference.missing, *difference.stale):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(tree.files[path])
    for path in difference.extra:
        (root / path).unlink()
    for directory in tree.owned:
        _remove_empty(root / directory)
    return difference


def _remove_empty(directory: Path) -> None:
    """Remove the empty subdirectories of ``directory``, deepest first, then itself if empty.

    Its parent goes too when that is left empty: a cluster's directory once its baseline is
    gone.
    """
    if not directory.is_dir():
        return
    for sub in sorted((p for p in directory.rglob("*") if p.is_dir()), reverse=True):
        if not any(sub.iterdir()):
            sub.rmdir()
    if not any(directory.iterdir()):
        directory.rmdir()
        if not any(directory.parent.iterdir()):
            directory.parent.rmdir()


_NULLS = ("", "~", "null", "Null", "NULL")


def read_images(root: Path, path: PurePosixPath) -> list[dict[str, Any]] | None:
    """The ``images`` list of the kustomization at ``path`` in the checkout, as it is there.

    ``None`` when the file or the list is absent. Scalars stay the strings the file holds
    (``newTag: 1.10`` stays ``"1.10"``, not the number 1.1), so the list is written back as
    promotion wrote it.

    Raises:
        TreeInputError: the file is not YAML, not a mapping, or its ``images`` is not a list
            of mappings; render would otherwise drop what promotion recorded there.
    """
    file = root / path
    if not file.is_file():
        return None
    keep = (
        "render keeps the images promotion records there: fix the file, or delete it to "
        "render it afresh without images"
    )
    try:
        document = yaml.load(file.read_text(encoding="utf-8"), Loader=_BaseLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problem = str(exc).splitlines()[0]
        raise TreeInputError(f"{path} is not valid YAML ({problem}); {keep}") from None
    if document is None:
        return None
    if not isinstance(document, dict):
        raise TreeInputError(f"{path} is not a Kustomization (a YAML mapping); {keep}")
    images = document.get("images")
    if images is None or images in _NULLS:
        return None
    if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
        raise TreeInputError(
            f"{path}: images is not a list of mappings such as "
            f"[{{name: ghcr.io/acme/app, newTag: '1.2.3'}}]; {keep}"
        )
    return images
