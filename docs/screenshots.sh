#!/usr/bin/env bash
# Build the documentation and photograph pages as a reader sees them, in
# headless Chromium at 1280 and 1024 px wide.
#
#   docs/screenshots.sh                      # build, then the default pages
#   docs/screenshots.sh user_guide/plots     # build, then these pages
#   SKIP_BUILD=1 docs/screenshots.sh         # photograph the last build
#
# Needs Debian's chromium (apt-get install chromium) and the docs extra
# (pip install ".[docs]"). The PNGs go to docs/_build/screenshots/, named
# <page>-<width>.png. HEIGHT sets the window height (default 900).
set -euo pipefail
cd "$(dirname "$0")/.."

html=docs/_build/html
out=docs/_build/screenshots
height=${HEIGHT:-900}
pages=("$@")
if [ ${#pages[@]} -eq 0 ]; then
    pages=(index which_search getting_started migration/sklearn
           user_guide/halving user_guide/plots
           auto_examples/plot_halving_n_estimators api)
fi

if [ -z "${SKIP_BUILD:-}" ]; then
    python -m sphinx -n -W --keep-going -q -b html docs "$html"
fi

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "chromium not found: apt-get install chromium" >&2
    exit 1
fi

mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update
       --disable-sync --hide-scrollbars --user-data-dir="$profile")
# Chromium refuses to run as root inside its sandbox.
if [ "$(id -u)" = 0 ]; then flags+=(--no-sandbox); fi

for page in "${pages[@]}"; do
    file="$PWD/$html/$page.html"
    [ -f "$file" ] || { echo "no such page: $file" >&2; exit 1; }
    for width in 1280 1024; do
        png="$out/${page//\//_}-$width.png"
        "$browser" "${flags[@]}" --window-size="$width,$height" \
            --screenshot="$png" "file://$file" >/dev/null 2>&1
        echo "$png"
    done
done
