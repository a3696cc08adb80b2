"""Account bootstrapping: what must exist before the first ``pulumi up`` of a stage.

In the stage's account: an S3 bucket for Pulumi state (versioned, SSE-KMS, public access
blocked, TLS only, old versions expiring), a KMS key for stack secrets, GitHub Actions' OIDC
provider, a deploy role for the main branch (or the protected environment) and a read-only
preview role for pull requests.

One observation of the account gives a row per concern (:class:`Item`): in place, missing or
drifted, with the steps that would fix it. ``bootstrap`` applies the steps; ``doctor`` reports
the rows. Steps create, enable, attach, tag and update; none deletes, detaches or disables.
Anything with bootstrap's name that bootstrap did not create (it carries no
``argosy:bootstrap`` tag) is refused, never adopted silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import botocore.exceptions

from argosy import naming
from argosy.aws.client import AwsApi, error_code
from argosy.aws.errors import (
    AwsProblemError,
    NameTakenError,
    NotOwnedError,
    PrincipalMissingError,
)
from argosy.aws.principals import missing_principals, what_to_create
from argosy.aws.trust import self_assume_statement
from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.models import partition_of
from argosy.config.stage import AwsStageConfig
from argosy.manifests import iam

DEPLOY_POLICIES: tuple[str, ...] = ("AdministratorAccess",)
PREVIEW_POLICIES: tuple[str, ...] = ("ReadOnlyAccess",)
PREVIEW_INLINE_POLICY = "argosy-preview-state"
LIFECYCLE_RULE_ID = "argosy-noncurrent-versions"
ABORT_MULTIPART_DAYS = 7
TLS_STATEMENT_SID = "DenyInsecureTransport"


@dataclass(frozen=True, kw_only=True)
class Targets:
    """Everything bootstrap wants to exist for one stage, by name."""

    stage: str
    account: str
    region: str
    bucket: str
    key_alias: str
    deploy_role_arn: str
    preview_role_name: str
    github_repository: str
    github_environment: str
    trusted_principals: tuple[str, ...]
    noncurrent_days: int
    #: Where the config came from (``stacks/Pulumi.<stage>.yaml``), for the fixes it names.
    config_file: str = "the stack file"

    @property
    def partition(self) -> str:
        """The partition of the stage's region."""
        return partition_of(self.region)

    @property
    def bucket_arn(self) -> str:
        """The state bucket's ARN."""
        return f"arn:{self.partition}:s3:::{self.bucket}"

    @property
    def oidc_provider_arn(self) -> str:
        """GitHub's OIDC provider in the stage's account."""
        return f"arn:{self.partition}:iam::{self.account}:oidc-provider/{naming.GITHUB_OIDC_HOST}"

    @property
    def deploy_role_name(self) -> str:
        """The deploy role's name (the last part of its ARN)."""
        return self.deploy_role_arn.rsplit("/", 1)[-1]

    @property
    def deploy_role_path(self) -> str:
        """The deploy role's IAM path (``/`` unless the ARN has one)."""
        middle = self.deploy_role_arn.split(":role", 1)[-1].rsplit("/", 1)[0]
        return f"{middle}/" if middle else "/"

    @property
    def preview_role_arn(self) -> str:
        """The preview role's ARN."""
        return f"arn:{self.partition}:iam::{self.account}:role/{self.preview_role_name}"

    @property
    def backend_url(self) -> str:
        """``pulumi login`` URL of the state bucket."""
        return naming.backend_url(self.bucket, self.region)

    @property
    def secrets_provider(self) -> str:
        """The stack file's ``secretsprovider``."""
        return naming.secrets_provider_url(self.stage, self.region)

    def tags(self) -> dict[str, str]:
        """The tags that mark a resource as bootstrap's, for this stage."""
        return {
            naming.BOOTSTRAP_TAG_KEY: self.stage,
            "managed-by": "argosy-bootstrap",
            "project": naming.PROJECT,
            "stage": self.stage,
        }

    def _principals(self) -> list[str]:
        return list(self.trusted_principals) or [iam.account_root_arn(self.partition, self.account)]

    def deploy_trust(self) -> dict[str, Any]:
        """Who may assume the deploy role: main branch, protected environment, principals.

        And the role itself (``DeployRoleChainsToItself``): CI runs as the deploy role and the
        Pulumi AWS provider assumes it again, which IAM allows only when the trust says so
        (see :mod:`argosy.aws.trust` for why this statement, and why in this form). It is
        written whether or not ``trustedPrincipals`` is set, so the document has one shape.
        """
        repo = self.github_repository
        return {
            "Version": "2012-10-17",
            "Statement": [
                iam.github_trust_statement(
                    oidc_provider_arn=self.oidc_provider_arn,
                    subjects=[
                        f"repo:{repo}:ref:refs/heads/main",
                        f"repo:{repo}:environment:{self.github_environment}",
                    ],
                    sid="GitHubActionsDeploy",
                ),
                iam.principals_trust_statement(self._principals(), sid="AccountPrincipals"),
                self_assume_statement(self.deploy_role_arn),
            ],
        }

    def preview_trust(self) -> dict[str, Any]:
        """Who may assume the preview role: the repository's pull requests, principals."""
        return {
            "Version": "2012-10-17",
            "Statement": [
                iam.github_trust_statement(
                    oidc_provider_arn=self.oidc_provider_arn,
                    subjects=[f"repo:{self.github_repository}:pull_request"],
                    sid="GitHubActionsPreview",
                ),
                iam.principals_trust_statement(self._principals(), sid="AccountPrincipals"),
            ],
        }


def targets_for(config: AwsStageConfig) -> Targets:
    """What bootstrap manages for ``config``'s stage; needs ``argosy:bootstrap``."""
    settings = config.bootstrap
    if settings is None:
        raise ConfigInvalidError(
            [
                ConfigIssue(
                    file=config.source.file,
                    line=config.source.line_of(("argosy:bootstrap",)),
                    path="argosy:bootstrap",
                    value="(not set)",
                    rule="bootstrap and doctor need the repository whose GitHub Actions deploy "
                    "the stage",
                    example="argosy:bootstrap: {githubRepository: acme/platform}",
                )
            ]
        )
    return Targets(
        stage=config.stage,
        account=config.aws.account_id,
        region=config.aws.region,
        bucket=settings.state_bucket
        or naming.state_bucket_name(config.aws.account_id, config.aws.region),
        key_alias=naming.stack_secrets_alias(config.stage),
        deploy_role_arn=config.aws.deploy_role_arn,
        preview_role_name=settings.preview_role_name,
        github_repository=settings.github_repository,
        github_environment=settings.github_environment or config.stage,
        trusted_principals=settings.trusted_principals,
        noncurrent_days=settings.noncurrent_version_days,
        config_file=config.source.file,
    )


# --------------------------------------------------------------------------------------
# Observation


@dataclass(frozen=True, kw_only=True)
class Step:
    """One change bootstrap makes; ``apply`` performs it."""

    change: str
    apply: Callable[[], None]


ItemState = Literal["ok", "missing", "drift"]


@dataclass(frozen=True, kw_only=True)
class Item:
    """One concern bootstrap owns, as observed, and the steps that would fix it."""

    label: str
    state: ItemState
    detail: str
    steps: tuple[Step, ...] = ()


def _fix(label: str, state: ItemState, detail: str, change: str, apply: Callable[[], None]) -> Item:
    """An item that one step puts right."""
    return Item(label=label, state=state, detail=detail, steps=(Step(change=change, apply=apply),))


@dataclass
class _Context:
    """What later steps need from earlier ones (the key's ARN once it exists)."""

    key_arn: str | None = None


def _tag_list(tags: dict[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def _canonical(document: Any) -> str:
    if isinstance(document, str):
        document = json.loads(document)
    return iam.to_json(document)


@dataclass
class Observation:
    """Observe the stage's account once; produce an :class:`Item` per concern."""

    api: AwsApi
    targets: Targets
    context: _Context = field(default_factory=_Context)

    def items(self) -> list[Item]:
        """Every concern, in the order its steps must run (key, bucket, OIDC, roles)."""
        return [
            *self._key(),
            *self._bucket(),
            *self._oidc_provider(),
            *self._role(
                label="deploy role",
                name=self.targets.deploy_role_name,
                path=self.targets.deploy_role_path,
                trust=self.targets.deploy_trust(),
                managed=DEPLOY_POLICIES,
                inline=None,
                description=f"argosy: deploys stage {self.targets.stage} (pulumi up)",
            ),
            *self._role(
                label="preview role",
                name=self.targets.preview_role_name,
                path="/",
                trust=self.targets.preview_trust(),
                managed=PREVIEW_POLICIES,
                inline=self._preview_inline_policy,
                description=f"argosy: previews stage {self.targets.stage} for pull requests",
            ),
        ]

    # -- KMS key for stack secrets ------------------------------------------------------

    def _key(self) -> list[Item]:
        api, t = self.api, self.targets
        try:
            meta = api.call("kms", "DescribeKey", resource=t.key_alias, KeyId=t.key_alias)[
                "KeyMetadata"
            ]
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) != "NotFoundException":
                raise
            return [
                _fix(
                    "stack secrets key",
                    "missing",
                    f"no KMS key with alias {t.key_alias}",
                    f"create a KMS key with alias {t.key_alias}, rotation on",
                    self._create_key,
                )
            ]
        key_id, key_arn = meta["KeyId"], meta["Arn"]
        tags = {
            tag["TagKey"]: tag["TagValue"]
            for tag in api.call("kms", "ListResourceTags", resource=key_arn, KeyId=key_id)["Tags"]
        }
        if tags.get(naming.BOOTSTRAP_TAG_KEY) != t.stage:
            raise NotOwnedError(
                f"alias {t.key_alias} points to KMS key {key_arn}, which argosy bootstrap did "
                "not create (it lacks the tag argosy:bootstrap)",
                f"if it is meant for stage {t.stage}, tag it argosy:bootstrap={t.stage}; "
                "otherwise move the alias",
            )
        self.context.key_arn = key_arn
        items = []
        state = meta.get("KeyState", "Enabled")
        if state == "PendingDeletion":
            items.append(
                _fix(
                    "stack secrets key",
                    "drift",
                    f"{key_arn} is scheduled for deletion",
                    f"cancel the scheduled deletion of {key_arn} and enable it",
                    lambda: self._undelete_key(key_id),
                )
            )
        elif state == "Disabled":
            items.append(
                _fix(
                    "stack secrets key",
                    "drift",
                    f"{key_arn} is disabled",
                    f"enable {key_arn}",
                    lambda: api.call("kms", "EnableKey", resource=key_arn, KeyId=key_id),
                )
            )
        else:
            items.append(Item(label="stack secrets key", state="ok", detail=key_arn))
        rotation = api.call("kms", "GetKeyRotationStatus", resource=key_arn, KeyId=key_id)
        if rotation.get("KeyRotationEnabled"):
            items.append(Item(label="stack secrets key rotation", state="ok", detail="on"))
        else:
            items.append(
                _fix(
                    "stack secrets key rotation",
                    "drift",
                    "rotation is off",
                    f"turn on rotation of {key_arn}",
                    lambda: api.call("kms", "EnableKeyRotation", resource=key_arn, KeyId=key_id),
                )
            )
        return items

    def _create_key(self) -> None:
        api, t = self.api, self.targets
        meta = api.call(
            "kms",
            "CreateKey",
            Description=f"argosy: Pulumi stack secrets of stage {t.stage}",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Tags=_tag_list(t.tags(), "TagKey", "TagValue"),
        )["KeyMetadata"]
        api.call(
            "kms",
            "CreateAlias",
            resource=t.key_alias,
            AliasName=t.key_alias,
            TargetKeyId=meta["KeyId"],
        )
        api.call("kms", "EnableKeyRotation", resource=meta["Arn"], KeyId=meta["KeyId"])
        self.context.key_arn = meta["Arn"]

    def _undelete_key(self, key_id: str) -> None:
        self.api.call("kms", "CancelKeyDeletion", KeyId=key_id)
        self.api.call("kms", "EnableKey", KeyId=key_id)

    # -- S3 bucket for Pulumi state -----------------------------------------------------

    def _bucket(self) -> list[Item]:
        api, t = self.api, self.targets
        owned = {b["Name"] for b in api.call("s3", "ListBuckets").get("Buckets", [])}
        if t.bucket not in owned:
            self._check_name_is_free()
            create = Step(
                change=f"create S3 bucket {t.bucket} in {t.region}", apply=self._create_bucket
            )
            items = [
                Item(
                    label="state bucket",
                    state="missing",
                    detail=f"no bucket {t.bucket}",
                    steps=(create,),
                )
            ]
            settings = self._bucket_settings(current={})
            return items + [
                Item(label=label, state="missing", detail="bucket missing", steps=steps)
                for label, _, steps in settings
            ]
        tags = self._bucket_tags()
        if tags.get(naming.BOOTSTRAP_TAG_KEY) != t.stage:
            raise NotOwnedError(
                f"bucket {t.bucket} exists in account {t.account}, but argosy bootstrap did not "
                "create it (it lacks the tag argosy:bootstrap)",
                f"name another bucket with argosy:bootstrap.stateBucket, or, if this one is "
                f"meant for stage {t.stage}, tag it argosy:bootstrap={t.stage}",
            )
        items = [Item(label="state bucket", state="ok", detail=t.bucket_arn)]
        for label, current_ok, steps in self._bucket_settings(current=self._observe_bucket()):
            if current_ok:
                items.append(Item(label=label, state="ok", detail="as configured"))
            else:
                items.append(Item(label=label, state="drift", detail="differs", steps=steps))
        return items

    def _check_name_is_free(self) -> None:
        t = self.targets
        try:
            self.api.call("s3", "HeadBucket", resource=t.bucket_arn, Bucket=t.bucket)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
                return
            if error_code(exc) not in ("403", "Forbidden"):
                raise
        except AwsProblemError:
            pass  # a denied HeadBucket on a bucket we do not own: someone else has the name
        raise NameTakenError(
            f"the bucket name {t.bucket} belongs to another AWS account (bucket names are global)",
            "choose another name with argosy:bootstrap.stateBucket, e.g. "
            f"stateBucket: {t.bucket}-{t.stage}",
        )

    def _bucket_tags(self) -> dict[str, str]:
        try:
            answer = self.api.call(
                "s3",
                "GetBucketTagging",
                resource=self.targets.bucket_arn,
                Bucket=self.targets.bucket,
            )
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in ("NoSuchTagSet", "NoSuchTagSetError"):
                return {}
            raise
        return {tag["Key"]: tag["Value"] for tag in answer.get("TagSet", [])}

    def _get(self, operation: str, absent: tuple[str, ...]) -> Any:
        try:
            return self.api.call(
                "s3", operation, resource=self.targets.bucket_arn, Bucket=self.targets.bucket
            )
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in absent:
                return None
            raise

    def _observe_bucket(self) -> dict[str, Any]:
        return {
            "versioning": self._get("GetBucketVersioning", ()),
            "encryption": self._get(
                "GetBucketEncryption", ("ServerSideEncryptionConfigurationNotFoundError",)
            ),
            "public_access": self._get(
                "GetPublicAccessBlock", ("NoSuchPublicAccessBlockConfiguration",)
            ),
            "policy": self._get("GetBucketPolicy", ("NoSuchBucketPolicy",)),
            "lifecycle": self._get(
                "GetBucketLifecycleConfiguration", ("NoSuchLifecycleConfiguration",)
            ),
            "ownership": self._get(
                "GetBucketOwnershipControls", ("OwnershipControlsNotFoundError",)
            ),
        }

    def _bucket_settings(self, current: dict[str, Any]) -> list[tuple[str, bool, tuple[Step, ...]]]:
        """(label, in place?, steps to put it in place) for every setting of the bucket."""
        api, t = self.api, self.targets
        bucket, arn = t.bucket, t.bucket_arn

        def s3(operation: str, **params: Any) -> Callable[[], None]:
            return lambda: api.call("s3", operation, resource=arn, Bucket=bucket, **params)

        versioning = (current.get("versioning") or {}).get("Status") == "Enabled"
        rules = (
            (current.get("encryption") or {}).get("ServerSideEncryptionConfiguration") or {}
        ).get("Rules", [])
        default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
        encryption = (
            default.get("SSEAlgorithm") == "aws:kms"
            and self.context.key_arn is not None
            and default.get("KMSMasterKeyID") == self.context.key_arn
            and bool(rules[0].get("BucketKeyEnabled"))
        )
        block = (current.get("public_access") or {}).get("PublicAccessBlockConfiguration") or {}
        public_access = all(
            block.get(k)
            for k in (
                "BlockPublicAcls",
                "IgnorePublicAcls",
                "BlockPublicPolicy",
                "RestrictPublicBuckets",
            )
        )
        policy_text = (current.get("policy") or {}).get("Policy")
        policy: dict[str, Any] = (
            json.loads(policy_text) if policy_text else {"Version": "2012-10-17", "Statement": []}
        )
        wanted_tls = iam.tls_only_bucket_policy(arn)["Statement"][0]
        statements = [s for s in policy.get("Statement", []) if s.get("Sid") != TLS_STATEMENT_SID]
        tls = any(_canonical(s) == _canonical(wanted_tls) for s in policy.get("Statement", []))
        lifecycle_rules = (current.get("lifecycle") or {}).get("Rules", [])
        wanted_rule = {
            "ID": LIFECYCLE_RULE_ID,
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": t.noncurrent_days},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_MULTIPART_DAYS},
        }
        ours = [r for r in lifecycle_rules if r.get("ID") == LIFECYCLE_RULE_ID]
        lifecycle = bool(ours) and all(
            ours[0].get(k) == v for k, v in wanted_rule.items() if k != "Filter"
        )
        others = [r for r in lifecycle_rules if r.get("ID") != LIFECYCLE_RULE_ID]
        ownership_rules = ((current.get("ownership") or {}).get("OwnershipControls") or {}).get(
            "Rules", []
        )
        ownership = [r.get("ObjectOwnership") for r in ownership_rules] == ["BucketOwnerEnforced"]

        def encrypt() -> None:
            api.call(
                "s3",
                "PutBucketEncryption",
                resource=arn,
                Bucket=bucket,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": self.context.key_arn,
                            },
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
            )

        return [
            ("state bucket object ownership", ownership, (Step(
                change="disable ACLs (object ownership: bucket owner enforced)",
                apply=s3("PutBucketOwnershipControls", OwnershipControls={
                    "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
            ),)),
            ("state bucket public access block", public_access, (Step(
                change="block all public access (all four settings)",
                apply=s3("PutPublicAccessBlock", PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True, "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True, "RestrictPublicBuckets": True}),
            ),)),
            ("state bucket versioning", versioning, (Step(
                change="turn on versioning",
                apply=s3("PutBucketVersioning", VersioningConfiguration={"Status": "Enabled"}),
            ),)),
            ("state bucket encryption", encryption, (Step(
                change=f"encrypt with SSE-KMS under {self.context.key_arn or t.key_alias}, "
                "bucket key on",
                apply=encrypt,
            ),)),
            ("state bucket TLS-only policy", tls, (Step(
                change="deny requests without TLS (bucket policy)",
                apply=s3("PutBucketPolicy", Policy=iam.to_json(
                    {**policy, "Statement": [*statements, wanted_tls]})),
            ),)),
            ("state bucket lifecycle", lifecycle, (Step(
                change=f"expire replaced state versions after {t.noncurrent_days} days",
                apply=s3("PutBucketLifecycleConfiguration", LifecycleConfiguration={
                    "Rules": [*others, wanted_rule]}),
            ),)),
        ]  # fmt: skip

    def _create_bucket(self) -> None:
        api, t = self.api, self.targets
        params: dict[str, Any] = {"Bucket": t.bucket}
        if t.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": t.region}
        try:
            api.call("s3", "CreateBucket", resource=t.bucket_arn, **params)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) == "BucketAlreadyExists":
                raise NameTakenError(
                    f"the bucket name {t.bucket} was taken by another AWS account",
                    "choose another name with argosy:bootstrap.stateBucket",
                ) from None
            raise
        api.call(
            "s3",
            "PutBucketTagging",
            resource=t.bucket_arn,
            Bucket=t.bucket,
            Tagging={"TagSet": _tag_list(t.tags())},
        )

    # -- GitHub OIDC provider -------------------------------------------------------------

    def _oidc_provider(self) -> list[Item]:
        api, t = self.api, self.targets
        arn = t.oidc_provider_arn
        try:
            provider = api.call(
                "iam", "GetOpenIDConnectProvider", resource=arn, OpenIDConnectProviderArn=arn
            )
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) != "NoSuchEntity":
                raise
            return [
                _fix(
                    "GitHub OIDC provider",
                    "missing",
                    f"no {arn}",
                    f"create the IAM OIDC provider for {naming.GITHUB_OIDC_HOST}",
                    lambda: api.call(
                        "iam",
                        "CreateOpenIDConnectProvider",
                        resource=arn,
                        Url=f"https://{naming.GITHUB_OIDC_HOST}",
                        ClientIDList=[iam.STS_AUDIENCE],
                        Tags=_tag_list(t.tags()),
                    ),
                )
            ]
        # The provider is one per account and may be shared: it is used, never claimed.
        if iam.STS_AUDIENCE in provider.get("ClientIDList", []):
            return [Item(label="GitHub OIDC provider", state="ok", detail=arn)]
        return [
            _fix(
                "GitHub OIDC provider",
                "drift",
                f"{arn} does not accept the audience {iam.STS_AUDIENCE}",
                f"add the audience {iam.STS_AUDIENCE} to {arn}",
                lambda: api.call(
                    "iam",
                    "AddClientIDToOpenIDConnectProvider",
                    resource=arn,
                    OpenIDConnectProviderArn=arn,
                    ClientID=iam.STS_AUDIENCE,
                ),
            )
        ]

    # -- Roles ----------------------------------------------------------------------------

    def _preview_inline_policy(self) -> str:
        assert self.context.key_arn is not None  # the key step runs first
        return iam.to_json(
            iam.preview_access_policy(
                bucket_arn=self.targets.bucket_arn, key_arn=self.context.key_arn
            )
        )

    def _role(
        self,
        *,
        label: str,
        name: str,
        path: str,
        trust: dict[str, Any],
        managed: tuple[str, ...],
        inline: Callable[[], str] | None,
        description: str,
    ) -> list[Item]:
        api, t = self.api, self.targets
        trust_text = iam.to_json(trust)
        arns = [iam.managed_policy_arn(t.partition, p) for p in managed]

        def attach(policy_arn: str) -> Step:
            return Step(
                change=f"attach {policy_arn.rsplit('/', 1)[-1]} to {name}",
                apply=lambda: api.call(
                    "iam", "AttachRolePolicy", resource=name, RoleName=name, PolicyArn=policy_arn
                ),
            )

        def put_inline() -> Step:
            return Step(
                change=f"put the inline policy {PREVIEW_INLINE_POLICY} on {name}",
                apply=lambda: api.call(
                    "iam",
                    "PutRolePolicy",
                    resource=name,
                    RoleName=name,
                    PolicyName=PREVIEW_INLINE_POLICY,
                    PolicyDocument=inline() if inline else "",
                ),
            )

        try:
            role = api.call("iam", "GetRole", resource=name, RoleName=name)["Role"]
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) != "NoSuchEntity":
                raise
            create = Step(
                change=f"create role {name} ({description})",
                apply=lambda: api.call(
                    "iam",
                    "CreateRole",
                    resource=name,
                    RoleName=name,
                    Path=path,
                    AssumeRolePolicyDocument=trust_text,
                    Description=description,
                    MaxSessionDuration=3600,
                    Tags=_tag_list(t.tags()),
                ),
            )
            steps = [create, *(attach(a) for a in arns)]
            if inline is not None:
                steps.append(put_inline())
            return [
                Item(label=label, state="missing", detail=f"no role {name}", steps=tuple(steps))
            ]

        tags = {tag["Key"]: tag["Value"] for tag in role.get("Tags", [])}
        if tags.get(naming.BOOTSTRAP_TAG_KEY) != t.stage:
            raise NotOwnedError(
                f"role {name} exists in account {t.account}, but argosy bootstrap did not create "
                "it (it lacks the tag argosy:bootstrap)",
                f"if it is meant for stage {t.stage}, tag it argosy:bootstrap={t.stage} and run "
                "again; bootstrap then manages its trust and policies",
            )
        items = [Item(label=label, state="ok", detail=role["Arn"])]
        current_trust = role.get("AssumeRolePolicyDocument") or {}
        if _canonical(current_trust) == trust_text:
            items.append(Item(label=f"{label} trust", state="ok", detail="as configured"))
        else:
            items.append(
                _fix(
                    f"{label} trust",
                    "drift",
                    "the trust policy differs",
                    f"reset the trust policy of {name}",
                    lambda: api.call(
                        "iam",
                        "UpdateAssumeRolePolicy",
                        resource=name,
                        RoleName=name,
                        PolicyDocument=trust_text,
                    ),
                )
            )
        attached = {
            p["PolicyArn"]
            for p in api.call("iam", "ListAttachedRolePolicies", resource=name, RoleName=name)[
                "AttachedPolicies"
            ]
        }
        missing = [a for a in arns if a not in attached]
        steps = [attach(a) for a in missing]
        if inline is not None:
            try:
                current = api.call(
                    "iam",
                    "GetRolePolicy",
                    resource=name,
                    RoleName=name,
                    PolicyName=PREVIEW_INLINE_POLICY,
                )["PolicyDocument"]
                if self.context.key_arn is None or _canonical(current) != inline():
                    steps.append(put_inline())
            except botocore.exceptions.ClientError as exc:
                if error_code(exc) != "NoSuchEntity":
                    raise
                steps.append(put_inline())
        extra = sorted(attached - set(arns))
        detail = "as configured" if not steps else "policies missing or different"
        if extra:
            detail += f"; also attached, left in place: {', '.join(extra)}"
        items.append(
            Item(
                label=f"{label} policies",
                state="ok" if not steps else "drift",
                detail=detail,
                steps=tuple(steps),
            )
        )
        return items


# --------------------------------------------------------------------------------------
# Running it


@dataclass(frozen=True, kw_only=True)
class BootstrapReport:
    """What a bootstrap run found and did."""

    identity: str
    targets: Targets
    items: tuple[Item, ...]
    applied: bool

    @property
    def changes(self) -> list[str]:
        """Every change, in order (made, or to be made on a dry run)."""
        return [step.change for item in self.items for step in item.steps]


def check_trusted_principals(api: AwsApi, targets: Targets) -> None:
    """Refuse, before any change, when a ``trustedPrincipals`` entry does not exist.

    IAM rejects a trust policy naming a missing principal (``MalformedPolicyDocument``), so
    bootstrap would otherwise stop halfway, with the key and bucket made and the roles not.

    Raises:
        PrincipalMissingError: names the missing principals and where to remove them.
    """
    missing = missing_principals(api, targets.trusted_principals)
    if not missing:
        return
    names = ", ".join(missing)
    verb = "does" if len(missing) == 1 else "do"
    raise PrincipalMissingError(
        f"argosy:bootstrap.trustedPrincipals names {names}, which {verb} not exist in account "
        f"{targets.account}; IAM refuses a trust policy naming a missing principal",
        f"create {what_to_create(missing)}, or remove "
        f"{'it' if len(missing) == 1 else 'them'} from argosy:bootstrap.trustedPrincipals in "
        f"{targets.config_file}",
    )


def bootstrap(api: AwsApi, targets: Targets, *, dry_run: bool = False) -> BootstrapReport:
    """Bring the stage's account to what bootstrap manages; report every change.

    Observation happens first and is read-only; only then, and not on a dry run, do the
    steps run, in order. Refusals (a trusted principal missing, a name taken, a resource not
    bootstrap's) are raised during observation, before anything changes.
    """
    check_trusted_principals(api, targets)
    observation = Observation(api=api, targets=targets)
    items = observation.items()
    if not dry_run:
        for item in items:
            for step in item.steps:
                step.apply()
    return BootstrapReport(
        identity=api.identity().arn, targets=targets, items=tuple(items), applied=not dry_run
    )
