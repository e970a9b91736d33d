#!/usr/bin/env bash
# Every check CI runs, in the order a failure is cheapest to find. `pnpm check` runs this;
# `.ci/run` runs `pnpm check`. It installs what the tests need (Debian's Chromium) when it can.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

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

step "generated code is reproducible"
pnpm generate
git diff --exit-code --stat -- packages/spec/src/gen packages/client/src/gen
untracked=$(git ls-files --others --exclude-standard -- packages/spec/src/gen packages/client/src/gen)
if [ -n "$untracked" ]; then echo "buf generate created untracked files: $untracked" >&2; exit 1; fi

step "build"
pnpm build

step "lint and type checks"
pnpm lint

step "tests (Node, Chromium, workerd, Deno, Bun)"
pnpm test
