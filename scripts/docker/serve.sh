#!/bin/sh
# Starts Node in the container with its settings handed over on a pipe instead of the process
# environment: /proc/<pid>/environ (the environment a process was started with) is readable by
# every process of the same user, sandboxed agents of the local provider included, so the
# server's own environment keeps nothing but PATH, HOME and NODE_ENV. Arguments go to node,
# e.g. `sh scripts/docker/serve.sh --import tsx server/main.ts`.
set -eu
cd "$(dirname "$0")/../.."
exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" NODE_ENV="${NODE_ENV:-production}" PADDOCK_ENV_FD=3 \
  node --import ./scripts/docker/env-from-fd.mjs "$@" 3<<SETTINGS
$(node -e 'process.stdout.write(JSON.stringify(process.env))')
SETTINGS
