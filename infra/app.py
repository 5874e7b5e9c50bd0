#!/usr/bin/env python3
"""The CDK app (run in infra/): `cdk synth`, `cdk deploy 'Prod/*' -c imageTag=<git sha>`."""

import aws_cdk as cdk
from tipchat_infra.stage import build_app

app = cdk.App()
build_app(app)
app.synth()
