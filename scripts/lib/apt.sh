# shellcheck shell=bash
# apt_install CALLER PACKAGE...: installs the Debian packages named (none: nothing to do) as root,
# or fails naming them. Sourced by the install scripts.
apt_install() {
  local caller=$1
  shift
  (($#)) || return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  else
    echo "$caller: missing $*; run as root or install them" >&2
    exit 1
  fi
}
