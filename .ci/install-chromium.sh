#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's Chromium (never a downloaded
# browser build): install it when this machine does not have it yet.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
/usr/bin/chromium --version || true
