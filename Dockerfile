# syntax=docker/dockerfile:1
# One image for every command: the worker, the ingress and the one-shot tools.
#   docker build -t ipenrich .
#   docker run --rm ipenrich --help
#   docker run -d --env-file ipenrich.env ipenrich worker
#   docker run -d --env-file ipenrich.env -p 8080:8080 ipenrich serve
# Behind a private npm registry or a TLS-inspecting proxy, hand the settings in as build secrets
# (mounted for the install only, never stored in a layer; docs/deploy.md "The image"):
#   docker build --secret id=npmrc,src=$HOME/.npmrc --secret id=ca,src=/path/to/ca.pem -t ipenrich .
# test/unit/deploy/dockerfile.test.ts checks the rules this file follows; scripts/build-image.sh and
# test/integration/deploy/image-build.test.ts build and run it with buildah (docs/deploy.md).

# The base of all three stages, so the production node_modules installed in `deps` match the
# runtime's ABI. Pin a digest here or with --build-arg (NODE_IMAGE=node:22-bookworm-slim@sha256:…):
# no image registry is reachable where this file is tested, so no digest could be confirmed against
# Docker Hub and none is invented; CI builds on a locally assembled equivalent
# (scripts/assemble-base-image.sh).
ARG NODE_IMAGE=node:22-bookworm-slim

# Production dependencies only, exactly as the lockfile pins them. --ignore-scripts because the
# package's own `prepare` script builds from sources that are not in this stage. The secrets are
# optional: without them npm uses the public registry and Node's own CAs.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=secret,id=ca,target=/run/secrets/ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier
# What nothing executes, out of the shipped node_modules (about 50 MB of 130): TypeScript (an optional
# peer of valibot, used for its types only), type declarations and source maps.
RUN rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver && \
    find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete

# The compiler and its dev dependencies: nothing from here reaches the runtime but dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=secret,id=ca,target=/run/secrets/ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npm ci --ignore-scripts --no-audit --no-fund --no-update-notifier
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.mjs ./scripts/copy-assets.mjs
COPY src ./src
COPY connectors ./connectors
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
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
# The sample alerts `ipenrich demo` enriches (src/commands/demo.ts reads examples/alerts).
COPY examples/alerts ./examples/alerts
# Numeric UID of the image's `node` user: Kubernetes runAsNonRoot can only verify a numeric user.
USER 1000:1000
EXPOSE 8080
# Without arguments the check follows the container's command: /healthz for `serve`, a Redis PING
# for `worker` (src/commands/healthcheck.ts). It answers within 3 s.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/src/bin.js", "healthcheck"]
ENTRYPOINT ["node", "dist/src/bin.js"]
CMD ["--help"]
