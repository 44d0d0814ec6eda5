#!/usr/bin/env bash
# Installs the system packages the test suite and benchmarks drive as real peers:
#   sipp (Debian package sip-tester), redis-server, kamailio (bench baseline).
# Idempotent: does nothing when every binary is already on PATH.
set -euo pipefail

need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v kamailio >/dev/null 2>&1 || need+=(kamailio)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

echo "install-test-deps: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Installing a package must not leave a system service running on the ports tests use.
for svc in redis-server kamailio; do
  $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
