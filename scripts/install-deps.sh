#!/usr/bin/env bash
# Installs the Debian 12 packages trustllm needs, when they are missing.
# As root it runs apt-get; otherwise it prints the command to run.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config git curl ca-certificates unzip
  libboost-dev libyaml-cpp-dev nlohmann-json3-dev libcurl4-openssl-dev libssl-dev
  libspdlog-dev doctest-dev libsqlite3-dev libcli11-dev libcpp-httplib-dev libjemalloc-dev libicu-dev python3 sqlite3)
if [ "${TRUSTLLM_EXTRA_PACKAGES:-}" != "" ]; then
  # shellcheck disable=SC2206
  packages+=(${TRUSTLLM_EXTRA_PACKAGES})
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
