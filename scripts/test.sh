#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: tools, formatting, lints, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
