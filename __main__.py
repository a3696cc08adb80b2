"""Pulumi entry point: ``pulumi up --stack <stage>`` runs this file."""

from argosy.program import main

main()
