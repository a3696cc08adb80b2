"""The AWS side of the apps in each stage's own stack: DNS, certificate, Prometheus, databases,
buckets (components/apps_aws.py), planned under the mocks, and the pure builders behind them.

The example stacks are planned as the CLI plans them (dev adopts its zone, staging makes its
zone and runs Prometheus, prod adopts its zone and runs Prometheus); variants add apps with a
database and a bucket (an :class:`AppCloud` list, as the program passes the catalog's), and
turn production on or off. Graph invariants are asserted, not outputs copied.
"""

from __future__ import annotations

import copy
import dataclasses
import fnmatch
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pulumi
import pytest
import yaml

from argosy.addons import external_dns
from argosy.addons.spec import AddonContext, secrets_prefix
from argosy.apps.cloud import (
    DATABASE_KEYS,
    PROMETHEUS_SECRET,
    AppCloud,
    Bucket,
    Database,
    analysis_role_name,
)
from argosy.config.source import read_stack_file
from argosy.config.stage import AwsStageConfig
from argosy.config.topology import resolve_topology
from argosy.config.validate import validate_stage
from argosy.manifests import apps_aws as build
from argosy.manifests import kms
from argosy.plan.engine import run_program
from argosy.plan.monitor import REDACTED, Registration
from argosy.plan.planner import Project, check_run, mocks_for, stage_facts
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import RULES
from components.apps_aws import StageAppsArgs
from components.stage import build_stage
from tests.conftest import REPO, Planned, load_example

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
WORKSPACE = "aws:amp/workspace:Workspace"
SCRAPER = "aws:amp/scraper:Scraper"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
KEY = "aws:kms/key:Key"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_INSTANCE = "aws:rds/instance:Instance"
PASSWORD = "random:index/randomPassword:RandomPassword"
BUCKET = "aws:s3/bucket:Bucket"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
GET_ZONE = "aws:route53/getZone:getZone"

ACCOUNTS = {"dev": "222222222222", "staging": "333333333333", "prod": "444444444444"}


def cloud_apps(stage: str) -> list[AppCloud]:
    """Two apps: one on Aurora Serverless v2 with a bucket, one on RDS without."""
    return [
        AppCloud(
            app="todo",
            stage=stage,
            database=Database(engine="aurora-postgresql", version="16.6", name="todo"),
            bucket=Bucket(noncurrent_days=14),
        ),
        AppCloud(
            app="payments",
            stage=stage,
            database=Database(engine="postgres", version="16.6", name="payments"),
        ),
    ]


@pytest.fixture(scope="module")
def plan_apps(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Planned]:
    """Plan an example stack (its ``argosy:apps`` edited) with an AppCloud list, once each."""
    cache: dict[str, Planned] = {}

    def plan(
        stack: str,
        apps: Sequence[AppCloud] = (),
        *,
        key: str = "",
        edit: Callable[[dict[str, Any]], None] | None = None,
    ) -> Planned:
        cache_key = f"{stack}:{key}"
        if cache_key in cache:
            return cache[cache_key]
        document = copy.deepcopy(load_example(stack))
        if edit is not None:
            edit(document["config"])
        path = tmp_path_factory.mktemp(f"{stack}-{key or 'example'}") / f"Pulumi.{stack}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        stack_file = read_stack_file(path, stack=stack, display=path.name)
        config = validate_stage(stack, stack_file.config, source=stack_file.source)
        topology = resolve_topology(config, REPO / "stacks")

        def program() -> None:
            stage = build_stage(config, topology, apps=list(apps))
            for name, value in stage.exports().items():
                pulumi.export(name, value)

        run = run_program(
            program,
            project=project.name,
            stack=stack,
            mocks=mocks_for(config),
            config={},
            root_directory=project.root,
        )
        cache[cache_key] = Planned(
            config=config, run=run, graph=PlanGraph.of(run), checks=check_run(run, config)
        )
        return cache[cache_key]

    return plan


def production(on: bool) -> Callable[[dict[str, Any]], None]:
    def edit(config: dict[str, Any]) -> None:
        config["argosy:production"] = on

    return edit


def made_zone(config: dict[str, Any]) -> None:
    """Prod, its zone made by the stack instead of adopted."""
    del config["argosy:apps"]["hostedZoneId"]


def of(plan: Planned, type_: str) -> list[Registration]:
    return plan.graph.of_type(type_)


def one(plan: Planned, type_: str, name: str | None = None) -> Registration:
    return plan.one(type_, name)


def policy_of(plan: Planned, role_name: str) -> dict[str, Any]:
    [inline] = [p for p in of(plan, ROLE_POLICY) if p.inputs["role"] == role_name]
    document: dict[str, Any] = json.loads(inline.inputs["policy"])
    return document


def statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from document["Statement"]


def waits_for(plan: Planned, resource: Registration, other: Registration) -> bool:
    return other.urn in plan.graph.waits_for(resource.urn)


# --------------------------------------------------------------------------------------
# Every variant passes every rule


@pytest.mark.parametrize(
    ("stack", "key", "edit"),
    [
        ("dev", "apps", None),
        ("staging", "apps", None),
        ("prod", "apps", None),
        ("prod", "made-zone", made_zone),
        ("staging", "production", production(True)),
    ],
)
def test_every_variant_passes_every_rule(
    plan_apps: Callable[..., Planned],
    stack: str,
    key: str,
    edit: Callable[[dict[str, Any]], None] | None,
) -> None:
    plan = plan_apps(stack, cloud_apps(stack), key=key, edit=edit)
    assert plan.checks.findings == ()
    assert len(plan.checks.passed) == len(RULES) == 32


# --------------------------------------------------------------------------------------
# DNS: the zone, the certificate, one validation record


def test_dev_adopts_its_zone_and_reads_it(planned: Callable[[str], Planned]) -> None:
    dev = planned("dev")
    apps = load_example("dev")["config"]["argosy:apps"]
    assert of(dev, ZONE) == []
    # Read through the stage's provider, so a zone of another account fails the preview.
    zone_reads = [(t, p) for t, p in dev.run.invokes if t == GET_ZONE]
    assert len(zone_reads) == 1
    assert "$pulumi:providers:aws::dev-account::" in zone_reads[0][1]
    [record] = of(dev, RECORD)
    assert record.inputs["zoneId"] == apps["hostedZoneId"] == dev.run.outputs["appsZoneId"]


@pytest.mark.parametrize(
    ("stack", "key", "edit"), [("staging", "", None), ("prod", "made-zone", made_zone)]
)
def test_a_made_zone_is_public_kept_and_protected_in_production(
    plan_apps: Callable[..., Planned],
    stack: str,
    key: str,
    edit: Callable[[dict[str, Any]], None] | None,
) -> None:
    plan = plan_apps(stack, key=key, edit=edit)
    [zone] = of(plan, ZONE)
    domain = plan.config.apps.domain
    assert zone.inputs["name"] == domain
    assert zone.inputs["forceDestroy"] is False
    assert "vpcs" not in zone.inputs  # public
    assert zone.protect is plan.config.production
    assert not any(t == GET_ZONE for t, _ in plan.run.invokes)
    [record] = of(plan, RECORD)
    assert record.inputs["zoneId"] == zone.outputs["zoneId"]
    assert zone.urn in record.dependencies


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_one_validation_record_then_the_validation(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    domain = plan.config.apps.domain
    certificate = one(plan, CERTIFICATE)
    assert certificate.inputs["domainName"] == domain
    assert certificate.inputs["subjectAlternativeNames"] == [f"*.{domain}"]
    assert certificate.inputs["validationMethod"] == "DNS"
    # The domain and its wildcard ask for the same record: one record serves both.
    options = certificate.outputs["domainValidationOptions"]
    assert [o["domainName"] for o in options] == [domain, f"*.{domain}"]
    [record] = of(plan, RECORD)
    assert (record.inputs["name"], record.inputs["type"], record.inputs["records"]) == (
        options[0]["resourceRecordName"],
        "CNAME",
        [options[0]["resourceRecordValue"]],
    )
    assert record.inputs["allowOverwrite"] is True
    assert certificate.urn in record.dependencies
    validation = one(plan, VALIDATION)
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert validation.inputs["validationRecordFqdns"] == [record.outputs["fqdn"]]
    assert record.urn in validation.dependencies and certificate.urn in validation.dependencies


def test_no_domain_no_dns(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    for type_ in (ZONE, RECORD, CERTIFICATE, VALIDATION, WORKSPACE, SCRAPER):
        assert of(hub, type_) == []
    assert not any(t == GET_ZONE for t, _ in hub.run.invokes)


def test_the_validation_record_builder_refuses_two_records() -> None:
    options = [
        {
            "domainName": "dev.acme.example",
            "resourceRecordName": "_a.dev.acme.example.",
            "resourceRecordType": "CNAME",
            "resourceRecordValue": "_b.acm-validations.aws.",
        },
        {
            "domain_name": "*.dev.acme.example",
            "resource_record_name": "_c.dev.acme.example.",
            "resource_record_type": "CNAME",
            "resource_record_value": "_d.acm-validations.aws.",
        },
    ]
    with pytest.raises(ValueError) as error:
        build.validation_record(options)
    assert str(error.value) == (
        "the certificate for ['*.dev.acme.example', 'dev.acme.example'] asks for 2 distinct "
        "validation records; argosy creates one (ACM gives a domain and its wildcard the same "
        "record)"
    )
    same = [options[0], {**options[0], "domainName": "*.dev.acme.example"}]
    assert build.validation_record(same) == build.ValidationRecord(
        name="_a.dev.acme.example.", type="CNAME", value="_b.acm-validations.aws."
    )


# --------------------------------------------------------------------------------------
# external-dns serves the apps' domain


def test_external_dns_adds_an_adopted_zone_once(planned: Callable[[str], Planned]) -> None:
    dev = planned("dev")
    document = policy_of(dev, "argosy-dev-external-dns")
    [write, listing] = statements(document)
    # The configured zone is the adopted one: named once.
    assert write["Resource"] == ["arn:aws:route53:::hostedzone/Z01DEV0ACME0EXAMPLE00"]
    assert "Condition" not in write and listing["Action"] == ["route53:ListHostedZones"]
    values = external_dns.values(AddonContext.of(dev.config))
    assert values["domainFilters"] == ["dev.acme.example"]
    assert values["extraArgs"] == {"zone-id-filter": ["Z01DEV0ACME0EXAMPLE00"]}


def test_external_dns_changes_a_made_zone_s_names_only(planned: Callable[[str], Planned]) -> None:
    staging = planned("staging")
    # Delivered for the domain alone (no addons.externalDns on staging).
    assert load_example("staging")["config"].get("argosy:addons") is None
    ctx = AddonContext.of(staging.config)
    assert external_dns.ADDON.delivered_to(ctx)
    document = policy_of(staging, "argosy-staging-external-dns")
    change, listing, zones = statements(document)
    assert change == {
        "Sid": "ChangeAppDomainRecords",
        "Effect": "Allow",
        "Action": ["route53:ChangeResourceRecordSets"],
        "Resource": ["arn:aws:route53:::hostedzone/*"],
        "Condition": {
            "ForAllValues:StringLike": {
                "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
                    "staging.acme.example",
                    "*.staging.acme.example",
                ]
            }
        },
    }
    assert listing["Action"] == ["route53:ListResourceRecordSets"]
    assert zones["Action"] == ["route53:ListHostedZones"]
    values = external_dns.values(ctx)
    assert values["domainFilters"] == ["staging.acme.example"]
    assert values["extraArgs"] == {"aws-zone-type": "public"}
    assert values["policy"] == "upsert-only"


def test_external_dns_without_an_app_domain_is_unchanged(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    ctx = AddonContext.of(hub.config)
    assert hub.config.apps.domain is None
    document = policy_of(hub, "argosy-hub-external-dns")
    assert [s["Sid"] for s in statements(document)] == [
        "ChangeRecordsInStageZones",
        "ListHostedZones",
    ]
    assert not any("Condition" in s for s in statements(document))
    assert set(external_dns.values(ctx)["extraArgs"]) == {"zone-id-filter"}


def test_e15_refuses_the_app_domain_statement_without_its_condition(
    planned: Callable[[str], Planned],
) -> None:
    staging = planned("staging")
    inline = next(
        p for p in of(staging, ROLE_POLICY) if p.inputs["role"] == "argosy-staging-external-dns"
    )
    check = next(r.check for r in RULES if r.id == "E15")
    facts = stage_facts(staging.config)
    assert [f.message for f in check(staging.graph, facts)] == []

    def unconditioned(resource: Registration) -> Registration:
        policy = json.loads(resource.inputs["policy"])
        for statement in policy["Statement"]:
            statement.pop("Condition", None)
        return dataclasses.replace(
            resource, inputs={**resource.inputs, "policy": json.dumps(policy)}
        )

    graph = PlanGraph(
        unconditioned(r) if r.urn == inline.urn else r for r in staging.graph.resources
    )
    assert [f.message for f in check(graph, facts)] == [
        "statement ChangeAppDomainRecords allows route53:ChangeResourceRecordSets on "
        "arn:aws:route53:::hostedzone/* without a condition"
    ]


# --------------------------------------------------------------------------------------
# Prometheus


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_scraper_reads_the_cluster_into_the_workspace(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    workspace = one(plan, WORKSPACE)
    scraper = one(plan, SCRAPER)
    cluster = one(plan, EKS_CLUSTER)
    assert workspace.inputs["alias"] == f"argosy-{stack}"
    assert workspace.protect is plan.config.production
    source = scraper.inputs["source"]["eks"]
    assert source["clusterArn"] == cluster.outputs["arn"]
    assert source["subnetIds"] == plan.run.outputs["privateSubnetIds"]
    assert source["securityGroupIds"] == [plan.run.outputs["clusterSecurityGroupId"]]
    assert scraper.inputs["destination"] == {"amp": {"workspaceArn": workspace.outputs["arn"]}}
    config = yaml.safe_load(scraper.inputs["scrapeConfiguration"])
    assert config["global"]["scrape_interval"] == "30s"
    [job] = config["scrape_configs"]
    relabel = job["relabel_configs"]
    keep = relabel[0]
    assert keep == {
        "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
        "action": "keep",
        "regex": "true",
    }
    targets = {r.get("target_label"): r["source_labels"] for r in relabel if "target_label" in r}
    assert targets["__metrics_path__"] == ["__meta_kubernetes_pod_annotation_prometheus_io_path"]
    assert targets["__address__"][1] == "__meta_kubernetes_pod_annotation_prometheus_io_port"
    # The labels the apps' AnalysisTemplates select by.
    assert targets["namespace"] == ["__meta_kubernetes_namespace"]
    assert targets["service"] == ["__meta_kubernetes_service_name"]


def test_no_access_entry_is_declared_for_the_scraper(planned: Callable[[str], Planned]) -> None:
    """AMP makes the scraper's access entry itself; EKS refuses one for a service-linked role."""
    staging = planned("staging")
    scraper = one(staging, SCRAPER)
    role_arn = scraper.outputs["roleArn"]
    assert ":role/aws-service-role/scraper.aps.amazonaws.com/" in role_arn
    assert not any(e.inputs.get("principalArn") == role_arn for e in of(staging, ACCESS_ENTRY))


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_analysis_role_is_the_rollouts_role_s_only(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    account = ACCOUNTS[stack]
    rollouts_arn = f"arn:aws:iam::{account}:role/argosy-{stack}-argo-rollouts"
    analysis_arn = f"arn:aws:iam::{account}:role/{analysis_role_name(stack)}"
    analysis = one(plan, ROLE, f"{stack}-apps-analysis")
    assert analysis.inputs["name"] == analysis_role_name(stack)
    assert analysis.outputs["arn"] == analysis_arn
    trust = json.loads(analysis.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Sid": "ArgoRolloutsAssumes",
            "Effect": "Allow",
            "Principal": {"AWS": rollouts_arn},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ]
    # The trust names the controller's role: it exists first.
    rollouts = next(r for r in of(plan, ROLE) if r.outputs.get("arn") == rollouts_arn)
    assert waits_for(plan, analysis, rollouts)
    workspace = one(plan, WORKSPACE)
    [query] = statements(policy_of(plan, analysis_role_name(stack)))
    assert query["Resource"] == workspace.outputs["arn"]
    assert query["Action"] == list(build.QUERY_ACTIONS)
    # And the controller may assume that role, and no other.
    assumes = [s for s in statements(policy_of(plan, f"argosy-{stack}-argo-rollouts"))
               if "sts:AssumeRole" in s["Action"]]  # fmt: skip
    assert assumes == [
        {
            "Sid": "AssumeAnalysisRole",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Resource": analysis_arn,
        }
    ]


def test_without_prometheus_rollouts_assumes_nothing(planned: Callable[[str], Planned]) -> None:
    dev = planned("dev")
    assert of(dev, WORKSPACE) == [] and of(dev, SCRAPER) == []
    document = policy_of(dev, "argosy-dev-argo-rollouts")
    assert not any("sts:AssumeRole" in s["Action"] for s in statements(document))
    assert not [r for r in of(dev, ROLE) if r.inputs.get("name") == analysis_role_name("dev")]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_workspace_id_secret_is_where_external_secrets_reads(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    ctx = AddonContext.of(plan.config)
    secret = one(plan, SECRET, f"{stack}-apps-prometheus")
    assert secret.inputs["name"] == secrets_prefix(ctx) + PROMETHEUS_SECRET
    version = one(plan, SECRET_VERSION, f"{stack}-apps-prometheus")
    assert version.inputs["secretId"] == secret.outputs["arn"]
    assert one(plan, WORKSPACE).urn in version.dependencies
    [read] = statements(policy_of(plan, f"argosy-{stack}-external-secrets"))
    assert any(fnmatch.fnmatchcase(secret.outputs["arn"], r) for r in read["Resource"])
    assert build.workspace_secret_json("ws-1") == '{"workspaceId": "ws-1"}'


# --------------------------------------------------------------------------------------
# Databases


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_databases_are_private_encrypted_and_kept_in_production(
    plan_apps: Callable[..., Planned], stack: str
) -> None:
    plan = plan_apps(stack, cloud_apps(stack), key="apps")
    prod = plan.config.production
    outputs = plan.run.outputs
    aurora = one(plan, RDS_CLUSTER)
    [instance] = of(plan, RDS_CLUSTER_INSTANCE)
    rds = one(plan, RDS_INSTANCE)
    keys = {k.name: k for k in of(plan, KEY)}
    for database, app in ((aurora, "todo"), (rds, "payments")):
        key = keys[f"{stack}-apps-{app}-database"]
        assert database.inputs["storageEncrypted"] is True
        assert database.inputs["kmsKeyId"] == key.outputs["arn"]
        assert database.inputs["backupRetentionPeriod"] == (14 if prod else 7)
        assert database.inputs["deletionProtection"] is prod
        assert database.inputs["skipFinalSnapshot"] is not prod
        assert database.inputs.get("finalSnapshotIdentifier") == (
            f"argosy-{stack}-{app}-final" if prod else None
        )
        assert database.protect is prod and key.protect is prod
        # The password is a secret everywhere in the plan.
        password_input = "masterPassword" if database is aurora else "password"
        assert database.inputs[password_input] == REDACTED
        [group_id] = database.inputs["vpcSecurityGroupIds"]
        group = next(g for g in of(plan, SECURITY_GROUP) if g.id == group_id)
        [rule] = [r for r in of(plan, INGRESS_RULE) if r.inputs["securityGroupId"] == group.id]
        assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (
            5432,
            5432,
            "tcp",
        )
        assert rule.inputs["referencedSecurityGroupId"] == outputs["clusterSecurityGroupId"]
        assert "cidrIpv4" not in rule.inputs
        subnets = next(
            s
            for s in of(plan, SUBNET_GROUP)
            if s.inputs["name"] == database.inputs.get("dbSubnetGroupName")
        )
        assert subnets.inputs["subnetIds"] == outputs["privateSubnetIds"]
    assert aurora.inputs["clusterIdentifier"] == "argosy-" + stack + "-todo"
    assert aurora.inputs["engine"] == "aurora-postgresql"
    assert aurora.inputs["serverlessv2ScalingConfiguration"] == {
        "minCapacity": 0.5,
        "maxCapacity": 4,
    }
    assert instance.inputs["instanceClass"] == "db.serverless"
    assert instance.inputs["publiclyAccessible"] is False
    assert instance.inputs["clusterIdentifier"] == aurora.id
    assert instance.protect is prod
    assert rds.inputs["identifier"] == f"argosy-{stack}-payments"
    assert rds.inputs["publiclyAccessible"] is False
    assert rds.inputs["multiAz"] is prod


def test_database_secrets_are_named_encrypted_and_never_shown(
    plan_apps: Callable[..., Planned],
) -> None:
    plan = plan_apps("staging", cloud_apps("staging"), key="apps")
    prefix = secrets_prefix(AddonContext.of(plan.config))
    [external_secrets_read] = statements(policy_of(plan, "argosy-staging-external-secrets"))
    for cloud in cloud_apps("staging"):
        secret = one(plan, SECRET, f"staging-apps-{cloud.app}-database")
        key = one(plan, KEY, f"staging-apps-{cloud.app}-database")
        assert secret.inputs["name"] == cloud.database_secret_name(prefix)
        assert secret.inputs["kmsKeyId"] == key.outputs["arn"]
        assert any(
            fnmatch.fnmatchcase(secret.outputs["arn"], r) for r in external_secrets_read["Resource"]
        )
        version = one(plan, SECRET_VERSION, f"staging-apps-{cloud.app}-database")
        assert version.inputs["secretString"] == REDACTED and version.has_secret_inputs
        password = one(plan, PASSWORD, f"staging-apps-{cloud.app}-database")
        assert password.urn in plan.graph.waits_for(version.urn)
        assert password.outputs["result"] == REDACTED
    # The stand-in password the mocks answer never reaches the plan, in any form.
    assert "plan-only-" not in json.dumps([dataclasses.asdict(r) for r in plan.run.resources])
    # The secret's keys are libpq's variables.
    document = json.loads(
        build.database_secret_json(host="h", port=5432, database="d", user="u", password="p")
    )
    assert sorted(document) == sorted(DATABASE_KEYS)
    assert document["PGPORT"] == "5432"


def test_the_database_key_is_used_through_rds_and_secrets_manager_only() -> None:
    document = kms.database_key_policy(
        partition="aws", region="eu-west-1", account_id="333333333333"
    )
    admin, use, grants = document["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    assert not {"kms:Decrypt", "kms:Encrypt"} & set(admin["Action"])
    assert use["Condition"]["StringEquals"] == {
        "kms:CallerAccount": "333333333333",
        "kms:ViaService": [
            "rds.eu-west-1.amazonaws.com",
            "secretsmanager.eu-west-1.amazonaws.com",
        ],
    }
    assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert grants["Condition"]["StringEquals"]["kms:ViaService"] == "rds.eu-west-1.amazonaws.com"


# --------------------------------------------------------------------------------------
# Buckets and the app's own role


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_app_bucket_and_its_role(plan_apps: Callable[..., Planned], stack: str) -> None:
    plan = plan_apps(stack, cloud_apps(stack), key="apps")
    todo = cloud_apps(stack)[0]
    account = ACCOUNTS[stack]
    bucket_name = todo.bucket_name(account)
    bucket = one(plan, BUCKET, f"{stack}-apps-todo-bucket")
    assert bucket.inputs["bucket"] == bucket_name
    assert bucket.protect is plan.config.production
    assert bucket.inputs["forceDestroy"] is not plan.config.production
    key = one(plan, KEY, f"{stack}-apps-todo-bucket")
    settings = {r.type: r for r in plan.run.resources if r.name == f"{stack}-apps-todo-bucket"}
    encryption = settings[
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ]
    [rule] = encryption.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key.outputs["arn"],
    }
    block = settings["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"].inputs
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                          "ignorePublicAcls", "restrictPublicBuckets"))  # fmt: skip
    [deny] = json.loads(settings["aws:s3/bucketPolicy:BucketPolicy"].inputs["policy"])["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    versioning = settings["aws:s3/bucketVersioning:BucketVersioning"]
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    lifecycle = settings["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"]
    assert versioning.urn in lifecycle.dependencies
    expiry = next(r for r in lifecycle.inputs["rules"] if r["id"] == "expire-noncurrent-versions")
    assert expiry["noncurrentVersionExpiration"] == {"noncurrentDays": 14}

    role = one(plan, ROLE, f"{stack}-apps-todo")
    assert role.inputs["name"] == todo.role_name()
    [association] = [a for a in of(plan, ASSOCIATION) if a.inputs["roleArn"] == role.outputs["arn"]]
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == (
        "todo",
        "todo",
    )
    bucket_arn = f"arn:aws:s3:::{bucket_name}"
    document = policy_of(plan, todo.role_name())
    resources = sorted(str(r) for s in statements(document) for r in [s["Resource"]])
    assert resources == sorted([bucket_arn, f"{bucket_arn}/*", key.outputs["arn"]])
    assert not any(a.endswith("*") for s in statements(document) for a in s["Action"])
    # No role for an app without a bucket.
    assert not [
        r for r in of(plan, ROLE) if r.inputs.get("name") == "argosy-" + stack + "-app-payments"
    ]


def test_the_artifact_bucket_is_unchanged_by_the_shared_builder(
    planned: Callable[[str], Planned],
) -> None:
    dev = planned("dev")
    settings = {
        r.type.rsplit(":", 1)[-1]
        for r in dev.run.resources
        if r.name == "dev-controllers-artifacts"
    }
    # No versioning on the artifact bucket; the lifecycle waits for nothing but the bucket.
    assert settings == {
        "Alias",
        "Key",
        "Bucket",
        "BucketOwnershipControls",
        "BucketPublicAccessBlock",
        "BucketServerSideEncryptionConfiguration",
        "BucketPolicy",
        "BucketLifecycleConfiguration",
    }


# --------------------------------------------------------------------------------------
# Arguments and the RBAC builder


def test_stage_apps_args_refuse_apps_of_another_stage(planned: Callable[[str], Planned]) -> None:
    staging = planned("staging")
    assert isinstance(staging.config, AwsStageConfig)
    long_app = "a" * 60
    with pytest.raises(ValueError) as error:
        StageAppsArgs(
            config=staging.config,
            apps=[
                AppCloud(app="todo", stage="prod"),
                AppCloud(app="x", stage="staging"),
                AppCloud(app="x", stage="staging"),
                AppCloud(app=long_app, stage="staging", bucket=Bucket()),
            ],
            cluster_name="argosy-staging",
            cluster_arn="arn",
            vpc_id="vpc",
            private_subnet_ids=["a", "b"],
            cluster_security_group_id="sg",
            partition="aws",
            provider=None,  # type: ignore[arg-type]
        )
    assert str(error.value) == (
        "StageApps of stage staging: app 'todo' is for stage 'prod', not 'staging'; app 'x' "
        f"is listed twice; app '{long_app}': bucket name 'argosy-staging-{long_app}-"
        "333333333333' is longer than 63 characters; app "
        f"'{long_app}': IAM role name 'argosy-staging-app-{long_app}' is longer than 64 "
        "characters"
    )


def test_normalized_record_names() -> None:
    assert build.normalized_record_names("Dev.Acme.Example.") == [
        "dev.acme.example",
        "*.dev.acme.example",
    ]


def test_plans_are_deterministic(plan_apps: Callable[..., Planned]) -> None:
    first = plan_apps("prod", cloud_apps("prod"), key="apps")
    again = plan_apps("prod", cloud_apps("prod"), key="apps-again")
    strip = [(r.urn, r.id, r.inputs, r.dependencies) for r in first.run.resources]
    assert strip == [(r.urn, r.id, r.inputs, r.dependencies) for r in again.run.resources]
