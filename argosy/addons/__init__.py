"""The controllers Argo CD delivers to every stage: one typed spec per add-on.

- :mod:`argosy.addons.spec`: what an add-on is (:class:`~argosy.addons.spec.Addon`), the
  stage context its builders read, its AWS identities and its objects in the GitOps tree;
- one module per add-on (``argo_rollouts``, ``argo_workflows``, ``argo_events``,
  ``load_balancer_controller``, ``external_dns``, ``external_secrets``, ``karpenter``,
  ``crossplane``, ``istio``): its values builder, least-privilege policies and objects;
- :mod:`argosy.addons.common`: what those modules share (zone and hostname label keys,
  resources, replicas, zone spread, IAM ``Allow`` statements);
- :mod:`argosy.addons.catalog`: the list, in delivery order, and what a stage gets.
"""
