# auditgraph as a container: built from source in one stage, run by plain node in the next, with
# the runtime dependencies only.
#
#   docker build -t auditgraph .
#   docker run -p 4000:4000 -e AUDITGRAPH_ALLOW_UNAUTHENTICATED=true auditgraph      # the demo
#   docker run -p 4000:4000 -e AUDITGRAPH_CONFIG=/config/auditgraph.yaml \
#     -v "$PWD/auditgraph.yaml:/config/auditgraph.yaml:ro" -e AUDITGRAPH_CURSOR_SECRET=... auditgraph
#
# The demo listens on 0.0.0.0 here, which it refuses to do without client authentication unless
# AUDITGRAPH_ALLOW_UNAUTHENTICATED=true says anyone who reaches it may read the demo's data.
# Live mode: a config file mounted and named by AUDITGRAPH_CONFIG, or the environment alone
# (FASTLY_API_TOKEN, ...; see the README's table), secrets always from the environment.
#
# Signals: node runs as PID 1 and auditgraph handles SIGTERM and SIGINT itself (drain, then exit
# 0), so no init is needed; it starts no child processes to reap. `docker run --init` (or
# `init: true` in compose) adds tini all the same, if your platform expects one.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY src ./src
# npm run build bundles the viewer (served at /viewer) into dist/viewer after compiling src/.
COPY viewer ./viewer
COPY scripts/buildViewer.ts ./scripts/buildViewer.ts
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The SDL is read at start-up: createApolloServer finds schema/ above dist/.
COPY schema ./schema
# The build, the viewer's bundle (dist/viewer) with it.
COPY --from=build /app/dist ./dist
# The node image's unprivileged user; nothing under /app is writable by it.
USER node
EXPOSE 4000
# node itself, since the slim image has no curl. It asks the port of PORT: a config file that
# sets server.port to something else should set PORT too.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
