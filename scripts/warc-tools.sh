#!/usr/bin/env bash
# Installs warcio and pywb from PyPI into .build/warc-tools (a Python virtual environment),
# for the WARC tests (warcio check and index, pywb's replay) and bench/warc.sh. Does nothing
# when they are there already.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/warc-tools
if [ -x "$venv/bin/warcio" ] && [ -x "$venv/bin/wayback" ]; then exit 0; fi
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv
fi
echo "installing warcio and pywb into $venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check warcio==1.8.1 pywb==2.10.0
