#!/usr/bin/env bash
# Installs what the tests and benchmarks need besides what setup.sh
# installs for running the console: browsers and their drivers, PostgreSQL,
# the npm packages the browser tests and benchmarks load, and Huawei's
# official Python SDK in a virtual environment. From the registries only;
# what is there already is skipped. Source it to get the PATH and the
# variables it sets.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh"
cd "$ROOT"

# axe-core (accessibility audit), papaparse and udsv (the benchmark's
# yardsticks), csv-spectrum and the big list of naughty strings (corpora the
# CSV reader and the export guard are tested on) are used only by tests and
# benchmarks: installed into target/npm.
NPM_TEST_PACKAGES="axe-core@4.14.1 papaparse@5.7.1 udsv@0.7.3 csv-spectrum@2.0.0 big-list-of-naughty-strings@1.0.0"
for package in $NPM_TEST_PACKAGES; do
  installed="$(node -p "require('$ROOT/target/npm/node_modules/${package%@*}/package.json').version" 2>/dev/null || true)"
  if [ "$installed" != "${package##*@}" ]; then
    say "installing $NPM_TEST_PACKAGES from npm into target/npm"
    quiet npm install --prefix "$ROOT/target/npm" --no-audit --no-fund --no-save $NPM_TEST_PACKAGES
    break
  fi
done

# Chromium for the browser tests, Firefox ESR and WebKitGTK (under Xvfb)
# for the smoke path in the other engines; PostgreSQL (pg_virtualenv
# starts a throw-away cluster) for the history tests' second database;
# venv for the Huawei SDK below.
APT_PACKAGES=""
command -v chromium >/dev/null && command -v chromedriver >/dev/null || APT_PACKAGES="chromium chromium-driver"
command -v firefox-esr >/dev/null || APT_PACKAGES="$APT_PACKAGES firefox-esr"
command -v WebKitWebDriver >/dev/null && command -v Xvfb >/dev/null || APT_PACKAGES="$APT_PACKAGES webkit2gtk-driver xvfb"
command -v pg_virtualenv >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES postgresql"
# Debian splits venv's pip bootstrap out of python3.
python3 -c 'import ensurepip' >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES python3-venv"
if [ -n "$APT_PACKAGES" ]; then
  say "installing Debian's$APT_PACKAGES"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  quiet $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive quiet $SUDO apt-get install -y $APT_PACKAGES
fi

# Firefox's WebDriver, from crates.io (Debian has none).
GECKODRIVER_VERSION=0.37.1
if [ "$(geckodriver --version 2>/dev/null | head -n1 | awk '{print $2}')" != "$GECKODRIVER_VERSION" ]; then
  say "installing geckodriver $GECKODRIVER_VERSION (about 4 minutes)"
  quiet cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked
fi

# Huawei Cloud's official Python SDK, unmodified, from PyPI: the sandbox is
# tested against it (crates/sandbox/tests/huawei_sdk.rs).
SDK_VENV="$ROOT/target/huawei-sdk"
SDK_REQUIREMENTS="$ROOT/crates/sandbox/tests/python/requirements.txt"
if ! cmp -s "$SDK_REQUIREMENTS" "$SDK_VENV/requirements.txt" 2>/dev/null; then
  say "installing Huawei's Python SDK into target/huawei-sdk"
  rm -rf "$SDK_VENV"
  quiet python3 -m venv "$SDK_VENV"
  quiet "$SDK_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$SDK_REQUIREMENTS"
  cp "$SDK_REQUIREMENTS" "$SDK_VENV/requirements.txt"
fi
export NUMBERS_HUAWEI_SDK_PYTHON="$SDK_VENV/bin/python3"

say "tests ready ($(chromium --version 2>/dev/null | head -n1), $(firefox-esr --version 2>/dev/null), WebKitGTK $(dpkg-query -W -f '${Version}' libwebkit2gtk-4.1-0 2>/dev/null), PostgreSQL $(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n1), $("$NUMBERS_HUAWEI_SDK_PYTHON" -c 'import huaweicloudsdkcore, importlib.metadata as m; print("huaweicloudsdkcore", m.version("huaweicloudsdkcore"))'))"
