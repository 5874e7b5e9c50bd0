#!/usr/bin/env python3
"""Container health check: exit 0 when GET /healthz on this container answers 200.

Used by the image's HEALTHCHECK and the ECS task definition (curl is not in the slim image).
"""

from __future__ import annotations

import os
import sys
import urllib.request

URL = f"http://127.0.0.1:{os.environ.get('TIPCHAT_PORT', '8000')}/healthz"
try:
    with urllib.request.urlopen(URL, timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
