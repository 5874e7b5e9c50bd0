"""The stateful stack: everything that holds data or identity and must not be replaced by
accident. Its resources' logical ids are pinned by tests/infra (expected_logical_ids.json):
a rename that would replace a database fails the build instead of a deploy."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.cache import Cache
from tipchat_infra.constructs.cognito import CognitoProvider
from tipchat_infra.constructs.database import Database
from tipchat_infra.constructs.network import Network
from tipchat_infra.constructs.secrets import AppSecrets
from tipchat_infra.constructs.storage import AccessLogs, Media


class StatefulStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.network = Network(self, "Network", config=config)
        # One customer-managed key for the data stores: its key policy, not just IAM, says
        # who can read the PostgreSQL storage and Valkey's disk. Rotated yearly by KMS.
        self.data_key = kms.Key(
            self,
            "DataKey",
            alias=f"alias/tipchat-{config.name}-data",
            description="tipchat: RDS and ElastiCache encryption at rest",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
            pending_window=Duration.days(30),
        )
        self.database = Database(
            self,
            "Database",
            config=config,
            vpc=self.network.vpc,
            key=self.data_key,
            clients=self.network.clients,
        )
        self.cache = Cache(
            self,
            "Cache",
            config=config,
            vpc=self.network.vpc,
            key=self.data_key,
            clients=self.network.clients,
        )
        self.access_logs = AccessLogs(self, "AccessLogs", config=config)
        self.media = Media(self, "Media", config=config, access_logs=self.access_logs.bucket)
        self.secrets = AppSecrets(self, "Secrets", config=config)
        # Images are tagged by commit and never overwritten, so "deploy tag X" always means
        # the same bytes and a rollback is a redeploy of the previous tag.
        self.images = ecr.Repository(
            self,
            "Images",
            repository_name=f"tipchat-{config.name}",
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            image_scan_on_push=True,
            lifecycle_rules=[ecr.LifecycleRule(max_image_count=200)],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.cognito = (
            CognitoProvider(self, "Cognito", config=config) if config.enable_cognito else None
        )
