#!/usr/bin/env bash
# Installs the load generators and the peer proxy of `plinth-bench --bin gateway-vs-nginx`.
# Idempotent: a tool already present is left alone.
#   wrk, h2load (nghttp2-client), nginx: Debian packages (needs root).
#   oha: `cargo install --locked` into .tools/cargo/bin (override the root with PLINTH_TOOLS);
#        it compiles for several minutes the first time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/apt.sh
source "$root/scripts/lib/apt.sh"
tools=${PLINTH_TOOLS:-$root/.tools}
# oha 1.16.0 needs rustc >= 1.88.
oha_version=1.16.0

need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v h2load >/dev/null || need_apt+=(nghttp2-client)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
apt_install install-bench-tools "${need_apt[@]}"

if [ ! -x "$tools/cargo/bin/oha" ]; then
  cargo install --locked --root "$tools/cargo" oha --version "$oha_version"
fi

echo "install-bench-tools: ready (oha in $tools/cargo/bin)"
