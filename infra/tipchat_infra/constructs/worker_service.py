"""`tipchat worker` on ECS Fargate: the tip verifier and the attachment sweep as their own
process (design §1, §6).

Same image as the app, another command. It serves no HTTP, so it has no load balancer, no
ingress and no container health check; ECS restarts it if it exits. Its one AWS call is the
sweep's: deleting media objects no message shows (chat.attachment_sweep).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.app_service import log_retention
from tipchat_infra.constructs.network import APP
from tipchat_infra.nag import acknowledge
from tipchat_infra.runtime import Runtime

WORKER = ["tipchat", "worker"]


class WorkerService(Construct):
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
        media_bucket_name: str,
    ) -> None:
        super().__init__(scope, id)
        log_group = logs.LogGroup(
            self, "Logs", retention=log_retention(config), removal_policy=RemovalPolicy.DESTROY
        )
        self.task = ecs.FargateTaskDefinition(
            self, "Task", cpu=config.worker_cpu, memory_limit_mib=config.worker_memory_mib
        )
        self.task.add_container(
            "worker",
            image=image,
            command=WORKER,
            environment=runtime.environment,
            secrets=runtime.secrets,
            logging=ecs.LogDrivers.aws_logs(stream_prefix="worker", log_group=log_group),
            stop_timeout=Duration.seconds(30),  # the same drain budget as the app
        )
        media_objects = f"arn:aws:s3:::{media_bucket_name}/*"
        self.task.add_to_task_role_policy(
            iam.PolicyStatement(actions=["s3:DeleteObject"], resources=[media_objects])
        )
        acknowledge(
            self.task.task_role,
            f"AwsSolutions-IAM5[Resource::{media_objects}]",
            "The sweep deletes attachments by their keys, chosen per upload; the grant covers "
            "the media bucket's objects, for DeleteObject only.",
        )
        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=cluster,
            task_definition=self.task,
            desired_count=config.worker_tasks,
            security_groups=[security_group],
            vpc_subnets=APP,
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            # Start the new worker before stopping the old: verification is idempotent.
            min_healthy_percent=100,
            max_healthy_percent=200,
        )
