#!/usr/bin/env bash
# `npm start` and `npm test` on a fresh Debian or Ubuntu machine with Node.js >= 18 and git.
# Installs whatever is missing, then starts the system or runs the suite; near-instant when
# everything is already there.
#   bash scripts/dev.sh start               pnpm, the dependencies, redis-server (unless REDIS_URL)
#   bash scripts/dev.sh test <script>...    the same plus Debian's PyTorch, Chromium and promtool (and podman,
#                                           runc, mmdebstrap for test:containers), then each pnpm script
# Debian packages are installed with apt when run as root; otherwise the one command to run is printed.
# Where the machine's Node.js is older than the dependencies accept, the release the images ship
# (.node-version) is fetched once and installs and runs everything, in both modes.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: scripts/dev.sh start | test <pnpm script>...}
shift

# npm and pnpm check the registry for newer versions of themselves and print how to update:
# not this project's business, and it reads like a step to take.
export npm_config_update_notifier=false

node -e 'if (Number(process.versions.node.split(".")[0]) < 18) { console.error(`Node.js >= 18 is required to start, found ${process.version} (README: "Node.js on Debian 12")`); process.exit(1); }'

# Debian packages this mode needs, by the command or package that shows they are there.
missing=()
if [ -z "${REDIS_URL:-}" ] || [ "$mode" = test ]; then
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
fi
if [ "$mode" = test ]; then
  # PyTorch and ONNX for tools/export-onnx and its tests; Chromium for the browser test.
  for package in python3-torch python3-torchvision python3-onnx; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null 2>&1 || missing+=(chromium)
  # promtool (Debian's prometheus package) lints every metric name.
  command -v "${PROMTOOL_PATH:-/usr/bin/promtool}" >/dev/null 2>&1 || missing+=(prometheus)
  # test:containers: rootful podman with runc, and mmdebstrap for the offline base images.
  if [[ " $* " == *" test:containers "* ]]; then
    for package in podman runc mmdebstrap netavark aardvark-dns catatonit iptables docker-compose; do
      dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing with apt: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages; run this once, then again: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v pnpm >/dev/null 2>&1; then
  echo "installing pnpm 10"
  if [ "$(id -u)" -eq 0 ]; then
    npm install -g --silent pnpm@10
  else
    # No root: into ~/.local (on PATH in a Debian login shell once it exists).
    npm install -g --silent --prefix "$HOME/.local" pnpm@10
    export PATH="$HOME/.local/bin:$PATH"
  fi
fi

# The dependencies' engines (vitest 5: ^22.12 || ^24 || >= 26; testcontainers 12: >= 22.22; .npmrc
# has engine-strict) decide
# which Node.js installs them; anything older (Debian 12's 18, Node 20) gets the pinned release
# first on PATH for the install and everything after it, start and test alike. pnpm itself was
# installed above with the machine's npm, which keeps running on the machine's Node.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a >= 26 || a === 24 || (a === 22 && b >= 22) ? 0 : 1)'; then
  # HOST_NODE: the machine's own, for the test that the services still run on it where they
  # support it (package.json engines, >= 20.11; test/e2e/host-node.e2e.test.ts).
  if node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)'; then
    HOST_NODE=$(command -v node)
    export HOST_NODE
  fi
  # shellcheck source=lib/node-release.sh
  . scripts/lib/node-release.sh
  echo "the dependencies do not install on Node.js $(node --version): they install and run on Node.js $NODE_RELEASE (.node-version, kept in .cache/node)"
  PATH="$(node_release_dir)/bin:$PATH"
  export PATH
fi
if [ "$mode" = test ]; then echo "tests run on Node.js $(node --version)"; fi

# pnpm keeps a copy of the lockfile it installed: install only when the committed one differs.
if ! cmp -s pnpm-lock.yaml node_modules/.pnpm/lock.yaml; then
  # onnxruntime-node's install step would download CUDA binaries; the CPU build ships in the package.
  ONNXRUNTIME_NODE_INSTALL=skip pnpm install --frozen-lockfile
fi

case "$mode" in
  start) exec pnpm exec tsx scripts/start.ts ;;
  test)
    for script in "$@"; do pnpm run "$script"; done
    ;;
  *)
    echo "unknown mode $mode (start or test)" >&2
    exit 2
    ;;
esac
