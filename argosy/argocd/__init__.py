"""What Argo CD reads, as pure builders: cluster registrations and AppProjects.

The stack that hosts Argo CD (the hub in ``hub-spoke``) declares these objects in its own
cluster; Argo CD then delivers everything inside every cluster it manages. The builders here
import no Pulumi: they take typed facts (:class:`~argosy.argocd.metadata.ClusterMetadata`,
repositories, destinations) and return plain manifests, deterministic, each checked against
its schema (core kinds against the Kubernetes schemas, Argo kinds against the upstream CRD
schema in strict mode) before it is returned. A component registers the result.

- :mod:`argosy.argocd.metadata`: a managed cluster's facts, as the labels ApplicationSets
  select by and the annotations they template from (the GitOps Bridge convention).
- :mod:`argosy.argocd.registration`: the Secret registering a cluster, for the EKS Argo CD
  capability (by cluster ARN) or a self-hosted Argo CD (``awsAuthConfig``); neither holds a
  long-lived credential.
- :mod:`argosy.argocd.projects`: the platform's AppProject, bounded as SECURITY.md A4 asks.
"""
