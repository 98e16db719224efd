#!/usr/bin/env bash
# The Debian packages Warta's tests use (Java + Maven for Kafka, PostgreSQL, Prometheus,
# Alertmanager, docker-compose, Chromium; gcc and the Python headers for the compiled hot path):
# installs the missing ones when run as root, otherwise prints the one command that does. Used by `.ci/run` and by `make test`.
#   scripts/system-deps.sh           install what is missing (root), or say how (exit 1)
#   scripts/system-deps.sh --list    print the missing packages, one per line, and exit 0
set -euo pipefail

missing_packages() {
  command -v java >/dev/null || echo default-jdk-headless
  command -v mvn >/dev/null || echo maven
  command -v make >/dev/null || echo make
  python3 -c 'import ensurepip' >/dev/null 2>&1 || echo python3-venv
  # the compiled hot path (Cython) needs a C compiler and the Python headers
  command -v gcc >/dev/null || echo gcc
  python3 -c 'import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' \
    >/dev/null 2>&1 || echo python3-dev
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || echo postgresql
  command -v promtool >/dev/null || echo prometheus
  command -v prometheus-alertmanager >/dev/null || echo prometheus-alertmanager
  command -v docker-compose >/dev/null || echo docker-compose
  command -v chromium >/dev/null || echo chromium
}

mapfile -t need < <(missing_packages)
if [[ "${1:-}" == "--list" ]]; then
  ((${#need[@]})) && printf '%s\n' "${need[@]}"
  exit 0
fi
((${#need[@]})) || exit 0

if [[ "$(id -u)" != 0 ]]; then
  echo "Warta's tests need these Debian packages: ${need[*]}" >&2
  echo "Install them with this one command, then run make test again:" >&2
  echo "  sudo bash $(realpath "$0")" >&2
  exit 1
fi

echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts services on install; the tests start their own on free ports.
for svc in postgresql prometheus prometheus-alertmanager; do
  (service "$svc" stop >/dev/null 2>&1 || true)
done
