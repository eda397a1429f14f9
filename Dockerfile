# The image of one agency's Jaring node (docs/operations.md). Build: `docker build -t jaring .`
#
# The node runs its TypeScript directly on Node 24 (type stripping, docs/decisions/0002): there is no
# build step, so the image holds the sources and the production dependencies only. The project's
# `node` devDependency (Node for npm scripts on older systems) is not installed here: the base
# image's Node runs the node, the same release as that devDependency.
#
# Configuration is mounted, never baked in: the agency's folder (node.yaml, policy.yaml, keys/) at
# /etc/jaring/node, read-only; the environment overrides placement (JARING_DATABASE_URL,
# JARING_PORT, JARING_HOST, JARING_PUBLIC_URL, JARING_LOG_LEVEL). The node migrates its database
# on start (under an advisory lock, so replicas may start together).
FROM node:24.21.0-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so a change of sources reuses this layer. No production dependency has an
# install script; --ignore-scripts keeps it that way.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# What the node and the `jaring` command read at run time: the GraphQL and JSON schemas, the
# database code and migrations (and the seed, for `jaring seed`), the services (with the demo's
# sample policies and GraphiQL's assets).
COPY schema ./schema
COPY db ./db
COPY services ./services

# `jaring` on the PATH for `docker compose exec <node> jaring ...`; /var/lib/jaring for a node on
# embedded PGlite (database.url: /var/lib/jaring/data), owned by the user the node runs as.
RUN ln -s /app/services/cli/bin.ts /usr/local/bin/jaring \
  && mkdir -p /etc/jaring/node /var/lib/jaring \
  && chown node:node /var/lib/jaring

# The base image's unprivileged user (uid 1000): the sources stay root's and read-only to the node.
USER node

# In a container the node listens on every interface, on 4100 unless the environment says
# otherwise; these override node.yaml's listen section, which is meant for a host.
ENV JARING_HOST=0.0.0.0 \
    JARING_PORT=4100

# V8 sizes the young generation by the machine's memory (64 MB semi-spaces on a large host), which
# keeps a node at rest near 300 MiB; capped at 8 MB it rests under 200 MB for ~6 % more CPU a read
# (docs/benchmarks.md, memory). Override NODE_OPTIONS to give a busy node the larger default back.
ENV NODE_OPTIONS=--max-semi-space-size=8
EXPOSE 4100

# Ready means serving and reaching its database (/health/ready). The probe reads the same node.yaml
# and environment as the node, so it follows a changed port or TLS.
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "/app/services/node/healthcheck.ts", "/etc/jaring/node/node.yaml"]

# SIGTERM (docker stop) shuts the node down gracefully within http.shutdownGraceMs (10 s by
# default): give the container longer than that (docker stop -t, compose stop_grace_period).
ENTRYPOINT ["node", "/app/services/cli/bin.ts"]
CMD ["serve", "--config", "/etc/jaring/node/node.yaml"]
