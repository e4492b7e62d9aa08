# syntax=docker/dockerfile:1
#
# bindy-ts: one image for the operator (`node build/main.js`) and the per-pod agent
# (`node build/main.js agent`, sidecar of each Bind9Instance pod, which drives named via rndc).
#
#   docker build -t ghcr.io/firestoned/bindy-ts:0.1.0 .
#
# The uid/gid 10001 must match `runAsUser` in packages/cdk8s-bindy/src/operator-deployment.ts
# (test/infra/dockerfile.test.ts checks it); it is numeric so kubelet can verify runAsNonRoot.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript, then drop dev dependencies ----------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: node + BIND9 tools, non-root, no build tooling ---------------------------------
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends bind9 bind9utils ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bindy \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin bindy
WORKDIR /app
ENV NODE_ENV=production
# Owned by root and read-only to the runtime user: the image works with readOnlyRootFilesystem.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
USER 10001:10001
# METRICS_PORT, HEALTH_PORT (SPEC §1)
EXPOSE 8080 8081
# --optimize-for-size: V8 grows the heap by less between full GCs and compacts it more; a leader
# importing 10,000 zones peaked well above what it held afterwards without it (bench/scale.ts).
# Node refuses the flag in NODE_OPTIONS, hence here; the test replicas run the same command line.
ENTRYPOINT ["node", "--optimize-for-size", "build/main.js"]
