# Three stages: the client is built with the dev tooling, production dependencies are installed
# on their own, and the final image holds only those, the sources (run by tsx) and the built
# client, running as the unprivileged `node` user.

FROM node:20-bookworm-slim AS client
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --include=dev
COPY . .
RUN npx vite build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
# postinstall generates the Prisma client into server/generated (the `prisma` CLI is a dependency).
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim
WORKDIR /app
# Inside a container the server must listen on every interface (npm start keeps to 127.0.0.1).
ENV NODE_ENV=production DATA_DIR=/data HOST=0.0.0.0
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/server/generated ./server/generated
COPY . .
COPY --from=client /app/dist ./dist
# The data directory (artifacts, local sandboxes) belongs to the user the server runs as; a named
# volume mounted there starts with this ownership.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# serve.sh keeps the settings out of the process environment that sandboxed agents could read.
CMD ["sh", "scripts/docker/serve.sh", "--import", "tsx", "server/main.ts"]
