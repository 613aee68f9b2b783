#!/usr/bin/env bash
# The dashboard's browser tests prefer Debian's Chromium (never a downloaded
# browser build); without it they fall back to the Chromium bundled in the
# @sparticuz/chromium devDependency (packages/dashboard/test/browser.ts), so
# `npm test` passes on a fresh machine too. CI installs Debian's so that both
# run: the main browser test on Debian's, bundled-browser.browser.test.ts on
# the bundled one.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
/usr/bin/chromium --version || true
