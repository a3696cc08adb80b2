"""Argo Workflows: the workflow controller and argo-server, on every stage (local included).

Chart ``argo-workflows`` 1.0.18 (app v4.0.6): ``charts/argo-workflows/values.yaml`` and
``templates/`` of argoproj/argo-helm at tag ``argo-workflows-1.0.18`` (commit
4f4cc4f9605668855e2303c9805f09ac4360f35e). Every key :func:`values` emits is in that
``values.yaml``, except ``controller.pdb.minAvailable`` and ``server.pdb.minAvailable``, which
it shows commented out and ``templates/*/*-deployment-pdb.yaml`` read (without them the PDB
says ``minAvailable: 0``), and the fields of ``artifactRepository.s3`` (``{}`` there, with a
commented example), which ``templates/controller/workflow-controller-config-map.yaml`` reads.
Application facts are from argoproj/argo-workflows at v4.0.6 (commit
277e9cef0ad16d7eaaab253573d0695951a65dbd).

Security (SECURITY.md):

- W1: ``server.authModes`` is ``argoWorkflows.authModes`` as the config resolves it (``sso``
  and/or ``client``), never ``server``. With SSO, the OAuth client is read from the Secret
  ``sso.secretName`` (keys ``client-id`` and ``client-secret``), which on AWS an
  ExternalSecret fills from Secrets Manager (:func:`sso_external_secret`); on local, make that
  Secret by hand. The redirect URL is the hostname's, else the port-forward's
  (``https://localhost:2746``).
- W2: the chart creates, in each of ``argoWorkflows.namespaces`` (``controller.
  workflowNamespaces``), the service account ``argo-workflow`` and a Role and RoleBinding of
  that namespace only (``workflow.serviceAccount``, ``workflow.rbac``; ``templates/controller/
  workflow-{sa,role,rb}.yaml``); ``workflowDefaults`` makes it every workflow's account.
- W3: ``workflowDefaults`` sets ``runAsNonRoot`` (user 8737, the executor's) at workflow level
  (``docs/workflow-pod-security-context.md``); a workflow that must run as root (the image
  build) says so in its own spec.
- W4: since v3.4 the only executor is emissary (``docs/workflow-executors.md``); the chart has
  no key that selects another, and nothing here sets executor args. The executor (init and
  wait containers) is the non-root image ``argoexec:<version>-nonroot`` (published by
  ``.github/workflows/release.yaml``) with the controller's own minimal container security
  context (``workflow/common/security_context.go``, ``MinimalCtrSC``) less a read-only root
  filesystem, which ``workflow/controller/workflowpod.go`` leaves off for init and wait
  (argo-workflows issue #10787).
- W6: the chart's app version is checked against the floor in the versions table.

The server serves TLS itself (``server.secure``: the binary defaults to ``--secure=true``,
``cmd/argo/commands/server.go``, but the chart passes ``--secure=false`` unless told). With
``hostname``, an ALB Ingress through the AWS Load Balancer Controller (docs ``guide/ingress/
annotations.md`` and ``cert_discovery.md`` at v3.5.0) listens on HTTPS 443 only with TLS 1.3
(and 1.2) and talks HTTPS to the pods, health-checking ``/`` over HTTPS (its default is
HTTP); without ``certificateArn`` the controller finds the ACM certificate by the TLS host.
A NetworkPolicy lets the VPC's range (the ALB) reach the server's port: the namespace's
baseline denies everything else.

Artifacts, on AWS only (local has no artifact repository; workflows there pass artifacts
through their own repository or not at all): the stage's bucket
(:func:`argosy.naming.artifact_bucket_name`), with the SDK's credentials (``useSDKCreds``;
EKS Pod Identity works since PR #13854, minio-go v7.0.77; v4.0.6's ``go.mod`` has v7.0.100)
and an explicit region, so no ``GetBucketLocation`` call is needed. Keys start with the
workflow's namespace (``keyFormat``; ``docs/workflow-controller-configmap.yaml``: it may use
``workflow.namespace``, ``workflow.name``, ``pod.name``), so each namespace's identity is
limited to its own prefix. The chart writes ``keyFormat`` without ``tpl``
(``templates/controller/workflow-controller-config-map.yaml``), so its ``{{...}}`` reach
Argo untouched. Encryption is the bucket's default (SSE-KMS with a bucket key): nothing is
set, since ``encryptionOptions.enableEncryption`` without a ``kmsKeyId`` asks S3 for SSE-S3
on every object (``workflow/artifacts/s3/s3.go``, ``buildServerSideEnc``: ``encrypt.NewSSE``).

CRDs: ``crds.full`` is off. The full CRDs (about 1.1 MB each for Workflow, CronWorkflow and
the templates) are applied by a pre-install hook Job that downloads them from GitHub at sync
time, with a ClusterRole that may patch any CRD (``templates/crds.yaml``); the minimal ones
are rendered by the chart, so Argo CD applies and tracks them from the pinned chart alone.
The cost: the API server does not check Workflow specs against a schema (``kubectl explain``
knows nothing of them); the controller still validates every workflow it runs, and argosy
checks its own against the vendored schemas. The largest minimal CRD, ``workflowtasksets``,
is 203,579 bytes as compact JSON: 78% of the 262,144 bytes client-side apply may store in
``kubectl.kubernetes.io/last-applied-configuration``, so the Application syncs with
server-side apply, which stores no such copy.
"""

from __future__ import annotations

import json
from typing import Any, Final

from argosy import naming
from argosy.addons.common import (
    availability,
    external_secret,
    resources,
    sized,
    vpc_ingress_policy,
)
from argosy.addons.spec import (
    SYNC_WAVE_ANNOTATION,
    Addon,
    AddonContext,
    AddonIdentity,
    AwsTarget,
    TreeObject,
    object_annotations,
    secrets_prefix,
    snake,
)
from argosy.argocd.versions import CHARTS
from argosy.config.models import dns_suffix_of
from argosy.manifests.argo_schemas import check_manifest
from argosy.manifests.iam import PolicyDocument

NAME: Final = "argo-workflows"
NAMESPACE: Final = "argo-workflows"
#: The Helm release (the add-on's default: the chart's name); the chart's names derive from it.
RELEASE: Final = "argo-workflows"
#: argo-server's service account (chart ``server.serviceAccount.name``), set explicitly.
SERVER_SERVICE_ACCOUNT: Final = "argo-workflows-server"
#: The service account workflows run as in each workflow namespace (W2).
WORKFLOW_SERVICE_ACCOUNT: Final = "argo-workflow"
#: argo-server's port (chart ``server.servicePort`` and the container's).
SERVER_PORT: Final = 2746
#: The labels the chart's server Deployment selects its pods by (``argo-workflows.
#: selectorLabels`` with the server's name).
SERVER_POD_LABELS: Final = {
    "app.kubernetes.io/instance": RELEASE,
    "app.kubernetes.io/name": f"{RELEASE}-server",
}
#: Where argo-server is reached without a hostname: ``kubectl port-forward``.
PORT_FORWARD_URL: Final = f"https://localhost:{SERVER_PORT}"
#: The Secrets Manager secret of the OAuth client, under the stage's prefix.
SSO_SECRET_PATH: Final = "argo-workflows/sso"
SSO_CLIENT_ID_KEY: Final = "client-id"
SSO_CLIENT_SECRET_KEY: Final = "client-secret"
#: The SSO ExternalSecret's wave: before the chart's (0), not after it like the other tree
#: objects. argo-server in ``sso`` mode reads the Secret as it starts and exits without it
#: (``server/auth/sso/sso.go``, ``New``), so a wave-1 Secret would wait for a server that
#: waits for it.
SSO_SECRET_SYNC_WAVE: Final = -1
#: The ALB's TLS policy: TLS 1.3 and 1.2 only, AWS's recommended one (the Load Balancer
#: Controller's default, ELBSecurityPolicy-2016-08, still offers TLS 1.0 and 1.1).
SSL_POLICY: Final = "ELBSecurityPolicy-TLS13-1-2-2021-06"
#: Artifact keys, under the workflow's namespace first.
ARTIFACT_KEY_FORMAT: Final = "{{workflow.namespace}}/{{workflow.name}}/{{pod.name}}"
#: The user of the non-root executor image (``Dockerfile``: ``USER 8737``).
EXECUTOR_UID: Final = 8737
#: IAM's limit on a role name.
ROLE_NAME_LIMIT: Final = 64

_ALB: Final = "alb.ingress.kubernetes.io/"
_DAY: Final = 86400


def redirect_url(ctx: AddonContext) -> str:
    """The OIDC redirect URL: the hostname's, else the port-forward's."""
    hostname = ctx.settings.argo_workflows.hostname
    base = f"https://{hostname}" if hostname is not None else PORT_FORWARD_URL
    return f"{base}/oauth2/callback"


def workflow_defaults() -> dict[str, Any]:
    """``controller.workflowDefaults``: what every workflow gets unless it says otherwise.

    Its own service account (W2), non-root (W3), deleted a day after success or a week after
    failure, its pods deleted as soon as they succeed (failed ones stay for debugging until
    the workflow goes). Artifact garbage collection, where a workflow asks for it, runs as
    the same account, whose identity may delete under its namespace's prefix: without it
    the GC pods would run as the namespace's ``default`` account, which has no AWS identity
    (``workflow/controller/artifact_gc.go`` at v4.0.6).
    """
    return {
        "spec": {
            "serviceAccountName": WORKFLOW_SERVICE_ACCOUNT,
            "artifactGC": {"serviceAccountName": WORKFLOW_SERVICE_ACCOUNT},
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": EXECUTOR_UID,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "ttlStrategy": {"secondsAfterSuccess": _DAY, "secondsAfterFailure": 7 * _DAY},
            "podGC": {"strategy": "OnPodSuccess"},
        }
    }


def _executor(ctx: AddonContext) -> dict[str, Any]:
    version = CHARTS["argo-workflows"].run_version_for(ctx.stage)
    return {
        "image": {"tag": f"{version}-nonroot"},
        "resources": resources("100m", "64Mi", "500m", "512Mi"),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "privileged": False,
            "runAsNonRoot": True,
            "runAsUser": EXECUTOR_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }


def _aws(ctx: AddonContext, what: str) -> AwsTarget:
    if ctx.aws is None:
        raise ValueError(
            f"argo-workflows {what} needs a stage on AWS; stage {ctx.stage!r} is local"
        )
    return ctx.aws


def _require_aws_for_hostname(ctx: AddonContext) -> AwsTarget:
    hostname = ctx.settings.argo_workflows.hostname
    return _aws(ctx, f"hostname {hostname!r} (an ALB Ingress)")


def ingress_values(ctx: AddonContext) -> dict[str, Any]:
    """``server.ingress``: an ALB for the hostname (call only with one, on AWS)."""
    _require_aws_for_hostname(ctx)
    settings = ctx.settings.argo_workflows
    hostname = settings.hostname
    annotations = {
        f"{_ALB}scheme": "internet-facing" if settings.internet_facing else "internal",
        f"{_ALB}target-type": "ip",
        f"{_ALB}listen-ports": json.dumps([{"HTTPS": 443}]),
        f"{_ALB}ssl-policy": SSL_POLICY,
        # argo-server serves TLS itself (server.secure).
        f"{_ALB}backend-protocol": "HTTPS",
        f"{_ALB}healthcheck-protocol": "HTTPS",
        f"{_ALB}healthcheck-path": "/",
    }
    if settings.certificate_arn is not None:
        annotations[f"{_ALB}certificate-arn"] = settings.certificate_arn
    return {
        "enabled": True,
        "ingressClassName": "alb",
        "annotations": dict(sorted(annotations.items())),
        "hosts": [hostname],
        # No secret: the ALB terminates TLS with the ACM certificate it finds by this host.
        "tls": [{"hosts": [hostname]}],
    }


def _server(ctx: AddonContext) -> dict[str, Any]:
    settings = ctx.settings.argo_workflows
    server: dict[str, Any] = {
        **availability(ctx.production),
        "resources": sized(
            ctx.production,
            resources("100m", "256Mi", "1", "512Mi"),
            resources("50m", "128Mi", "500m", "256Mi"),
        ),
        "serviceAccount": {"create": True, "name": SERVER_SERVICE_ACCOUNT},
        "secure": True,
        "authModes": list(settings.effective_auth_modes),
    }
    sso = settings.sso
    if sso is not None:
        server["sso"] = {
            "enabled": True,
            "issuer": sso.issuer,
            "clientId": {"name": sso.secret_name, "key": SSO_CLIENT_ID_KEY},
            "clientSecret": {"name": sso.secret_name, "key": SSO_CLIENT_SECRET_KEY},
            "redirectUrl": redirect_url(ctx),
            "scopes": list(sso.scopes),
            "rbac": {"enabled": sso.rbac},
        }
    if settings.hostname is not None:
        server["ingress"] = ingress_values(ctx)
    return server


def s3_endpoint(aws: AwsTarget) -> str:
    """The regional S3 endpoint (also the ``kms:ViaService`` of S3's calls to KMS)."""
    return f"s3.{aws.region}.{dns_suffix_of(aws.partition)}"


def artifact_bucket(ctx: AddonContext, aws: AwsTarget) -> str:
    """The stage's artifact bucket."""
    return naming.artifact_bucket_name(ctx.stage, aws.account_id)


def artifact_bucket_arn(ctx: AddonContext, aws: AwsTarget) -> str:
    """The artifact bucket's ARN (S3 bucket ARNs name no region or account)."""
    return f"arn:{aws.partition}:s3:::{artifact_bucket(ctx, aws)}"


def artifact_repository(ctx: AddonContext, aws: AwsTarget) -> dict[str, Any]:
    """``artifactRepository``: the stage's bucket, per-namespace keys, SDK credentials.

    Logs of the main containers are archived too: pods go once they succeed (podGC).
    """
    return {
        "archiveLogs": True,
        "s3": {
            "bucket": artifact_bucket(ctx, aws),
            "endpoint": s3_endpoint(aws),
            "region": aws.region,
            "insecure": False,
            "keyFormat": ARTIFACT_KEY_FORMAT,
            "useSDKCreds": True,
        },
    }


def values(ctx: AddonContext) -> dict[str, Any]:
    """The argo-workflows chart's values on ``ctx``'s stage."""
    settings = ctx.settings.argo_workflows
    namespaces = list(settings.namespaces)
    result: dict[str, Any] = {
        # See the module docstring: minimal CRDs, rendered by the chart.
        "crds": {"install": True, "full": False},
        # Tags are pinned: pulling them again on every start only adds a dependency on quay.io.
        "images": {"pullPolicy": "IfNotPresent"},
        "workflow": {
            # The chart also creates the account and Role in this namespace; naming a workflow
            # namespace keeps them out of argo-workflows, where no workflow runs.
            "namespace": namespaces[0],
            "serviceAccount": {"create": True, "name": WORKFLOW_SERVICE_ACCOUNT},
            # artifactGC: the Role also lets the GC pods a workflow asks for do their work.
            "rbac": {"create": True, "artifactGC": True},
        },
        "controller": {
            **availability(ctx.production),
            "resources": sized(
                ctx.production,
                resources("200m", "512Mi", "2", "1Gi"),
                resources("100m", "256Mi", "1", "512Mi"),
            ),
            "metricsConfig": {"enabled": True},
            "workflowNamespaces": namespaces,
            "workflowDefaults": workflow_defaults(),
        },
        "executor": _executor(ctx),
        "server": _server(ctx),
    }
    if ctx.aws is not None:
        result["useStaticCredentials"] = False
        result["artifactRepository"] = artifact_repository(ctx, ctx.aws)
    return result


def _kms_through_s3(ctx: AddonContext, aws: AwsTarget, actions: list[str]) -> dict[str, Any]:
    bucket_arn = artifact_bucket_arn(ctx, aws)
    return {
        "Sid": "UseBucketKeyThroughS3",
        "Effect": "Allow",
        "Action": actions,
        # The bucket's key is made by the stage's stack; its ID is not known here. S3 alone may
        # use it for this role, and only for this bucket: with a bucket key the encryption
        # context is the bucket's ARN (an object's ARN without one).
        "Resource": aws.arn("kms", "key/*"),
        "Condition": {
            "StringEquals": {"kms:ViaService": s3_endpoint(aws)},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, f"{bucket_arn}/*"]},
        },
    }


def server_policy(ctx: AddonContext) -> PolicyDocument:
    """argo-server's policy: read any artifact of the bucket, for the UI."""
    aws = _aws(ctx, "artifact bucket")
    bucket_arn = artifact_bucket_arn(ctx, aws)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListArtifacts",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket_arn,
            },
            {
                "Sid": "ReadArtifacts",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"{bucket_arn}/*",
            },
            _kms_through_s3(ctx, aws, ["kms:Decrypt"]),
        ],
    }


def namespace_policy(ctx: AddonContext, namespace: str) -> PolicyDocument:
    """The policy of the workflows of ``namespace``: its own prefix of the bucket only.

    Read and write for inputs and outputs, delete for artifact GC.
    """
    aws = _aws(ctx, "artifact bucket")
    bucket_arn = artifact_bucket_arn(ctx, aws)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListOwnPrefix",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket_arn,
                "Condition": {"StringLike": {"s3:prefix": f"{namespace}/*"}},
            },
            {
                "Sid": "ReadWriteOwnPrefix",
                "Effect": "Allow",
                "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                "Resource": f"{bucket_arn}/{namespace}/*",
            },
            _kms_through_s3(ctx, aws, ["kms:Decrypt", "kms:GenerateDataKey"]),
        ],
    }


def namespace_identity_key(namespace: str) -> str:
    """The identity key of the workflows of ``namespace``: ``argo_workflows_<snake(ns)>``."""
    return f"argo_workflows_{snake(namespace)}"


def identities(ctx: AddonContext) -> tuple[AddonIdentity, ...]:
    """argo-server's identity and one per workflow namespace, on an AWS stage (none on local).

    Raises ValueError if a namespace makes an IAM role name longer than IAM allows.
    """
    if ctx.aws is None:
        return ()
    found = [
        AddonIdentity(
            key="argo_workflows_server",
            role="argo-workflows-server",
            namespace=NAMESPACE,
            service_account=SERVER_SERVICE_ACCOUNT,
            policy=server_policy(ctx),
        )
    ]
    for namespace in ctx.settings.argo_workflows.namespaces:
        role = f"workflows-{namespace}"
        role_name = naming.addon_role_name(ctx.stage, role)
        if len(role_name) > ROLE_NAME_LIMIT:
            raise ValueError(
                f"argo-workflows namespace {namespace!r} makes the IAM role name {role_name!r}, "
                f"{len(role_name)} characters; IAM allows {ROLE_NAME_LIMIT}: use a shorter "
                "namespace"
            )
        found.append(
            AddonIdentity(
                key=namespace_identity_key(namespace),
                role=role,
                namespace=namespace,
                service_account=WORKFLOW_SERVICE_ACCOUNT,
                policy=namespace_policy(ctx, namespace),
            )
        )
    return tuple(found)


def sso_external_secret(ctx: AddonContext) -> TreeObject:
    """The ExternalSecret that fills the SSO Secret from Secrets Manager (SSO set, on AWS)."""
    sso = ctx.settings.argo_workflows.sso
    if sso is None:
        raise ValueError("argo-workflows has no sso settings: no SSO Secret to fill")
    _aws(ctx, "SSO ExternalSecret (Secrets Manager)")
    remote = f"{secrets_prefix(ctx)}{SSO_SECRET_PATH}"
    manifest = external_secret(
        name=sso.secret_name,
        namespace=NAMESPACE,
        data=[(key, remote, key) for key in (SSO_CLIENT_ID_KEY, SSO_CLIENT_SECRET_KEY)],
        annotations={**object_annotations(), SYNC_WAVE_ANNOTATION: str(SSO_SECRET_SYNC_WAVE)},
    )
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        f"The OAuth client argo-server signs people in with (server.sso, SECURITY.md W1), "
        f"copied hourly by external-secrets from the Secrets Manager secret {remote} (JSON "
        f"with the keys {SSO_CLIENT_ID_KEY} and {SSO_CLIENT_SECRET_KEY}) into the Secret "
        f"{sso.secret_name}, so that no client secret is ever written in this repository. "
        "Synced before the chart: argo-server does not start without it."
    )
    return TreeObject(manifest=manifest, comment=comment)


def server_ingress_policy(ctx: AddonContext) -> TreeObject:
    """The NetworkPolicy letting the ALB reach argo-server (hostname set, on AWS)."""
    aws = _require_aws_for_hostname(ctx)
    manifest = vpc_ingress_policy(
        name="allow-alb-to-argo-server",
        namespace=NAMESPACE,
        vpc_cidr=aws.vpc_cidr,
        port=SERVER_PORT,
        pod_labels=SERVER_POD_LABELS,
    )
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        f"Lets the ALB of {ctx.settings.argo_workflows.hostname} (its nodes have addresses of "
        f"the VPC, {aws.vpc_cidr}; target type ip) reach argo-server's pods on port "
        f"{SERVER_PORT}, for requests and health checks: the baseline of {NAMESPACE} denies "
        "every other ingress (SECURITY.md E8)."
    )
    return TreeObject(manifest=manifest, comment=comment)


def objects(ctx: AddonContext) -> tuple[TreeObject, ...]:
    """The objects beside the chart: SSO's ExternalSecret, the ALB's NetworkPolicy (on AWS)."""
    if ctx.aws is None:
        return ()
    settings = ctx.settings.argo_workflows
    found = []
    if settings.sso is not None:
        found.append(sso_external_secret(ctx))
    if settings.hostname is not None:
        found.append(server_ingress_policy(ctx))
    return tuple(found)


def makes_load_balancers(ctx: AddonContext) -> bool:
    """Whether the server gets an ALB Ingress: it does with a hostname."""
    return ctx.settings.argo_workflows.hostname is not None


ADDON: Final = Addon(
    name=NAME,
    chart="argo-workflows",
    namespace=NAMESPACE,
    values=values,
    identities=identities,
    objects=objects,
    makes_load_balancers=makes_load_balancers,
    # Its SSO ExternalSecret needs external-secrets' CRDs; the Load Balancer Controller comes
    # first where the server gets an Ingress (makes_load_balancers).
    after=("external-secrets",),
    server_side_apply=True,
)
