# syntax=docker/dockerfile:1.7
#
# HTTP API (apps/api). Build context: the repository root.
#   docker build -f docker/api.Dockerfile -t infer-api:dev .
#   docker build -f docker/api.Dockerfile --build-arg BAKE_MODELS=false -t infer-api:dev .   # mount /models instead
#
# The API reads model.json and the <version>/model.onnx names of the model
# repository (it never loads a model), so it gets the same repository as the workers.

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
# Installed in the repository's layout: workspace packages stay symlinks into packages/,
# outside node_modules, where Node 24 strips their types itself (it refuses to inside
# node_modules), so no TypeScript loader runs in production. `pnpm fetch` filled the virtual
# store with every app's packages: it goes first, so only this app's are linked. Then the
# other apps go.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    rm -rf node_modules \
 && pnpm install --filter @infer/api... --prod --frozen-lockfile --offline --store-dir /pnpm/store \
      --config.package-import-method=copy \
 && find apps -mindepth 1 -maxdepth 1 ! -name api -exec rm -rf {} + \
 && rm -rf packages/*/src/*.test.ts \
 && find apps/api/src -name "*.test.ts" -delete \
 && test -f apps/api/src/main.ts

# ---- models: baked in (default) or left empty for a mounted volume ----
FROM node:${NODE_VERSION}-bookworm-slim AS models
ARG MODELS=models
ARG BAKE_MODELS=true
COPY ${MODELS}/ /models/
RUN if [ "${BAKE_MODELS}" != "true" ]; then find /models -mindepth 1 -delete; fi

# ---- runtime ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    MODEL_REPOSITORY=/models \
    MALLOC_ARENA_MAX=2 \
    HOME=/tmp
WORKDIR /app/apps/api
# Owned by root and read-only for the service user: the process cannot rewrite its own code.
COPY --from=deps /app/ /app/
COPY --from=models /models/ /models/
# uid/gid 1000 = the image's "node" user; numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1 and receives SIGTERM (graceful shutdown, SHUTDOWN_GRACE_MS); it runs
# the TypeScript sources directly (type stripping), with no loader.
CMD ["node", "src/main.ts"]
