"""Valkey on ElastiCache: the cluster's fan-out bus, presence and rate limits (design §1).

It holds nothing that PostgreSQL does not (notifications, TTL'd presence and counters), so it
takes no snapshots; losing it costs a resync, which the hub does on reconnect.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.network import DATA
from tipchat_infra.nag import acknowledge

PORT = 6379


class Cache(Construct):
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
            description="Valkey: from tipchat tasks only",
            allow_all_outbound=False,
        )
        for client in clients:
            self.security_group.add_ingress_rule(client, ec2.Port.tcp(PORT), "tipchat tasks")

        # AUTH token: 16-128 printable characters; no punctuation keeps it URL-safe too.
        self.auth_secret = secretsmanager.Secret(
            self,
            "AuthToken",
            secret_name=f"tipchat/{config.name}/valkey-auth",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        subnets = elasticache.CfnSubnetGroup(
            self,
            "Subnets",
            description="tipchat Valkey: isolated data subnets",
            subnet_ids=vpc.select_subnets(subnet_group_name=DATA.subnet_group_name).subnet_ids,
        )
        replicated = config.cache_nodes > 1
        self.replication_group = elasticache.CfnReplicationGroup(
            self,
            "ReplicationGroup",
            replication_group_id=f"tipchat-{config.name}",
            replication_group_description="tipchat fan-out, presence and rate limits",
            engine="valkey",
            engine_version="8.0",
            cache_node_type=config.cache_node_type,
            num_cache_clusters=config.cache_nodes,
            automatic_failover_enabled=replicated,
            multi_az_enabled=replicated,
            port=PORT,
            cache_subnet_group_name=subnets.ref,
            security_group_ids=[self.security_group.security_group_id],
            at_rest_encryption_enabled=True,
            kms_key_id=key.key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=self.auth_secret.secret_value.unsafe_unwrap(),  # a dynamic reference
            auto_minor_version_upgrade=True,
            snapshot_retention_limit=0,
        )
        self.replication_group.node.add_dependency(subnets)
        self.replication_group.apply_removal_policy(RemovalPolicy.DESTROY)
        # Members are named <group>-001, -002, ...: alarms watch the first.
        self.primary_member_id = f"tipchat-{config.name}-001"

        acknowledge(
            self.auth_secret,
            "AwsSolutions-SMG4",
            "ElastiCache AUTH rotation is a two-step ROTATE/SET on the replication group; "
            "it is an operation with a rolling restart (docs/operations.md), not a schedule.",
        )
        if not replicated:
            acknowledge(
                self.replication_group,
                "AwsSolutions-AEC4",
                f"{config.name}: one node by stage config; prod has a replica in another AZ "
                "with automatic failover.",
            )
