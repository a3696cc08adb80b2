"""``python -m argosy``: the command line."""

from argosy.cli import main

main()
