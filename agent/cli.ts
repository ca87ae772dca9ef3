#!/usr/bin/env -S npx tsx
// `paddock-agent`: the bridge from a shell. Agents written in any language can call it instead
// of speaking HTTP themselves. See cli-commands.ts for the commands, or run with --help.
import { runCli } from "./cli-commands";

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
