# syntax=docker/dockerfile:1
# seller-bot image. Nothing is downloaded from Prisma's host: the Prisma client is generated
# with the JS engine (docs/decisions/0001-prisma-offline.md). Native addons (better-sqlite3)
# are compiled against the image's own Node headers.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
# Build native addons against the headers shipped in this image, not downloaded ones.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
RUN npm run db:generate
COPY bin ./bin
COPY src ./src
COPY locales ./locales
COPY content ./content
COPY tsconfig.json ./
# The compiled build bin/seller-bot.js runs (dist/<digest of src>/, decision 1105); esbuild
# comes with tsx, a runtime dependency, so a container could rebuild after an edit too.
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    DATABASE_URL=file:/app/data/seller-bot.db \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# Train the FAQ classifier and fill the understanding's caches once, in the image (decision
# 0113): every container then starts reading them (~110 ms) instead of building (~480 ms).
RUN node scripts/warm.mjs
VOLUME ["/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Configure at least one channel (TELEGRAM_BOT_TOKEN or WHATSAPP_ENABLED=true): without a
# terminal the local chat has no input and the container would stop.
# The heap flag: scripts/build.mjs NODE_FLAGS (docs/decisions/1106-heap-limit.md).
CMD ["node", "--max-old-space-size=512", "bin/seller-bot.js", "start"]
