#!/usr/bin/env bash
# Make sure the Debian packages the test suite needs are present: Chromium for the
# Playwright journeys (never a downloaded browser), gettext for compilemessages and
# Pango with a font for WeasyPrint's PDFs.
# Installs with apt-get when running as root; otherwise says what is missing.
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
# WeasyPrint renders the PDF reports with Pango; DejaVu has every Welsh character.
libraries=$(ldconfig -p 2>/dev/null || true)
[[ $libraries == *libpango-1.0.so* ]] || missing+=(libpango-1.0-0)
[[ $libraries == *libpangoft2-1.0.so* ]] || missing+=(libpangoft2-1.0-0)
[[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)

if ((${#missing[@]} == 0)); then
    exit 0
fi

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    }
else
    echo "Missing Debian packages: ${missing[*]}." >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    if [[ "${CI:-}" == "true" ]]; then
        exit 1
    fi
    echo "Browser journeys will be skipped." >&2
fi
