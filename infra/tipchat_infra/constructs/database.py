"""PostgreSQL on RDS: encrypted with the data key, in isolated subnets, reachable only from the
app and worker security groups, TLS required, credentials in Secrets Manager."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.network import DATA
from tipchat_infra.nag import acknowledge

PORT = 5432
DATABASE_NAME = "tipchat"


class Database(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        vpc: ec2.IVpc,
        key: kms.IKey,
        clients: list[ec2.ISecurityGroup],
    ) -> None:
        super().__init__(scope, id)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="PostgreSQL: from tipchat tasks only",
            allow_all_outbound=False,
        )
        for client in clients:
            self.security_group.add_ingress_rule(client, ec2.Port.tcp(PORT), "tipchat tasks")

        engine = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16)
        parameters = rds.ParameterGroup(
            self,
            "Parameters",
            engine=engine,
            parameters={
                # The default from PostgreSQL 15 on RDS; stated so a downgrade cannot drop it.
                "rds.force_ssl": "1",
                # Statements slower than this land in the exported log: enough to find the
                # query behind a p99 alarm without logging the traffic.
                "log_min_duration_statement": "500",
            },
        )
        identifier = f"tipchat-{config.name}"
        # Created here (not by RDS on first write) so it has a retention period.
        logs.LogGroup(
            self,
            "PostgresLog",
            log_group_name=f"/aws/rds/instance/{identifier}/postgresql",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        removal = RemovalPolicy.RETAIN if config.deletion_protection else RemovalPolicy.SNAPSHOT
        self.instance = rds.DatabaseInstance(
            self,
            "Instance",
            engine=engine,
            instance_identifier=identifier,
            instance_type=ec2.InstanceType(config.db_instance_class),
            vpc=vpc,
            vpc_subnets=DATA,
            security_groups=[self.security_group],
            port=PORT,
            database_name=DATABASE_NAME,
            credentials=rds.Credentials.from_generated_secret(
                "tipchat", secret_name=f"tipchat/{config.name}/database"
            ),
            parameter_group=parameters,
            multi_az=config.db_multi_az,
            storage_type=rds.StorageType.GP3,
            allocated_storage=config.db_allocated_storage_gib,
            max_allocated_storage=config.db_max_allocated_storage_gib,
            storage_encrypted=True,
            storage_encryption_key=key,
            backup_retention=Duration.days(config.db_backup_retention_days),
            preferred_backup_window="02:00-03:00",
            preferred_maintenance_window="sun:03:30-sun:04:30",
            copy_tags_to_snapshot=True,
            deletion_protection=config.deletion_protection,
            removal_policy=removal,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
            cloudwatch_logs_exports=["postgresql"],
        )
        self.secret = self.instance.secret
        assert self.secret is not None  # from_generated_secret always makes one

        acknowledge(
            self.instance,
            "AwsSolutions-RDS11",
            "A non-default port is obscurity, not access control: the instance sits in "
            "isolated subnets and its security group admits only the tipchat task groups.",
        )
        acknowledge(
            self.instance,  # the generated secret is a child of the instance
            "AwsSolutions-SMG4",
            "tipchat reads DATABASE_URL once at start, so single-user rotation would cut "
            "running tasks off at their next new connection. Rotation is an operation "
            "(docs/operations.md: rotate, then roll the services), not a schedule, until "
            "multi-user rotation is set up.",
        )
        if not config.db_multi_az:
            acknowledge(
                self.instance,
                "AwsSolutions-RDS3",
                f"{config.name}: single-AZ by stage config to halve cost; prod is Multi-AZ.",
            )
        if not config.deletion_protection:
            acknowledge(
                self.instance,
                "AwsSolutions-RDS10",
                f"{config.name}: disposable by stage config; prod has deletion protection.",
            )
