# syntax=docker/dockerfile:1
# One image, two processes (api + worker) under PM2 on port 7860, ready for a Hugging Face Space.
# Stages: build (all deps, tsc) → deps (production deps, pruned) → runtime (Debian slim + Node 22's
# binary + redis-server + the built app). scripts/check-container.mjs replays the runtime stage's
# COPY lines into a folder and starts the result, since this machine has no Docker engine.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/core/package.json libs/core/
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/web/package.json apps/web/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs/core libs/core
COPY apps/api apps/api
COPY apps/worker apps/worker
COPY apps/web apps/web
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/core/package.json libs/core/
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/web/package.json apps/web/
# Production dependencies, without what never runs: source maps, type declarations, docs, a
# TypeScript compiler pulled in as a peer, and argon2 binaries for other platforms.
RUN npm ci --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/typescript \
 && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.md' \) -delete \
 && find node_modules/argon2/prebuilds -mindepth 1 -maxdepth 1 ! -name "linux-$(node -p process.arch)" -exec rm -rf {} + \
 && mkdir -p libs/core/node_modules apps/api/node_modules apps/worker/node_modules

# Debian slim plus Node's binary is ~75 MB lighter than the node image, which also carries npm and yarn.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --user-group --create-home --shell /usr/sbin/nologin node
COPY --from=build /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production \
    APP_ENV=production \
    PORT=7860 \
    EMBEDDED_REDIS=auto
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules node_modules
# A workspace keeps its own copy of a package whose version differs from the hoisted one (the api's
# cookie@1 beside express's cookie@0.7), so each workspace's node_modules comes along.
COPY --from=deps --chown=node:node /app/libs/core/node_modules libs/core/node_modules
COPY --from=deps --chown=node:node /app/apps/api/node_modules apps/api/node_modules
COPY --from=deps --chown=node:node /app/apps/worker/node_modules apps/worker/node_modules
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/libs/core/package.json libs/core/
COPY --from=build --chown=node:node /app/libs/core/dist libs/core/dist
COPY --from=build --chown=node:node /app/libs/core/migrations libs/core/migrations
COPY --from=build --chown=node:node /app/apps/api/package.json apps/api/
COPY --from=build --chown=node:node /app/apps/api/dist apps/api/dist
COPY --from=build --chown=node:node /app/apps/worker/package.json apps/worker/
COPY --from=build --chown=node:node /app/apps/worker/dist apps/worker/dist
# The web app is static files served by the api; its packages are all build-time (devDependencies).
COPY --from=build --chown=node:node /app/apps/web/dist apps/web/dist
COPY --chown=node:node ecosystem.config.js ./
USER node
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||7860)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node_modules/.bin/pm2-runtime", "ecosystem.config.js"]
