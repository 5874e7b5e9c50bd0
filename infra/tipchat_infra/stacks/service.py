"""The stateless regional stack: load balancer, ECS services, WAF, DNS, alarms. Everything
here can be destroyed and recreated from code and an image tag without losing data."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_route53 as route53
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.app_service import AppService
from tipchat_infra.constructs.load_balancer import LoadBalancer
from tipchat_infra.constructs.observability import Observability
from tipchat_infra.constructs.worker_service import WorkerService
from tipchat_infra.nag import acknowledge
from tipchat_infra.runtime import oidc_runtime, tipchat_runtime
from tipchat_infra.stacks.stateful import StatefulStack


class ServiceStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        data: StatefulStack,
        image_tag: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        vpc = data.network.vpc
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=config.hosted_zone_name
        )
        self.load_balancer = LoadBalancer(
            self,
            "LoadBalancer",
            config=config,
            vpc=vpc,
            zone=zone,
            access_logs=data.access_logs.bucket,
        )
        cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            cluster_name=f"tipchat-{config.name}",
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        image = ecs.ContainerImage.from_ecr_repository(data.images, image_tag)
        # The task security groups live in the stateful stack (the data stores admit them).
        # Imported here, so the rules this stack adds to them (ALB -> app on 8000) are
        # resources of this stack and the dependency runs one way: service -> stateful.
        app_sg, worker_sg = (
            ec2.SecurityGroup.from_security_group_id(
                self, name, group.security_group_id, allow_all_outbound=True, mutable=True
            )
            for name, group in (
                ("AppTasks", data.network.app_security_group),
                ("WorkerTasks", data.network.worker_security_group),
            )
        )
        runtime = tipchat_runtime(config, data)
        self.app = AppService(
            self,
            "App",
            config=config,
            cluster=cluster,
            image=image,
            runtime=runtime | oidc_runtime(data),
            security_group=app_sg,
            listener=self.load_balancer.listener,
            media_bucket_name=data.media.bucket_name,
        )
        self.worker = WorkerService(
            self,
            "Worker",
            config=config,
            cluster=cluster,
            image=image,
            runtime=runtime,
            security_group=worker_sg,
            media_bucket_name=data.media.bucket_name,
        )
        self.observability = Observability(
            self,
            "Observability",
            config=config,
            alb=self.load_balancer.alb,
            target_group=self.app.target_group,
            database=data.database.instance,
            cache_member_id=data.cache.primary_member_id,
        )
        for service in (self.app, self.worker):
            execution_role = service.task.execution_role
            assert execution_role is not None
            acknowledge(
                execution_role,
                "AwsSolutions-IAM5[Resource::*]",
                "ecr:GetAuthorizationToken has no resource-level permissions (AWS requires "
                "'*'); image pulls themselves are granted on the one repository.",
            )
            # ECS task definitions with secrets and environment are flagged by ECS2 (plain
            # environment variables); ours are non-secret settings and endpoints, and every
            # credential is an ECS secret (runtime.py).
            acknowledge(
                service.task,
                "AwsSolutions-ECS2",
                "Environment holds only non-secret settings and endpoints; credentials are "
                "injected as ECS secrets from Secrets Manager (tipchat_infra/runtime.py).",
            )
