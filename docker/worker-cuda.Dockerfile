# syntax=docker/dockerfile:1.7
#
# Inference worker with the CUDA execution provider (falls back to CPU). linux/amd64 only:
# onnxruntime-node publishes CUDA binaries for linux x64 alone. Build context: the repository root.
#   docker build -f docker/worker-cuda.Dockerfile -t infer-worker-cuda:dev .
#   docker run --gpus all -e REDIS_URL=redis://host:6379 infer-worker-cuda:dev
#
# onnxruntime-node 1.2x/1.30 GPU binaries are built against CUDA 12.x and cuDNN 9.x
# (CUDA minor-version compatibility: any 12.x runtime works; cuDNN 8 does not). The base is
# NVIDIA's CUDA 12 + cuDNN 9 *runtime* image (no compiler). Its NVIDIA_REQUIRE_CUDA makes the
# container toolkit refuse hosts whose driver is older than CUDA 12.8 needs (>= 570); for older
# drivers build on an older 12.x base, e.g. --build-arg CUDA_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
# (driver >= 550). The host needs the NVIDIA container toolkit (Docker) or device plugin (Kubernetes).
# The install step downloads the CUDA provider libraries from NuGet (api.nuget.org): the build needs
# that host (GLOBAL_AGENT_HTTPS_PROXY is honoured behind a proxy).

ARG NODE_VERSION=24.22.3
ARG PNPM_VERSION=10.34.9
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM --platform=linux/amd64 node:${NODE_VERSION}-bookworm-slim AS node

# ---- deps: the worker, its workspace packages and onnxruntime-node's CUDA 12 provider ----
FROM node AS deps
ARG PNPM_VERSION
ENV CI=true
# Environment wins over .npmrc's onnxruntime-node-install=skip.
ENV ONNXRUNTIME_NODE_INSTALL=cuda12
RUN npm install --global --no-fund --no-audit pnpm@${PNPM_VERSION}
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN --mount=type=cache,id=pnpm-store-cuda,target=/pnpm/store \
    pnpm fetch --prod --store-dir /pnpm/store
COPY apps/ apps/
COPY packages/ packages/
# As in worker.Dockerfile: the repository's layout, so that Node strips the types itself.
# side-effects-cache=false: otherwise pnpm reuses a cached *CPU* build of onnxruntime-node
# (postinstall skipped) from the store and the CUDA libraries are silently missing.
# The final test fails the build if the CUDA provider was not installed.
RUN --mount=type=cache,id=pnpm-store-cuda,target=/pnpm/store \
    rm -rf node_modules \
 && pnpm install --filter @infer/worker... --prod --frozen-lockfile --offline --store-dir /pnpm/store \
      --config.package-import-method=copy --config.side-effects-cache=false \
 && find apps -mindepth 1 -maxdepth 1 ! -name worker -exec rm -rf {} + \
 && rm -rf packages/*/src/*.test.ts apps/worker/src/*.test.ts \
 && test -f apps/worker/src/main.ts \
 && find node_modules/.pnpm -path '*/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so' | grep -q .

# ---- models: baked in (default) or left empty for a mounted volume ----
FROM node AS models
ARG MODELS=models
ARG BAKE_MODELS=true
COPY ${MODELS}/ /models/
RUN if [ "${BAKE_MODELS}" != "true" ]; then find /models -mindepth 1 -delete; fi

# ---- runtime: CUDA 12 + cuDNN 9 libraries, and the node binary of the official image ----
FROM --platform=linux/amd64 ${CUDA_IMAGE} AS runtime
COPY --from=node /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production \
    WORKER_PORT=9090 \
    MODEL_REPOSITORY=/models \
    EXECUTION_PROVIDERS=cuda,cpu \
    MALLOC_ARENA_MAX=2 \
    UV_THREADPOOL_SIZE=8 \
    HOME=/tmp \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
WORKDIR /app/apps/worker
COPY --from=deps /app/ /app/
COPY --from=models /models/ /models/
# uid 1000 is the base image's "ubuntu" user.
USER 1000:1000
EXPOSE 9090
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WORKER_PORT||9090)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "src/main.ts"]
