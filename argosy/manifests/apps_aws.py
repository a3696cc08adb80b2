"""What a stage's stack creates in AWS for its apps, as pure builders (no Pulumi, no I/O).

:mod:`components.apps_aws` registers these documents; the tests read them as data. Grouped by
what they serve:

- **DNS and the certificate**: the names an ACM certificate for the stage's app domain covers,
  the one DNS record that validates it (:func:`validation_record`), and the names external-dns
  may change in a zone whose ID is unknown offline (:func:`normalized_record_names`).
- **Prometheus**: the managed scraper's scrape configuration (:func:`scrape_configuration`;
  on an ``API`` cluster AMP creates the scraper's access entry and its access policy itself,
  so no RBAC is declared: AMP user guide, "Using an AWS managed collector"), and the analysis
  role Argo Rollouts assumes to query the workspace (:func:`analysis_trust_policy`,
  :func:`analysis_query_policy`, :func:`assume_analysis_statement`).
- **Databases**: the key policy of an app database's key, the RDS and Aurora settings that
  follow from the stage (:func:`backup_retention_days`, :func:`final_snapshot_identifier`),
  and the connection secret's JSON (:func:`database_secret_json`).
- **Buckets**: the app's read and write access to its own bucket (:func:`bucket_access_policy`);
  the bucket itself, TLS only, is :func:`components.buckets.private_bucket`'s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import yaml

from argosy.apps.cloud import (
    DATABASE_KEYS,
    PATH_ANNOTATION,
    POD_HASH_SERIES_LABEL,
    PORT_ANNOTATION,
    PROMETHEUS_WORKSPACE_KEY,
    SCRAPE_ANNOTATION,
    analysis_role_arn,
)
from argosy.manifests.iam import PolicyDocument

# --------------------------------------------------------------------------------------
# DNS and the certificate


def certificate_names(domain: str) -> tuple[str, list[str]]:
    """The certificate's name and alternative names: ``<domain>`` and ``*.<domain>``.

    One certificate serves every app host of the stage (one label under the domain), and the
    domain itself; the Load Balancer Controller finds it by host.
    """
    return domain, [f"*.{domain}"]


@dataclass(frozen=True, kw_only=True)
class ValidationRecord:
    """The DNS record that proves control of a domain to ACM (``resourceRecord*`` of ACM)."""

    name: str
    type: str
    value: str


def validation_record(options: Sequence[Mapping[str, Any]]) -> ValidationRecord:
    """The one record validating every name of the certificate, from its validation options.

    ``options`` are the certificate's ``domainValidationOptions`` (camelCase or snake_case
    keys). ACM asks for the same CNAME record for a domain and its wildcard (ACM user guide,
    "AWS Certificate Manager DNS validation",
    https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html), so the two names of
    :func:`certificate_names` need one record. Raises ValueError when the options name no
    record, or more than one: then one record would not validate the certificate, and the
    deployment stops here rather than waiting for a validation that cannot happen.
    """
    found = {
        ValidationRecord(
            name=str(_field(option, "resource_record_name")),
            type=str(_field(option, "resource_record_type")),
            value=str(_field(option, "resource_record_value")),
        )
        for option in options
    }
    if len(found) != 1:
        names = sorted(str(_field(o, "domain_name")) for o in options)
        raise ValueError(
            f"the certificate for {names} asks for {len(found)} distinct validation records; "
            "argosy creates one (ACM gives a domain and its wildcard the same record)"
        )
    return found.pop()


def _field(option: Mapping[str, Any], snake: str) -> Any:
    head, *rest = snake.split("_")
    camel = head + "".join(part.title() for part in rest)
    return option.get(snake, option.get(camel))


def normalized_record_names(domain: str) -> list[str]:
    """The record names external-dns may change for ``domain``, as Route 53 normalizes them.

    For ``route53:ChangeResourceRecordSetsNormalizedRecordNames``: lowercase, no trailing dot
    (Route 53 developer guide, "Using IAM policy conditions for fine-grained access control",
    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html).
    The ``*`` is the ``StringLike`` wildcard (any name under the domain, at any depth); a
    literal ``*`` in a record name reaches the condition escaped (octal 052), which the
    wildcard also matches.
    """
    name = domain.lower().rstrip(".")
    return [name, f"*.{name}"]


# --------------------------------------------------------------------------------------
# Prometheus

#: The shortest interval a managed scraper accepts (AMP user guide, "Scraper configuration",
#: limitations: "can't specify a scrape interval of less than 30 seconds").
SCRAPE_INTERVAL: Final = "30s"
#: The job that scrapes the apps' pods.
PODS_JOB: Final = "annotated-pods"


def workspace_alias(stage: str) -> str:
    """The stage's AMP workspace alias: ``argosy-<stage>``."""
    return f"argosy-{stage}"


def _meta_annotation(annotation: str) -> str:
    """The service discovery label of a pod annotation (non-alphanumerics become ``_``)."""
    sanitized = "".join(c if c.isalnum() else "_" for c in annotation)
    return f"__meta_kubernetes_pod_annotation_{sanitized}"


def scrape_configuration(stage: str) -> str:
    """The managed scraper's configuration (Prometheus YAML): the annotated pods of the apps.

    Service discovery by ``endpoints`` (one target per Service endpoint), so that each series
    carries the ``namespace`` and ``service`` labels the apps' AnalysisTemplates select by
    (:class:`argosy.apps.analysis.HttpSeries`), and ``pod``. Targets are the pods that carry
    ``prometheus.io/scrape: "true"``; the address is the pod's IP with the port of
    ``prometheus.io/port``, the path that of ``prometheus.io/path`` (``/metrics`` if none).
    Pods that are not running are dropped. ``endpoints``, not ``endpointslice``: the access
    policy AMP gives its scraper lists ``endpoints`` and not ``endpointslices`` (AMP user guide,
    "Using an AWS managed collector", access entry policy). The interval is the shortest a
    managed scraper accepts; the only sections used are those it allows (``global``,
    ``scrape_config``, ``kubernetes_sd_config``, ``relabel_config``).
    """
    scrape = _meta_annotation(SCRAPE_ANNOTATION)
    port = _meta_annotation(PORT_ANNOTATION)
    path = _meta_annotation(PATH_ANNOTATION)
    config = {
        "global": {
            "scrape_interval": SCRAPE_INTERVAL,
            "external_labels": {"stage": stage},
        },
        "scrape_configs": [
            {
                "job_name": PODS_JOB,
                "kubernetes_sd_configs": [{"role": "endpoints"}],
                "relabel_configs": [
                    {"source_labels": [scrape], "action": "keep", "regex": "true"},
                    {
                        "source_labels": ["__meta_kubernetes_pod_phase"],
                        "action": "keep",
                        "regex": "Running",
                    },
                    {
                        "source_labels": [path],
                        "action": "replace",
                        "regex": "(.+)",
                        "target_label": "__metrics_path__",
                    },
                    {
                        # The pod's address (IP, without the endpoint's port) with the
                        # annotated port: every endpoint of the pod becomes the same target.
                        "source_labels": ["__address__", port],
                        "action": "replace",
                        "regex": r"([^:]+)(?::\d+)?;(\d+)",
                        "replacement": "$1:$2",
                        "target_label": "__address__",
                    },
                    {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
                    {
                        "source_labels": ["__meta_kubernetes_service_name"],
                        "target_label": "service",
                    },
                    {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
                    {
                        # The version of a Rollout's pod: analyses compare the new version's
                        # series with this label.
                        "source_labels": ["__meta_kubernetes_pod_label_rollouts_pod_template_hash"],
                        "target_label": POD_HASH_SERIES_LABEL,
                    },
                ],
            }
        ],
    }
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False)


#: What the analysis role may do on the workspace: AmazonPrometheusQueryAccess's actions
#: (instant and range queries, label, series and metadata lookups), on one workspace.
QUERY_ACTIONS: Final = (
    "aps:GetLabels",
    "aps:GetMetricMetadata",
    "aps:GetSeries",
    "aps:QueryMetrics",
)
#: What assuming the analysis role takes: Pod Identity's session tags are transitive, so a
#: chained AssumeRole passes them on and needs ``sts:TagSession`` too (EKS user guide, "EKS
#: Pod Identity", session tags; IAM user guide, "Chaining roles with session tags").
ASSUME_ACTIONS: Final = ("sts:AssumeRole", "sts:TagSession")


def analysis_trust_policy(rollouts_role_arn: str) -> PolicyDocument:
    """The analysis role's trust: the Argo Rollouts controller's role, and nothing else.

    The principal is that role's ARN, which IAM resolves to the role's unique ID when the
    policy is saved: the controller's role must exist first (it is created in the same stack,
    before), and a recreated controller role needs this trust saved again.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ArgoRolloutsAssumes",
                "Effect": "Allow",
                "Principal": {"AWS": rollouts_role_arn},
                "Action": list(ASSUME_ACTIONS),
            }
        ],
    }


def analysis_query_policy(workspace_arn: str) -> PolicyDocument:
    """Query the stage's workspace, and nothing else (no writes, no other workspace)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "QueryStageWorkspace",
                "Effect": "Allow",
                "Action": list(QUERY_ACTIONS),
                "Resource": workspace_arn,
            }
        ],
    }


def assume_analysis_statement(partition: str, account_id: str, stage: str) -> dict[str, Any]:
    """The statement of Argo Rollouts' policy that lets it assume the stage's analysis role."""
    return {
        "Sid": "AssumeAnalysisRole",
        "Effect": "Allow",
        "Action": list(ASSUME_ACTIONS),
        "Resource": analysis_role_arn(partition, account_id, stage),
    }


def workspace_secret_json(workspace_id: str) -> str:
    """The JSON of the secret the apps read the workspace ID from (``PROMETHEUS_SECRET``)."""
    return json.dumps({PROMETHEUS_WORKSPACE_KEY: workspace_id}, sort_keys=True)


# --------------------------------------------------------------------------------------
# Databases

#: PostgreSQL's port: the database's security group admits it from the cluster only.
POSTGRES_PORT: Final = 5432
#: The database's master user, which the app connects as (``PGUSER``).
MASTER_USERNAME: Final = "argosy"
#: The generated password's length and the special characters it may hold: RDS refuses ``/``,
#: ``@``, ``"`` and spaces in a master password (RDS user guide, "Master user password").
PASSWORD_LENGTH: Final = 32
PASSWORD_SPECIALS: Final = "!#$%&*()-_=+[]{}<>:?"
#: Days of automated backups, in production and elsewhere.
BACKUP_RETENTION_PRODUCTION: Final = 14
BACKUP_RETENTION: Final = 7
#: The instance class of an Aurora Serverless v2 instance.
SERVERLESS_INSTANCE_CLASS: Final = "db.serverless"
#: Storage type of an RDS instance: gp3 (baseline IOPS and throughput included).
STORAGE_TYPE: Final = "gp3"


def backup_retention_days(production: bool) -> int:
    """Days RDS keeps automated backups: 14 in production, 7 elsewhere."""
    return BACKUP_RETENTION_PRODUCTION if production else BACKUP_RETENTION


def final_snapshot_identifier(identifier: str) -> str:
    """The snapshot RDS takes when a production database is deleted: ``<identifier>-final``."""
    return f"{identifier}-final"


def database_secret_json(*, host: str, port: int, database: str, user: str, password: str) -> str:
    """The connection secret's JSON: libpq's variables (:data:`DATABASE_KEYS`), sorted keys."""
    values = dict(zip(DATABASE_KEYS, (host, str(port), database, user, password), strict=True))
    return json.dumps(values, sort_keys=True)


# --------------------------------------------------------------------------------------
# Buckets


#: What an app does with its bucket: list it, and read, write and delete its objects (and the
#: parts of uploads it abandons).
BUCKET_LIST_ACTIONS: Final = ("s3:GetBucketLocation", "s3:ListBucket")
OBJECT_ACTIONS: Final = (
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
)


def bucket_access_policy(*, bucket_arn: str, key_arn: str) -> PolicyDocument:
    """The app role's policy: its own bucket and objects, and their key, and nothing else.

    No ``s3:*`` and no other bucket; the key's use is named too, though its own policy already
    allows principals of the account to use it through S3 (:func:`argosy.manifests.kms.
    artifacts_key_policy`).
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListOwnBucket",
                "Effect": "Allow",
                "Action": list(BUCKET_LIST_ACTIONS),
                "Resource": bucket_arn,
            },
            {
                "Sid": "ReadWriteOwnObjects",
                "Effect": "Allow",
                "Action": list(OBJECT_ACTIONS),
                "Resource": f"{bucket_arn}/*",
            },
            {
                "Sid": "UseBucketKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": key_arn,
            },
        ],
    }
