#!/usr/bin/env bash
# Install the Debian Chromium the browser tests drive through Playwright (executable_path=/usr/bin/chromium).
# Idempotent: does nothing when /usr/bin/chromium exists. Never `playwright install` (no browser downloads).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-chromium: not root and no sudo; install the 'chromium' package as root" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || {
  $SUDO apt-get update -qq
  $SUDO apt-get install -y --no-install-recommends chromium
}
/usr/bin/chromium --version
