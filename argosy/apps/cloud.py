"""What an app needs from AWS on a stage, and the fixed names both sides derive.

An app file may ask for a PostgreSQL database and an S3 bucket; the stage's own stack creates
them (:mod:`components.apps_aws`), and the app's tree and Application refer to them by names
that follow from the stage's stack file and the app file alone, so ``argosy render`` (offline)
and the stack agree without a StackReference:

- the database's connection facts and credentials live in one Secrets Manager secret,
  :meth:`AppCloud.database_secret_name`, under the stage's external-secrets prefix, which an
  ExternalSecret in the app's namespace turns into the Secret :meth:`AppCloud.database_secret`;
- the bucket is :meth:`AppCloud.bucket_name`, reached through the Pod Identity role
  :meth:`AppCloud.role_name` of the app's service account;
- the stage's Amazon Managed Prometheus workspace ID, which only AWS knows, is written by the
  stage's stack to the secret :data:`PROMETHEUS_SECRET` under the prefix, and read into each
  analysed app's namespace (:data:`PROMETHEUS_WORKSPACE_KEY`); its query role is
  :func:`analysis_role_name`.

Nothing here imports Pulumi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from argosy import naming

#: The Secrets Manager secret (under the stage's prefix) holding the stage's AMP workspace ID.
PROMETHEUS_SECRET: Final = "argosy/prometheus"
#: Its JSON key.
PROMETHEUS_WORKSPACE_KEY: Final = "workspaceId"
#: The database secret's JSON keys, named as libpq's environment variables read them.
DATABASE_KEYS: Final = ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD")
#: The annotations of a pod the stage's managed scraper scrapes, and where (the workload's pods
#: carry them; the scrape configuration selects by them).
SCRAPE_ANNOTATION: Final = "prometheus.io/scrape"
PORT_ANNOTATION: Final = "prometheus.io/port"
PATH_ANNOTATION: Final = "prometheus.io/path"
#: The Prometheus label the stage's scraper copies each pod's ``rollouts-pod-template-hash``
#: into, so that an analysis selects the new version's series by it.
POD_HASH_SERIES_LABEL: Final = "rollouts_pod_template_hash"
#: Longest names AWS accepts.
BUCKET_NAME_MAX: Final = 63
ROLE_NAME_MAX: Final = 64
DB_IDENTIFIER_MAX: Final = 63

DatabaseEngine = Literal["aurora-postgresql", "postgres"]


@dataclass(frozen=True, kw_only=True)
class Database:
    """A PostgreSQL database for the app, in the stage's private subnets.

    Attributes:
        engine: ``aurora-postgresql`` (Aurora Serverless v2) or ``postgres`` (RDS).
        version: The engine version, such as ``16.6``.
        name: The database's name (``PGDATABASE``), such as ``go_todo``.
        instance_class: RDS only: such as ``db.t4g.medium``.
        storage_gib: RDS only: allocated storage, 20 or more.
        min_capacity: Aurora only: the fewest ACUs, from 0 (pauses when idle) up.
        max_capacity: Aurora only: the most ACUs, at least ``min_capacity``.
    """

    engine: DatabaseEngine
    version: str
    name: str
    instance_class: str = "db.t4g.medium"
    storage_gib: int = 20
    min_capacity: float = 0.5
    max_capacity: float = 4.0


@dataclass(frozen=True, kw_only=True)
class Bucket:
    """An S3 bucket of the app's own, read and written through its service account.

    Attributes:
        versioning: Keep old versions of objects. Default true.
        noncurrent_days: Days old versions are kept. Default 30.
    """

    versioning: bool = True
    noncurrent_days: int = 30


@dataclass(frozen=True, kw_only=True)
class AppCloud:
    """What one app needs from AWS on one stage.

    Attributes:
        app: The app's name, also its namespace and service account.
        stage: The stage.
        database: Its database, or none.
        bucket: Its bucket, or none.
    """

    app: str
    stage: str
    database: Database | None = None
    bucket: Bucket | None = None

    def role_name(self) -> str:
        """The app's Pod Identity role: ``argosy-<stage>-app-<app>``."""
        return f"argosy-{self.stage}-app-{self.app}"

    def bucket_name(self, account_id: str) -> str:
        """The app's bucket: ``argosy-<stage>-<app>-<account>`` (globally unique)."""
        return f"argosy-{self.stage}-{self.app}-{account_id}"

    def database_identifier(self) -> str:
        """The RDS instance or Aurora cluster identifier: ``argosy-<stage>-<app>``."""
        return f"argosy-{self.stage}-{self.app}"

    def database_instance_identifier(self) -> str:
        """Aurora only: the cluster's one ``db.serverless`` instance, ``<identifier>-1``."""
        return f"{self.database_identifier()}-1"

    def database_secret_name(self, prefix: str) -> str:
        """The Secrets Manager secret with the connection facts: ``<prefix>apps/<app>/database``."""
        return f"{prefix}apps/{self.app}/database"

    def database_secret(self) -> str:
        """The Secret in the app's namespace that external-secrets fills from it."""
        return f"{self.app}-database"


#: The analysis role's suffix: ``argosy-<stage>-analysis``, named as add-on identities are.
ANALYSIS_ROLE: Final = "analysis"


def analysis_role_name(stage: str) -> str:
    """The role Argo Rollouts assumes to query the stage's AMP workspace (SigV4)."""
    return naming.addon_role_name(stage, ANALYSIS_ROLE)


def analysis_role_arn(partition: str, account_id: str, stage: str) -> str:
    """The ARN of :func:`analysis_role_name`: fixed, as the apps' AnalysisTemplates name it."""
    return naming.addon_role_arn(partition, account_id, stage, ANALYSIS_ROLE)


def derived_name_problems(cloud: AppCloud, account_id: str) -> list[tuple[str, str, int]]:
    """Names derived for ``cloud`` that AWS would refuse as too long: (what, name, limit)."""
    found = []
    if cloud.bucket is not None:
        if len(cloud.bucket_name(account_id)) > BUCKET_NAME_MAX:
            found.append(("bucket name", cloud.bucket_name(account_id), BUCKET_NAME_MAX))
        if len(cloud.role_name()) > ROLE_NAME_MAX:
            found.append(("IAM role name", cloud.role_name(), ROLE_NAME_MAX))
    if cloud.database is not None and len(cloud.database_identifier()) > DB_IDENTIFIER_MAX:
        found.append(("database identifier", cloud.database_identifier(), DB_IDENTIFIER_MAX))
    elif (
        cloud.database is not None
        and cloud.database.engine == "aurora-postgresql"
        and len(cloud.database_instance_identifier()) > DB_IDENTIFIER_MAX
    ):
        found.append(
            (
                "database instance identifier",
                cloud.database_instance_identifier(),
                DB_IDENTIFIER_MAX,
            )
        )
    return found
