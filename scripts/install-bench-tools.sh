#!/usr/bin/env bash
# Installs the load generators and the peer proxy of `plinth-bench --bin gateway-vs-nginx`.
# Idempotent: a tool already present is left alone.
#   wrk, h2load (nghttp2-client), nginx: Debian packages (needs root).
#   oha: `cargo install --locked` into .tools/cargo/bin (override the root with PLINTH_TOOLS);
#        it compiles for several minutes the first time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=${PLINTH_TOOLS:-$root/.tools}
# oha 1.16.0 needs rustc >= 1.88.
oha_version=1.16.0

need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v h2load >/dev/null || need_apt+=(nghttp2-client)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "install-bench-tools: missing ${need_apt[*]}; run as root or install them" >&2
    exit 1
  fi
fi

if [ ! -x "$tools/cargo/bin/oha" ]; then
  cargo install --locked --root "$tools/cargo" oha --version "$oha_version"
fi

echo "install-bench-tools: ready (oha in $tools/cargo/bin)"
