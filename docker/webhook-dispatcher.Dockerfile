# syntax=docker/dockerfile:1.7
#
# Webhook dispatcher (apps/webhook-dispatcher, package @infer/webhook-dispatcher).
# Build context: the repository root.
#   docker build -f docker/webhook-dispatcher.Dockerfile -t infer-webhook-dispatcher:dev .

ARG NODE_VERSION=20.20.2
ARG PNPM_VERSION=10.34.9

# ---- deps: production dependencies of @infer/webhook-dispatcher only ----
FROM node:${NODE_VERSION}-bookworm-slim AS deps
ARG PNPM_VERSION
ENV CI=true
RUN npm install --global --no-fund --no-audit pnpm@${PNPM_VERSION}
WORKDIR /src
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm fetch --prod --store-dir /pnpm/store
COPY apps/ apps/
COPY packages/ packages/
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm --filter @infer/webhook-dispatcher --prod --offline --store-dir /pnpm/store \
      --config.inject-workspace-packages=true deploy /out \
 && test -f /out/src/main.ts

# ---- runtime ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DISPATCHER_PORT=9091 \
    MALLOC_ARENA_MAX=2 \
    HOME=/tmp
WORKDIR /app
COPY --from=deps /out/ /app/
USER 1000:1000
EXPOSE 9091
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.DISPATCHER_PORT||9091)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# WEBHOOK_SECRET (required) comes from the environment at run time, never from the image.
CMD ["node", "--import", "tsx", "src/main.ts"]
