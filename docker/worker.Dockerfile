# syntax=docker/dockerfile:1.7
#
# Inference worker (apps/worker), CPU execution provider. Build context: the repository root.
#   docker build -f docker/worker.Dockerfile -t infer-worker:dev .
#   docker build -f docker/worker.Dockerfile --build-arg MODELS=path/to/repo -t infer-worker:dev .
#   docker build -f docker/worker.Dockerfile --build-arg BAKE_MODELS=false -t infer-worker:dev .   # mount /models
# The GPU variant is worker-cuda.Dockerfile.

ARG NODE_VERSION=24.22.3
ARG PNPM_VERSION=10.34.9

# ---- deps: the app, the workspace packages it uses and their production dependencies ----
FROM node:${NODE_VERSION}-bookworm-slim AS deps
ARG PNPM_VERSION
ENV CI=true
RUN npm install --global --no-fund --no-audit pnpm@${PNPM_VERSION}
WORKDIR /app
# Lockfile first: this layer (the package download) is reused until the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm fetch --prod --store-dir /pnpm/store
COPY apps/ apps/
COPY packages/ packages/
# onnxruntime-node's CPU binaries ship in its npm package; .npmrc skips the CUDA download.
# sharp's prebuilt libvips comes from its @img/* optional dependencies for this platform.
# Installed in the repository's layout: workspace packages stay symlinks into packages/,
# outside node_modules, where Node 24 strips their types itself (it refuses to inside
# node_modules), so no TypeScript loader runs in production. `pnpm fetch` filled the virtual
# store with every app's packages: it goes first, so only this app's are linked. Then the
# other apps go.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    rm -rf node_modules \
 && pnpm install --filter @infer/worker... --prod --frozen-lockfile --offline --store-dir /pnpm/store \
      --config.package-import-method=copy \
 && find apps -mindepth 1 -maxdepth 1 ! -name worker -exec rm -rf {} + \
 && rm -rf packages/*/src/*.test.ts apps/worker/src/*.test.ts \
 && test -f apps/worker/src/main.ts

# ---- models: baked in (default) or left empty for a mounted volume ----
FROM node:${NODE_VERSION}-bookworm-slim AS models
ARG MODELS=models
ARG BAKE_MODELS=true
COPY ${MODELS}/ /models/
RUN if [ "${BAKE_MODELS}" != "true" ]; then find /models -mindepth 1 -delete; fi

# ---- runtime ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# MALLOC_ARENA_MAX: glibc's per-thread arenas fragment badly with sharp/libvips and
# onnxruntime threads; 2 arenas keep RSS close to the live heap.
# UV_THREADPOOL_SIZE: sharp runs on libuv's pool (default 4), shared with fs and dns;
# keep it above PREPROCESS_CONCURRENCY.
ENV NODE_ENV=production \
    WORKER_PORT=9090 \
    MODEL_REPOSITORY=/models \
    EXECUTION_PROVIDERS=cpu \
    MALLOC_ARENA_MAX=2 \
    UV_THREADPOOL_SIZE=8 \
    HOME=/tmp
WORKDIR /app/apps/worker
COPY --from=deps /app/ /app/
COPY --from=models /models/ /models/
USER 1000:1000
EXPOSE 9090
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WORKER_PORT||9090)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# On SIGTERM the worker stops taking jobs and finishes active ones within SHUTDOWN_GRACE_MS.
CMD ["node", "src/main.ts"]
