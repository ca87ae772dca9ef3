// Demo world beyond the users: filled in by each domain (agent profiles, runs, pools).
import type { Db } from "../lib/db";

export async function seedDemoWorld(_db: Db): Promise<void> {}
