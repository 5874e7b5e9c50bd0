"""`tipchat serve` on ECS Fargate behind the ALB: stateless nodes (design §1), scaled on CPU,
on REST request rate and on open WebSockets per task."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.metrics_sidecar import JOB, MetricsSidecar, namespace
from tipchat_infra.constructs.network import APP
from tipchat_infra.nag import acknowledge
from tipchat_infra.runtime import Runtime

PORT = 8000
SERVE = ["tipchat", "serve", "--host", "0.0.0.0"]  # noqa: S104 - inside its own network namespace
HEALTHCHECK = ["CMD", "python", "/usr/local/bin/tipchat-healthcheck"]


def log_retention(config: StageConfig) -> logs.RetentionDays:
    return logs.RetentionDays[config.log_retention]


def open_sockets(stage: str, statistic: str) -> cloudwatch.Metric:
    """tipchat_open_sockets as published by the metrics sidecar."""
    return cloudwatch.Metric(
        namespace=namespace(stage),
        metric_name="tipchat_open_sockets",
        dimensions_map={"job": JOB},
        statistic=statistic,
        period=Duration.minutes(1),
    )


class AppService(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        cluster: ecs.ICluster,
        image: ecs.ContainerImage,
        runtime: Runtime,
        security_group: ec2.ISecurityGroup,
        listener: elbv2.ApplicationListener,
        media_bucket_name: str,
    ) -> None:
        super().__init__(scope, id)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=log_retention(config), removal_policy=RemovalPolicy.DESTROY
        )
        self.task = ecs.FargateTaskDefinition(
            self, "Task", cpu=config.app_cpu, memory_limit_mib=config.app_memory_mib
        )
        self.task.add_container(
            "tipchat",
            image=image,
            command=SERVE,
            # The chain watchers run in the worker service, not in every app node.
            environment={**runtime.environment, "TIPCHAT_WATCHER": "false"},
            secrets=runtime.secrets,
            port_mappings=[ecs.PortMapping(container_port=PORT, name="http")],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="app", log_group=self.log_group),
            health_check=ecs.HealthCheck(
                command=HEALTHCHECK,
                interval=Duration.seconds(30),
                timeout=Duration.seconds(5),
                start_period=Duration.seconds(60),  # migrations run at start
            ),
            # SIGTERM starts the drain: stop accepting, let in-flight sends commit, close
            # sockets with 1001 (shutdown_grace_s = 10 s). 30 s covers it with margin.
            stop_timeout=Duration.seconds(30),
        )
        MetricsSidecar(
            self,
            "Metrics",
            task=self.task,
            stage=config.name,
            port=PORT,
            log_retention=log_retention(config),
        )
        # Presigned URLs carry the signer's permissions: the task may put, get and delete
        # objects in the media bucket (the app withdraws the files of deleted messages and
        # rejected uploads), nothing else there (no list, no bucket settings).
        media_objects = f"arn:aws:s3:::{media_bucket_name}/*"
        self.task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                resources=[media_objects],
            )
        )
        acknowledge(
            self.task.task_role,
            f"AwsSolutions-IAM5[Resource::{media_objects}]",
            "Upload keys are chosen per attachment at request time, so the grant covers the "
            "media bucket's objects; the actions are only PutObject, GetObject and DeleteObject.",
        )
        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=cluster,
            task_definition=self.task,
            desired_count=config.app_min_tasks,
            security_groups=[security_group],
            vpc_subnets=APP,
            assign_public_ip=False,
            # A deploy whose tasks never get healthy rolls itself back.
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=Duration.seconds(120),
        )
        self.target_group = listener.add_targets(
            "App",
            port=PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[self.service],
            health_check=elbv2.HealthCheck(
                # Liveness, not readiness: a database outage must not make the ALB and ECS
                # replace every node at once (/readyz reports the database separately).
                path="/healthz",
                interval=Duration.seconds(15),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
            # New connections stop at once; open WebSockets get 30 s before ECS sends
            # SIGTERM and the app closes them with 1001 so clients resume on another node.
            deregistration_delay=Duration.seconds(30),
        )
        scaling = self.service.auto_scale_task_count(
            min_capacity=config.app_min_tasks, max_capacity=config.app_max_tasks
        )
        # Out fast, in slowly: scaling in closes sockets (clients reconnect and resume), so
        # it should not flap.
        cooldowns = {
            "scale_out_cooldown": Duration.minutes(1),
            "scale_in_cooldown": Duration.minutes(10),
        }
        scaling.scale_on_cpu_utilization(
            "Cpu", target_utilization_percent=config.app_target_cpu_percent, **cooldowns
        )
        scaling.scale_on_request_count(
            "Requests",
            requests_per_target=config.app_target_requests_per_task_per_min,
            target_group=self.target_group,
            **cooldowns,
        )
        # Active connections: the app's own gauge, averaged per task. The ALB's
        # ActiveConnectionCount counts CloudFront's pooled connections per balancer, not
        # WebSockets per task.
        scaling.scale_to_track_custom_metric(
            "Sockets",
            metric=open_sockets(config.name, "Average"),
            target_value=config.app_target_sockets_per_task,
            **cooldowns,
        )
