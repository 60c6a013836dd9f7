#!/usr/bin/env bash
# Makes sure a headless browser is available for the HTML report tests.
# Installs Debian's chromium (and its WebDriver, for selenium users) when /usr/bin/chromium is
# missing. Exits non-zero when it cannot (no root, no apt); scripts/test.sh then carries on and
# the browser tests skip with a message saying so.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_browser: apt-get not found; install chromium yourself" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "ensure_browser: not root and no password-less sudo; cannot install chromium" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# fonts-dejavu-core gives headless chromium a font to draw text with on minimal images.
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null
[ -x /usr/bin/chromium ]
