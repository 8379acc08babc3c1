#!/usr/bin/env bash
# Node for CI: Sluice supports Node >=22 (engines). Sourced by .ci/run; run on its own it prints the
# node it would use. When the machine's node is older than 22 (or absent), fetches the official Node
# binary that npm publishes as node-linux-<arch>@22, unpacks it once under a cache directory and puts
# it first on PATH, so `npm ci` and `npm test` (and npm itself, via its env-node shebang) run on 22.
SLUICE_NODE_MAJOR=22

sluice_node_major() {
  local version
  version="$(node --version 2>/dev/null)" || { echo 0; return; }
  version="${version#v}"
  echo "${version%%.*}"
}

sluice_use_node() {
  if [ "$(sluice_node_major)" -ge "$SLUICE_NODE_MAJOR" ]; then return 0; fi
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "ci: no Node $SLUICE_NODE_MAJOR binary package for $(uname -m)" >&2; return 1 ;;
  esac
  if ! command -v npm >/dev/null 2>&1; then
    echo "ci: node $(node --version 2>/dev/null || echo absent) is older than $SLUICE_NODE_MAJOR and npm is absent to fetch it" >&2
    return 1
  fi
  local cache="${SLUICE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-ci}/node-linux-$arch-$SLUICE_NODE_MAJOR"
  if [ ! -x "$cache/package/bin/node" ]; then
    echo "ci: node $(node --version) is older than $SLUICE_NODE_MAJOR; fetching node-linux-$arch@$SLUICE_NODE_MAJOR from the npm registry"
    local download
    download="$(mktemp -d)"
    (cd "$download" && npm pack "node-linux-$arch@$SLUICE_NODE_MAJOR" --silent >/dev/null) || {
      rm -rf "$download"
      return 1
    }
    # Unpack beside the cache and rename into place, so an interrupted run never leaves half a node.
    mkdir -p "$download/unpacked" "$(dirname "$cache")"
    tar -xzf "$download"/node-linux-"$arch"-*.tgz -C "$download/unpacked" package/bin/node package/LICENSE
    rm -rf "$cache"
    mv "$download/unpacked" "$cache"
    rm -rf "$download"
  fi
  export PATH="$cache/package/bin:$PATH"
  hash -r
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run directly: show the result without changing the caller's shell.
  set -euo pipefail
  sluice_use_node
  echo "ci: $(command -v node) $(node --version)"
else
  sluice_use_node
fi
