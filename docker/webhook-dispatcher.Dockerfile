# syntax=docker/dockerfile:1.7
#
# Webhook dispatcher (apps/webhook-dispatcher, package @infer/webhook-dispatcher).
# Build context: the repository root.
#   docker build -f docker/webhook-dispatcher.Dockerfile -t infer-webhook-dispatcher:dev .

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
 && pnpm install --filter @infer/webhook-dispatcher... --prod --frozen-lockfile --offline --store-dir /pnpm/store \
      --config.package-import-method=copy \
 && find apps -mindepth 1 -maxdepth 1 ! -name webhook-dispatcher -exec rm -rf {} + \
 && rm -rf packages/*/src/*.test.ts apps/webhook-dispatcher/src/*.test.ts \
 && test -f apps/webhook-dispatcher/src/main.ts

# ---- runtime ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DISPATCHER_PORT=9091 \
    MALLOC_ARENA_MAX=2 \
    HOME=/tmp
WORKDIR /app/apps/webhook-dispatcher
COPY --from=deps /app/ /app/
USER 1000:1000
EXPOSE 9091
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.DISPATCHER_PORT||9091)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# WEBHOOK_SECRET (required) comes from the environment at run time, never from the image.
CMD ["node", "src/main.ts"]
