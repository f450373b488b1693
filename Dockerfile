# drift as a container: a Cloud Run job that checks every project a team declares
# (docs/operations.md, "Scheduled runs on Google Cloud").
#
#   docker build -t drift .
#   docker run --rm -e DRIFT_ALL=true -v "$PWD/expected:/work/expected:ro" drift
#
# The base image is pinned to an exact tag (the Python drift is tested with). To pin its
# digest as well, append the one `docker buildx imagetools inspect python:3.11.12-slim-bookworm`
# prints: FROM python:3.11.12-slim-bookworm@sha256:<digest>.
ARG PYTHON_IMAGE=python:3.11.12-slim-bookworm

# Build stage: the wheel of this repository (only pyproject.toml, README.md and drift/).
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY drift ./drift
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Run stage: the wheel and its dependencies, no compiler, no source tree, not root.
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
COPY --from=build /wheels /tmp/wheels
RUN python -m pip install /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && useradd --system --uid 10001 --user-group --home-dir /work --create-home drift
USER 10001:10001
WORKDIR /work
# Baselines: /work/expected (copy them into an image built FROM this one, or mount them).
# Everything else comes from DRIFT_* variables (`drift diff --help` lists them): e.g.
# DRIFT_ALL=true DRIFT_OUTPUT_DIR=/reports DRIFT_FORMAT=json. In a Cloud Run job
# (CLOUD_RUN_JOB set) drift runs in job mode, logs JSON for Cloud Logging and takes its
# task's share of the projects (CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT).
ENV DRIFT_EXPECTED=/work/expected
ENTRYPOINT ["drift"]
CMD ["diff"]
