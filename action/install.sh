#!/usr/bin/env bash
# Builds ftlint from the action's own checkout (no download beyond the usual npm install; no install scripts).
set -euo pipefail
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -lt 20 ]; then
  echo "::error title=ftlint::ftlint needs Node.js 20 or newer on the runner (found ${major}); add actions/setup-node before this action"
  exit 1
fi
if [ -f dist/src/cli/main.js ] && [ -f grammars/tree-sitter-c.wasm ]; then
  echo "ftlint is already built in $(pwd)"
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
npm run build --silent
