#!/usr/bin/env bash
# Builds the Dockerfile with buildah (no Docker engine needed), on the locally assembled base when no
# image registry is reachable:
#
#   scripts/build-image.sh [--tag NAME] [--base IMAGE] [--npmrc FILE] [--ca FILE]
#   scripts/build-image.sh --secrets-only DIR     # only write the two secret files into DIR
#
# The machine's npm settings (global and user npmrc, without the lines naming host paths) and its
# extra CAs (NODE_EXTRA_CA_CERTS and npm's cafile) go to the build as BuildKit secrets: mounted for
# the `npm ci` steps only, never copied into a layer (test/integration/deploy/image-build.test.ts
# checks every layer). Defaults: base localhost/ipenrich-base:node22 (scripts/assemble-base-image.sh),
# tag localhost/ipenrich:<package.json version>. Needs root and buildah (Debian package).
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p 'require("./package.json").version')
tag=localhost/ipenrich:$version
base=${IPENRICH_BASE_IMAGE:-localhost/ipenrich-base:node22}
npmrc='' ca='' secrets_only=''
while [ $# -gt 0 ]; do
  case $1 in
    --tag) tag=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --npmrc) npmrc=$2; shift 2 ;;
    --ca) ca=$2; shift 2 ;;
    --secrets-only) secrets_only=$2; shift 2 ;;
    *) echo "build-image: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Private (0700) directory for the composed secrets, removed on exit.
umask 077
secrets=${secrets_only:-$(mktemp -d)}
[ -n "$secrets_only" ] || trap 'rm -rf "$secrets"' EXIT
mkdir -p "$secrets"

if [ -z "$npmrc" ]; then
  npmrc=$secrets/npmrc
  # cafile/ca and nodedir name files of this machine that do not exist in the build; the CA goes
  # in as its own secret instead.
  for file in "$(npm config get globalconfig)" "$(npm config get userconfig)"; do
    [ -r "$file" ] && grep -vE '^[[:space:]]*(cafile|ca|nodedir|prefix|cache)[[:space:]]*=' "$file" || true
  done >"$npmrc"
fi
if [ -z "$ca" ]; then
  ca=$secrets/ca.pem
  # Both sources: a test run points NODE_EXTRA_CA_CERTS at its emulators' certificate while npm's
  # cafile still names the machine's bundle with the proxy's CA.
  : >"$ca"
  for source in "${NODE_EXTRA_CA_CERTS:-}" "$(npm config get cafile 2>/dev/null || true)"; do
    if [ -n "$source" ] && [ "$source" != null ] && [ -r "$source" ]; then cat "$source" >>"$ca" && echo >>"$ca"; fi
  done
fi
[ -z "$secrets_only" ] || exit 0

started=$SECONDS
# --layers=false: every build starts clean (no cached RUN layer can hide what a step writes);
# --pull=never: the base is local; --format docker keeps HEALTHCHECK (OCI image configs have no field
# for it). chroot isolation shares the host network, which `npm ci` needs.
buildah build --isolation chroot --layers=false --pull=never --format docker \
  --build-arg "NODE_IMAGE=$base" \
  --secret "id=npmrc,src=$npmrc" --secret "id=ca,src=$ca" \
  --tag "$tag" .
echo "build-image: $tag built in $((SECONDS - started)) s, $(podman image inspect --format '{{.Size}}' "$tag") bytes" >&2
