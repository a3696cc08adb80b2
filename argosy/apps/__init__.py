"""The app catalog: what a team writes about its app, and pure builders of what each stage runs.

A team describes an app once; the platform turns that into an Argo CD Application per stage and
the workloads rendered into the GitOps tree. The builders import no Pulumi and return plain,
schema-checked manifests:

- :mod:`argosy.apps.strategy`: the Argo Rollouts delivery strategy (canary steps as a team
  writes them, blue-green) and the Rollout around a pod template;
- :mod:`argosy.apps.workload`: an app's objects on one stage (pod template, Services, Ingress,
  PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy, namespace);
- :mod:`argosy.apps.analysis`: the AnalysisTemplates that gate a rollout (Prometheus through
  Amazon Managed Service for Prometheus, or the ALB's CloudWatch metrics).
"""
