# syntax=docker/dockerfile:1
# One image for every command: the worker, the ingress and the one-shot tools.
#   docker build -t ipenrich .
#   docker run --rm ipenrich --help
#   docker run -d --env-file ipenrich.env ipenrich worker
#   docker run -d --env-file ipenrich.env -p 8080:8080 ipenrich serve
# test/unit/deploy/dockerfile.test.ts checks the rules this file follows (docs/deploy.md).

# The three stages use the same Node line, so the production node_modules installed in `deps`
# match the runtime's ABI.

# Production dependencies only, exactly as the lockfile pins them. --ignore-scripts because the
# package's own `prepare` script builds from sources that are not in this stage.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The compiler and its dev dependencies: nothing from here reaches the runtime but dist/.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.mjs ./scripts/copy-assets.mjs
COPY src ./src
COPY connectors ./connectors
RUN npm run build

FROM node:22-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="ipenrich" \
      org.opencontainers.image.description="Enrich security alerts with Microsoft Defender for Endpoint IP statistics under a shared API budget" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root and read-only to the process: the app cannot rewrite its own code.
COPY package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
# Numeric UID of the image's `node` user: Kubernetes runAsNonRoot can only verify a numeric user.
USER 1000:1000
EXPOSE 8080
# Without arguments the check follows the container's command: /healthz for `serve`, a Redis PING
# for `worker` (src/commands/healthcheck.ts). It answers within 3 s.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/src/bin.js", "healthcheck"]
ENTRYPOINT ["node", "dist/src/bin.js"]
CMD ["--help"]
