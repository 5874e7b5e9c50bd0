"""One environment (dev, prod) as a CDK Stage: the stateful stack, the stateless service
stack that depends on it, and the edge stack in us-east-1."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import App, Environment, Stage, Tags
from constructs import Construct

from tipchat_infra import nag
from tipchat_infra.config import STAGES, StageConfig
from tipchat_infra.stacks.edge import EdgeStack
from tipchat_infra.stacks.service import ServiceStack
from tipchat_infra.stacks.stateful import StatefulStack


class TipchatStage(Stage):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, image_tag: str) -> None:
        super().__init__(scope, id)
        regional = Environment(account=config.account, region=config.region)
        self.stateful = StatefulStack(
            self,
            "Stateful",
            config=config,
            env=regional,
            termination_protection=config.deletion_protection,
            description=f"tipchat {config.name}: data (VPC, RDS, Valkey, S3 media, secrets)",
        )
        self.service = ServiceStack(
            self,
            "Service",
            config=config,
            data=self.stateful,
            image_tag=image_tag,
            env=regional,
            description=f"tipchat {config.name}: ALB, ECS services, WAF, alarms",
        )
        self.edge = EdgeStack(
            self,
            "Edge",
            config=config,
            env=Environment(account=config.account, region="us-east-1"),
            description=f"tipchat {config.name}: CloudFront, web client bucket, edge WAF",
        )
        Tags.of(self).add("app", "tipchat")
        Tags.of(self).add("stage", config.name)


# Only for synthesis without a tag (CI, tests); a deploy passes the tag of an image in ECR.
SYNTH_ONLY_TAG = "synth-only"


def build_app(app: App, configs: Sequence[StageConfig] = STAGES) -> dict[str, TipchatStage]:
    """Every stage of `configs` (tests pass variants) into `app`, with the AwsSolutions checks
    over all of it."""
    image_tag = app.node.try_get_context("imageTag") or SYNTH_ONLY_TAG
    stages = {
        config.name: TipchatStage(app, config.name.title(), config=config, image_tag=image_tag)
        for config in configs
    }
    nag.add_checks(app)
    return stages
