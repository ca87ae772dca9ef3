FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --include=dev
COPY . .
RUN npx vite build
EXPOSE 3000
CMD ["node", "--import", "tsx", "server/main.ts"]
