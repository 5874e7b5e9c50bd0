# The tipchat image: one image, two commands.
#   web service:    tipchat serve --host 0.0.0.0   (the default CMD below)
#   worker service: tipchat worker                 (tip verification; the command arrives with
#                                                   the tipping work, design.md §1 and §6)
# Without DATABASE_URL it starts an embedded PostgreSQL under $TIPCHAT_DATA_DIR (try-it-out mode);
# in AWS the ECS task injects the database and Redis parts (see infra/container/entrypoint.py).
# Tags pin the major line and follow its patch releases; pin digests here for bit-for-bit builds.

# --- 1. the web client: Vite writes into ../src/tipchat/static (web/vite.config.ts) ----------
FROM node:20-bookworm-slim AS web
WORKDIR /build/web
# The lockfile first, so the dependency layer is reused until it changes.
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npx --no-install vite build --logLevel warn

# --- 2. the Python package and its dependencies, in a virtualenv we copy whole ---------------
FROM python:3.11-slim-bookworm AS build
WORKDIR /build
RUN python -m venv /opt/tipchat
COPY pyproject.toml README.md constraints.txt ./
COPY src/ src/
COPY --from=web /build/src/tipchat/static/ src/tipchat/static/
# A non-editable install: the runtime stage needs no source tree. The versions CI tested
# (constraints.txt); every one ships manylinux wheels for 3.11, so no compiler is installed.
RUN /opt/tipchat/bin/pip install --no-cache-dir --no-compile --disable-pip-version-check \
        --constraint constraints.txt .

# --- 3. runtime: the same base, the venv, a non-root user -------------------------------------
FROM python:3.11-slim-bookworm AS runtime
# A fixed uid/gid so volume permissions and ECS/Kubernetes runAsUser policies can name it;
# the embedded PostgreSQL refuses to run as root anyway.
RUN groupadd --system --gid 10001 tipchat \
    && useradd --system --uid 10001 --gid tipchat --create-home --home-dir /home/tipchat \
       --shell /usr/sbin/nologin tipchat
COPY --from=build /opt/tipchat /opt/tipchat
COPY infra/container/entrypoint.py /usr/local/bin/tipchat-entrypoint
COPY infra/container/healthcheck.py /usr/local/bin/tipchat-healthcheck
ENV PATH=/opt/tipchat/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TIPCHAT_DATA_DIR=/home/tipchat/data \
    TIPCHAT_LOG_JSON=true
USER 10001:10001
WORKDIR /home/tipchat
EXPOSE 8000
# Liveness only (/healthz: the process serves). /readyz also needs the database, and a
# database outage must not make the orchestrator kill every app node. The worker serves no
# HTTP: its service disables or overrides this check (ECS ignores image health checks).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/usr/local/bin/tipchat-healthcheck"]
ENTRYPOINT ["python", "/usr/local/bin/tipchat-entrypoint"]
CMD ["tipchat", "serve", "--host", "0.0.0.0"]
