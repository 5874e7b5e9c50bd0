"""`tipchat worker` on ECS Fargate: the tip verifier as its own process (design §1, §6).

Same image as the app, another command. It serves no HTTP, so it has no load balancer, no
ingress and no container health check; ECS restarts it if it exits. It calls no AWS API, so its
task role has no permissions. (The command arrives with the tipping work; until then a deploy
with worker_tasks > 0 fails this service's rollout, which the circuit breaker rolls back.)
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.app_service import log_retention
from tipchat_infra.constructs.network import APP
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
