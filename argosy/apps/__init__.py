"""The app catalog: what a team writes about its app, and pure builders of what each stage runs.

A team describes an app once; the platform turns that into an Argo CD Application per stage and
the workloads rendered into the GitOps tree. The builders import no Pulumi and return plain,
schema-checked manifests. :mod:`argosy.apps.strategy` builds the Argo Rollouts delivery
strategy (canary steps as a team writes them, blue-green) and the Rollout around a pod template.
"""
