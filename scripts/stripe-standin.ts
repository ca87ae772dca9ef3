// `npm run stripe:standin`: the local Stripe stand-in (server/billing/stripe-standin.ts) for a demo of
// billing without Stripe. Start Paddock with the settings it prints; paying on its Checkout page sends
// the signed webhooks to Paddock, as Stripe would.
import { startStripeStandin } from "../server/billing/stripe-standin";

const port = Number(process.env.STRIPE_STANDIN_PORT ?? 12111);
const webhookUrl = process.env.STRIPE_STANDIN_WEBHOOK_URL ?? "http://localhost:3000/api/webhooks/stripe";
const standin = await startStripeStandin({ port, webhookUrl });
console.log(`Stripe stand-in on ${standin.url}, delivering webhooks to ${webhookUrl}. Start Paddock with:

  STRIPE_SECRET_KEY=${standin.apiKey} STRIPE_WEBHOOK_SECRET=${standin.webhookSecret} STRIPE_API_BASE=${standin.url} npm start
`);
const stop = () => void standin.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
