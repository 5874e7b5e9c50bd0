"""How the app's Prometheus metrics (/metrics: tipchat_open_sockets and friends,
src/tipchat/metrics.py) reach CloudWatch: a CloudWatch agent container in the same task
scrapes localhost once a minute and writes them as embedded-metric-format (EMF) log events,
which CloudWatch turns into custom metrics in the namespace Tipchat/<stage>. No code in the
app knows about CloudWatch, and the endpoint is never exposed (the ALB answers /metrics 404).
"""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from constructs import Construct

# Pinned: a metrics pipeline should change when we decide, not when a tag moves.
AGENT_IMAGE = "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.247357.0b252275"
JOB = "tipchat"
# The series worth a metric each; the rest stays in /metrics for ad-hoc scraping.
SELECTED = (
    "^tipchat_open_sockets$",
    "^tipchat_slow_consumer_closes_total$",
    "^tipchat_gap_fills_total$",
    "^tipchat_events_committed_total$",
    "^tipchat_tip_verifier_lag_seconds$",  # from the worker, once it exposes metrics
)


def namespace(stage: str) -> str:
    return f"Tipchat/{stage}"


class MetricsSidecar(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        task: ecs.TaskDefinition,
        stage: str,
        port: int,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, id)
        self.log_group = logs.LogGroup(
            self, "Emf", retention=log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        prometheus = {
            "global": {"scrape_interval": "1m", "scrape_timeout": "10s"},
            "scrape_configs": [
                {"job_name": JOB, "static_configs": [{"targets": [f"localhost:{port}"]}]}
            ],
        }
        agent = {
            "logs": {
                "metrics_collected": {
                    "prometheus": {
                        "log_group_name": self.log_group.log_group_name,
                        "prometheus_config_path": "env:PROMETHEUS_CONFIG_CONTENT",
                        "emf_processor": {
                            "metric_namespace": namespace(stage),
                            "metric_declaration": [
                                {
                                    "source_labels": ["job"],
                                    "label_matcher": f"^{JOB}$",
                                    # One series across all tasks: Sum = the fleet's
                                    # total, Average = per task (one sample/task/minute).
                                    "dimensions": [["job"]],
                                    "metric_selectors": list(SELECTED),
                                }
                            ],
                        },
                    }
                },
                "force_flush_interval": 15,
            }
        }
        task.add_container(
            "cloudwatch-agent",
            image=ecs.ContainerImage.from_registry(AGENT_IMAGE),
            essential=False,  # losing metrics must not take the app task down
            memory_reservation_mib=64,
            environment={
                # JSON is valid YAML, so one serializer serves both.
                "PROMETHEUS_CONFIG_CONTENT": json.dumps(prometheus),
                "CW_CONFIG_CONTENT": json.dumps(agent),
            },
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix="metrics-agent", log_group=self.log_group
            ),
        )
        # Only what EMF delivery needs, only on this log group.
        self.log_group.grant(
            task.task_role,
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "logs:DescribeLogStreams",
        )
