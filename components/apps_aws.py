"""The AWS side of the stage's apps, in the stage's own stack.

What the apps on a stage need from AWS and Argo CD cannot create, all with names that follow
from the stage's stack file and the app catalog (:mod:`argosy.apps.cloud`), so that the app
trees and Applications refer to them without reading this stack:

- **DNS** (``argosy:apps`` ``domain``): the public hosted zone of the domain, made here
  (protected in production) or adopted (``hostedZoneId``), and one ACM certificate for the
  domain and ``*.<domain>``, validated by DNS through one record in that zone. external-dns
  serves the zone (:mod:`argosy.addons.external_dns`); the Load Balancer Controller finds the
  certificate by host.
- **Prometheus** (``argosy:apps`` ``prometheus``): an Amazon Managed Service for Prometheus
  workspace, a managed scraper of the cluster's annotated pods, the analysis role Argo
  Rollouts assumes to query the workspace, and a secret holding the workspace's ID that the
  apps' ExternalSecrets read.
- **Per app**, from its catalog entry (:class:`argosy.apps.cloud.AppCloud`): a PostgreSQL
  database (Aurora Serverless v2 or RDS) in the private subnets, reachable from the cluster
  only, with its connection secret; and an S3 bucket with the app's own Pod Identity role.

Only AWS APIs are called (rule P2). Nothing is created inside ``Output.apply``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from argosy import naming
from argosy.addons import argo_rollouts
from argosy.addons.spec import AddonContext, secrets_prefix
from argosy.apps.cloud import (
    PROMETHEUS_SECRET,
    AppCloud,
    Bucket,
    Database,
    analysis_role_name,
    derived_name_problems,
)
from argosy.config.stage import AwsStageConfig
from argosy.manifests import apps_aws as build
from argosy.manifests import iam, kms
from components._options import child_options
from components.buckets import abort_incomplete_uploads, private_bucket
from components.identity import ServiceAccountRole, ServiceAccountRoleArgs
from components.keys import customer_managed_key

#: Seconds resolvers may cache the certificate's validation record.
VALIDATION_RECORD_TTL = 300
#: Days Secrets Manager keeps a deleted secret recoverable in production; elsewhere a deleted
#: secret goes at once, so that a stage made again can reuse its fixed names.
SECRET_RECOVERY_DAYS = 30


@dataclass(frozen=True, kw_only=True)
class StageAppsArgs:
    """Arguments of :class:`StageApps`.

    Attributes:
        config: The stage (``argosy:apps`` decides DNS and Prometheus).
        apps: What each app on the stage needs from AWS (the app catalog's, for this stage).
            Default none.
        cluster_name: The EKS cluster (Pod Identity associations).
        cluster_arn: Its ARN: the scraper's source and the roles' trust.
        vpc_id: The stage's VPC (the databases' security groups).
        private_subnet_ids: Its private subnets (the databases, the scraper's interfaces).
        cluster_security_group_id: The security group EKS made for the cluster: the scraper's
            interfaces join it (AMP user guide, "Create a scraper": "the security group and
            subnets should be set to the security group and subnets for the cluster"), and
            the databases admit PostgreSQL from it only.
        partition: The AWS partition.
        provider: The stage's AWS provider.
        after: What must exist first: the controllers' identities, since the analysis role's
            trust names Argo Rollouts' role (IAM resolves a principal when the trust is
            saved). Default none.
    """

    config: AwsStageConfig
    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    cluster_security_group_id: pulumi.Input[str]
    partition: str
    provider: aws.Provider
    apps: Sequence[AppCloud] = ()
    after: Sequence[pulumi.Resource] = ()

    def __post_init__(self) -> None:
        stage = self.config.stage
        names = [cloud.app for cloud in self.apps]
        problems = [
            f"app {cloud.app!r} is for stage {cloud.stage!r}, not {stage!r}"
            for cloud in self.apps
            if cloud.stage != stage
        ]
        problems += [
            f"app {name!r} is listed twice" for name in sorted(set(names)) if names.count(name) > 1
        ]
        problems += [
            f"app {cloud.app!r}: {what} {value!r} is longer than {limit} characters"
            for cloud in self.apps
            for what, value, limit in derived_name_problems(cloud, self.config.aws.account_id)
        ]
        if problems:
            raise ValueError(f"StageApps of stage {stage}: " + "; ".join(problems))


class StageApps(pulumi.ComponentResource):
    """The stage's app domain, certificate and Prometheus, and each app's database and bucket."""

    zone_id: pulumi.Output[str] | None
    """The app domain's hosted zone (made or adopted); ``None`` without a domain."""
    zone_name_servers: pulumi.Output[Sequence[str]] | None
    """Its name servers, to delegate the domain to; ``None`` without a domain."""
    certificate_arn: pulumi.Output[str] | None
    """The validated certificate of ``<domain>`` and ``*.<domain>``; ``None`` without one."""
    workspace_arn: pulumi.Output[str] | None
    """The stage's AMP workspace; ``None`` with ``prometheus`` off."""
    workspace_endpoint: pulumi.Output[str] | None
    """Its Prometheus endpoint; ``None`` with ``prometheus`` off."""
    role_arns: dict[str, pulumi.Output[str]]
    """App name to its Pod Identity role's ARN (apps with a bucket)."""
    ready: list[pulumi.Resource]
    """What must exist before Argo CD starts the apps' pods: their roles' policies and Pod
    Identity associations, the analysis role's policy, the secrets' values. Not the
    certificate's validation: a zone the stack makes validates only once its parent delegates
    to it, and Argo CD must not wait for that (the Load Balancer Controller retries an
    Ingress until the certificate is issued)."""

    def __init__(
        self, name: str, args: StageAppsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:StageApps", name, None, opts)
        config = args.config
        self._ctx = AddonContext.of(config)
        self._args = args
        self._name = name
        self.ready = []
        self.role_arns = {}
        self.zone_id = self.zone_name_servers = self.certificate_arn = None
        self.workspace_arn = self.workspace_endpoint = None
        # The random provider computes passwords locally (no cloud call); explicit like every
        # provider of the stage (rule P1), created only for a stage with databases.
        self._random = (
            random.Provider(f"{name}-random", opts=pulumi.ResourceOptions(parent=self))
            if any(cloud.database is not None for cloud in args.apps)
            else None
        )
        if config.apps.domain is not None:
            self._dns(config.apps.domain, config.apps.hosted_zone_id)
        if config.apps.prometheus:
            self._prometheus()
        for cloud in args.apps:
            if cloud.database is not None:
                self._database(cloud, cloud.database)
            if cloud.bucket is not None:
                self._bucket(cloud, cloud.bucket)
        self.register_outputs(
            {
                "zoneId": self.zone_id,
                "zoneNameServers": self.zone_name_servers,
                "certificateArn": self.certificate_arn,
                "workspaceArn": self.workspace_arn,
                "workspaceEndpoint": self.workspace_endpoint,
                "roleArns": self.role_arns,
            }
        )

    def exports(self) -> dict[str, Any]:
        """The stack outputs for the app domain (:data:`argosy.outputs.APPS_DNS_OUTPUTS`).

        Empty without a domain.
        """
        if self.zone_id is None:
            return {}
        return {
            "appsZoneId": self.zone_id,
            "appsZoneNameServers": self.zone_name_servers,
            "appsCertificateArn": self.certificate_arn,
        }

    # -- DNS -----------------------------------------------------------------------------

    def _dns(self, domain: str, hosted_zone_id: str | None) -> None:
        """The zone (made or adopted), the certificate, its validation record and validation."""
        name, args = self._name, self._args
        provider = args.provider
        production = args.config.production
        if hosted_zone_id is None:
            zone = aws.route53.Zone(
                f"{name}-zone",
                name=domain,
                comment=f"Apps of stage {args.config.stage} (argosy)",
                # Records external-dns made must be deleted by it (or by a person), never
                # swept away with the zone.
                force_destroy=False,
                opts=child_options(self, provider, protect=production),
            )
            zone_id: pulumi.Output[str] = zone.zone_id
            self.zone_name_servers = zone.name_servers
        else:
            # Read, not managed: fails the preview if the zone is not in the stage's account.
            found = aws.route53.get_zone_output(
                zone_id=hosted_zone_id,
                opts=pulumi.InvokeOutputOptions(parent=self, provider=provider),
            )
            zone_id = pulumi.Output.from_input(hosted_zone_id)
            self.zone_name_servers = found.name_servers
        primary, alternatives = build.certificate_names(domain)
        certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=primary,
            subject_alternative_names=alternatives,
            validation_method="DNS",
            opts=child_options(self, provider),
        )
        # The record's name, type and value are the certificate's outputs: derived with
        # apply, as inputs of a record declared here (never inside the apply).
        record = certificate.domain_validation_options.apply(
            lambda options: build.validation_record(
                [
                    {
                        "domain_name": o.domain_name,
                        "resource_record_name": o.resource_record_name,
                        "resource_record_type": o.resource_record_type,
                        "resource_record_value": o.resource_record_value,
                    }
                    for o in options
                ]
            )
        )
        validation_record = aws.route53.Record(
            f"{name}-certificate-validation",
            zone_id=zone_id,
            name=record.apply(lambda r: r.name),
            type=record.apply(lambda r: r.type),
            records=[record.apply(lambda r: r.value)],
            ttl=VALIDATION_RECORD_TTL,
            # ACM gives the same record to every certificate of the domain: one made by an
            # earlier certificate (or by hand) is taken over rather than failing.
            allow_overwrite=True,
            opts=child_options(self, provider),
        )
        validation = aws.acm.CertificateValidation(
            f"{name}-certificate",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[validation_record.fqdn],
            opts=child_options(self, provider),
        )
        self.zone_id = zone_id
        self.certificate_arn = validation.certificate_arn

    # -- Prometheus ----------------------------------------------------------------------

    def _prometheus(self) -> None:
        """The workspace, its scraper, the analysis role and the workspace ID's secret.

        The workspace keeps AMP's default encryption at rest (an AWS owned key): with a
        customer managed key, the managed scraper must write through a source and a target
        role of its own (AMP user guide, "Creating scraper for workspaces enabled with
        customer managed keys"), and every querying principal needs a grant on the key.
        """
        name, args, ctx = self._name, self._args, self._ctx
        provider = args.provider
        stage = args.config.stage
        production = args.config.production
        workspace = aws.amp.Workspace(
            f"{name}-prometheus",
            alias=build.workspace_alias(stage),
            opts=child_options(self, provider, protect=production),
        )
        # AMP creates the scraper's access entry itself on a cluster whose authentication
        # mode includes API (AMP user guide, "Configure Amazon EKS for scraper access with
        # access entries"); none is declared here: the scraper's role is a service-linked
        # role, and EKS refuses access entries for those (EKS user guide, "Create access
        # entries": "You cannot create access entries where the principal ARN is a service
        # linked role").
        aws.amp.Scraper(
            f"{name}-prometheus",
            alias=build.workspace_alias(stage),
            source=aws.amp.ScraperSourceArgs(
                eks=aws.amp.ScraperSourceEksArgs(
                    cluster_arn=args.cluster_arn,
                    subnet_ids=args.private_subnet_ids,
                    security_group_ids=[args.cluster_security_group_id],
                )
            ),
            destination=aws.amp.ScraperDestinationArgs(
                amp=aws.amp.ScraperDestinationAmpArgs(workspace_arn=workspace.arn)
            ),
            scrape_configuration=build.scrape_configuration(stage),
            opts=child_options(self, provider),
        )
        rollouts = next(
            (i for i in argo_rollouts.identities(ctx) if i.key == argo_rollouts.IDENTITY_KEY),
            None,
        )
        if rollouts is None:
            raise ValueError(f"stage {stage}: the analysis role needs Argo Rollouts' identity")
        analysis = aws.iam.Role(
            f"{name}-analysis",
            name=analysis_role_name(stage),
            description=f"Argo Rollouts' analysis queries the AMP workspace of stage {stage}",
            assume_role_policy=iam.to_json(build.analysis_trust_policy(ctx.role_arn(rollouts))),
            max_session_duration=3600,
            opts=child_options(self, provider, depends_on=args.after),
        )
        self.ready.append(
            aws.iam.RolePolicy(
                f"{name}-analysis",
                role=analysis.name,
                policy=workspace.arn.apply(
                    lambda arn: iam.to_json(build.analysis_query_policy(arn))
                ),
                opts=child_options(self, provider),
            )
        )
        secret = aws.secretsmanager.Secret(
            f"{name}-prometheus",
            name=secrets_prefix(ctx) + PROMETHEUS_SECRET,
            description=f"The AMP workspace ID of stage {stage}, for the apps' analyses",
            recovery_window_in_days=SECRET_RECOVERY_DAYS if production else 0,
            opts=child_options(self, provider),
        )
        self.ready.append(
            aws.secretsmanager.SecretVersion(
                f"{name}-prometheus",
                secret_id=secret.id,
                secret_string=workspace.id.apply(build.workspace_secret_json),
                opts=child_options(self, provider),
            )
        )
        self.workspace_arn = workspace.arn
        self.workspace_endpoint = workspace.prometheus_endpoint

    # -- Databases -----------------------------------------------------------------------

    def _database(self, cloud: AppCloud, database: Database) -> None:
        """The app's PostgreSQL, reachable from the cluster only, and its connection secret.

        One key per database, for its storage, snapshots and connection secret: an app's
        data and credentials are readable by nothing that cannot use that key, and the key
        goes (after the deletion window) with the app. AWS's ``aws/rds`` key could not be
        scoped at all.
        """
        name, args, ctx = self._name, self._args, self._ctx
        provider = args.provider
        stage = args.config.stage
        production = args.config.production
        aws_facts = args.config.aws
        prefix = f"{name}-{cloud.app}"
        identifier = cloud.database_identifier()
        key = customer_managed_key(
            self,
            f"{prefix}-database",
            alias=f"alias/{naming.PROJECT}-{stage}-{cloud.app}-database",
            description=f"Database and connection secret of app {cloud.app} on stage {stage}",
            policy=iam.to_json(
                kms.database_key_policy(
                    partition=args.partition,
                    region=aws_facts.region,
                    account_id=aws_facts.account_id,
                )
            ),
            production=production,
            provider=provider,
        )
        subnets = aws.rds.SubnetGroup(
            f"{prefix}-database",
            name=identifier,
            description=f"Private subnets of stage {stage}, for app {cloud.app}",
            subnet_ids=args.private_subnet_ids,
            opts=child_options(self, provider),
        )
        group = aws.ec2.SecurityGroup(
            f"{prefix}-database",
            vpc_id=args.vpc_id,
            description=f"PostgreSQL of app {cloud.app}: from the cluster only",
            opts=child_options(self, provider),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{prefix}-database",
            security_group_id=group.id,
            referenced_security_group_id=args.cluster_security_group_id,
            ip_protocol="tcp",
            from_port=build.POSTGRES_PORT,
            to_port=build.POSTGRES_PORT,
            description="PostgreSQL from the cluster's nodes and pods",
            opts=child_options(self, provider),
        )
        password = random.RandomPassword(
            f"{prefix}-database",
            length=build.PASSWORD_LENGTH,
            special=True,
            override_special=build.PASSWORD_SPECIALS,
            min_lower=1,
            min_upper=1,
            min_numeric=1,
            opts=pulumi.ResourceOptions(parent=self, provider=self._random),
        )
        secret_password: pulumi.Output[str] = pulumi.Output.secret(password.result)
        protected = child_options(self, provider, protect=production)
        backups = build.backup_retention_days(production)
        final_snapshot = build.final_snapshot_identifier(identifier) if production else None
        host: pulumi.Output[str]
        port: pulumi.Output[int]
        if database.engine == "aurora-postgresql":
            cluster = aws.rds.Cluster(
                f"{prefix}-database",
                cluster_identifier=identifier,
                engine="aurora-postgresql",
                engine_mode="provisioned",
                engine_version=database.version,
                database_name=database.name,
                master_username=build.MASTER_USERNAME,
                master_password=secret_password,
                db_subnet_group_name=subnets.name,
                vpc_security_group_ids=[group.id],
                storage_encrypted=True,
                kms_key_id=key.arn,
                backup_retention_period=backups,
                copy_tags_to_snapshot=True,
                deletion_protection=production,
                skip_final_snapshot=not production,
                final_snapshot_identifier=final_snapshot,
                serverlessv2_scaling_configuration=aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                    min_capacity=database.min_capacity, max_capacity=database.max_capacity
                ),
                opts=protected,
            )
            aws.rds.ClusterInstance(
                f"{prefix}-database-1",
                identifier=cloud.database_instance_identifier(),
                cluster_identifier=cluster.id,
                instance_class=build.SERVERLESS_INSTANCE_CLASS,
                engine=aws.rds.EngineType.AURORA_POSTGRESQL,
                engine_version=cluster.engine_version,
                db_subnet_group_name=subnets.name,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                opts=protected,
            )
            host, port = cluster.endpoint, cluster.port
        else:
            instance = aws.rds.Instance(
                f"{prefix}-database",
                identifier=identifier,
                engine="postgres",
                engine_version=database.version,
                instance_class=database.instance_class,
                allocated_storage=database.storage_gib,
                storage_type=build.STORAGE_TYPE,
                storage_encrypted=True,
                kms_key_id=key.arn,
                db_name=database.name,
                username=build.MASTER_USERNAME,
                password=secret_password,
                db_subnet_group_name=subnets.name,
                vpc_security_group_ids=[group.id],
                publicly_accessible=False,
                multi_az=production,
                backup_retention_period=backups,
                copy_tags_to_snapshot=True,
                deletion_protection=production,
                skip_final_snapshot=not production,
                final_snapshot_identifier=final_snapshot,
                auto_minor_version_upgrade=True,
                opts=protected,
            )
            host, port = instance.address, instance.port
        secret = aws.secretsmanager.Secret(
            f"{prefix}-database",
            name=cloud.database_secret_name(secrets_prefix(ctx)),
            description=f"Connection to the database of app {cloud.app} (libpq variables)",
            kms_key_id=key.arn,
            recovery_window_in_days=SECRET_RECOVERY_DAYS if production else 0,
            opts=child_options(self, provider),
        )
        connection: pulumi.Output[str] = pulumi.Output.all(host, port, secret_password).apply(
            lambda values: build.database_secret_json(
                host=str(values[0]),
                port=int(values[1]),
                database=database.name,
                user=build.MASTER_USERNAME,
                password=str(values[2]),
            )
        )
        secret_connection: pulumi.Output[str] = pulumi.Output.secret(connection)
        self.ready.append(
            aws.secretsmanager.SecretVersion(
                f"{prefix}-database",
                secret_id=secret.id,
                secret_string=secret_connection,
                opts=child_options(self, provider),
            )
        )

    # -- Buckets -------------------------------------------------------------------------

    def _bucket(self, cloud: AppCloud, bucket: Bucket) -> None:
        """The app's bucket, and the Pod Identity role of its service account on it."""
        name, args = self._name, self._args
        provider = args.provider
        stage = args.config.stage
        production = args.config.production
        aws_facts = args.config.aws
        prefix = f"{name}-{cloud.app}"
        bucket_name = cloud.bucket_name(aws_facts.account_id)
        bucket_arn = f"arn:{args.partition}:s3:::{bucket_name}"
        key = customer_managed_key(
            self,
            f"{prefix}-bucket",
            alias=f"alias/{naming.PROJECT}-{stage}-{cloud.app}-bucket",
            description=f"Bucket of app {cloud.app} on stage {stage}",
            policy=iam.to_json(
                kms.artifacts_key_policy(
                    partition=args.partition,
                    region=aws_facts.region,
                    account_id=aws_facts.account_id,
                )
            ),
            production=production,
            provider=provider,
        )
        rules = [
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="abort-incomplete-uploads",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                abort_incomplete_multipart_upload=abort_incomplete_uploads(),
            )
        ]
        if bucket.versioning:
            rules.append(
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-noncurrent-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=bucket.noncurrent_days
                    ),
                )
            )
        private_bucket(
            self,
            f"{prefix}-bucket",
            bucket_name=bucket_name,
            partition=args.partition,
            key_arn=key.arn,
            lifecycle_rules=rules,
            production=production,
            provider=provider,
            versioning=bucket.versioning,
        )
        role = ServiceAccountRole(
            prefix,
            ServiceAccountRoleArgs(
                namespace=cloud.app,
                service_account=cloud.app,
                cluster_name=args.cluster_name,
                cluster_arn=args.cluster_arn,
                account_id=aws_facts.account_id,
                partition=args.partition,
                provider=provider,
                inline_policy=key.arn.apply(
                    lambda key_arn: iam.to_json(
                        build.bucket_access_policy(bucket_arn=bucket_arn, key_arn=key_arn)
                    )
                ),
                role_name=cloud.role_name(),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.role_arns[cloud.app] = role.role_arn
        self.ready.extend(role.ready)
