// Emails and payments an agent reports having sent: recorded with a matching event.
import { inTransaction, type DbClient } from "../../lib/db";
import { appendEvents } from "./events-sql";

export async function recordEmail(db: DbClient, input: { runId: string; to: string; subject: string; body: string }) {
  return inTransaction(db, async (tx) => {
    const [event] = await appendEvents(tx, input.runId, [{ kind: "email", payload: { to: input.to, subject: input.subject } }], {
      requireActive: true,
    });
    const row = await tx.outboundEmail.create({
      data: { runId: input.runId, to: input.to, subject: input.subject, body: input.body },
      select: { id: true },
    });
    return { id: row.id, event: event! };
  });
}

export async function recordPayment(
  db: DbClient,
  input: { runId: string; amountCents: number; recipient: string; currency: string; memo?: string | undefined },
) {
  return inTransaction(db, async (tx) => {
    const [event] = await appendEvents(
      tx,
      input.runId,
      [{ kind: "payment", payload: { amountCents: input.amountCents, recipient: input.recipient } }],
      { requireActive: true },
    );
    const row = await tx.outboundPayment.create({
      data: {
        runId: input.runId,
        amountCents: input.amountCents,
        recipient: input.recipient,
        currency: input.currency,
        memo: input.memo ?? null,
      },
      select: { id: true },
    });
    return { id: row.id, event: event! };
  });
}
