#!/bin/sh
# Vendor ODK Web Forms and Vue (exact versions in frontend/odkcrypto/package-lock.json) into
# aigak/static/vendor/, served by Aigak itself: no CDN, no third-party request from a page.
# The files are copied as published; only the licence files are added.
set -eu
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here/frontend/odkcrypto"
npm ci --ignore-scripts --no-audit --no-fund
vendor="$here/aigak/static/vendor"
rm -rf "$vendor/web-forms" "$vendor/vue"
mkdir -p "$vendor/web-forms" "$vendor/vue"

forms=node_modules/@getodk/web-forms
cp "$forms"/dist/*.js "$forms/package.json" "$forms/README.md" "$vendor/web-forms/"
# The package says "license": "Apache-2.0" in package.json and ships no licence file.
cp /usr/share/common-licenses/Apache-2.0 "$vendor/web-forms/LICENSE"
cat > "$vendor/web-forms/VERSION" <<INFO
@getodk/web-forms $(node -p "require('./$forms/package.json').version") from the npm registry
(Apache-2.0, https://github.com/getodk/web-forms). Its dist bundles PrimeVue, OpenLayers,
DOMPurify, web-tree-sitter and other libraries under their own licences (MIT, BSD-2-Clause,
Apache-2.0); see each project's licence.
INFO

cp node_modules/vue/dist/vue.runtime.esm-browser.prod.js node_modules/vue/LICENSE "$vendor/vue/"
node -p "'vue ' + require('./node_modules/vue/package.json').version + ' from the npm registry (MIT)'" \
  > "$vendor/vue/VERSION"
