#!/usr/bin/env bash
# End-to-end tests in a real VS Code (code-server + headless Chromium): sets up the cache, packages the
# extension, then runs every e2e file. All files run even when one fails; the exit status is non-zero
# when any step (setup, package or a test file) failed. Screenshots land in test/e2e/screenshots/.
set -uo pipefail
cd "$(dirname "$0")/../.."

bash scripts/e2e/setup.sh || { echo "e2e: setup failed" >&2; exit 1; }
npm run package || { echo "e2e: npm run package failed" >&2; exit 1; }

status=0
for file in test/e2e/smoke.e2e.mjs test/e2e/extension.e2e.mjs; do
  echo "=== $file"
  start=$SECONDS
  if node "$file"; then
    echo "=== $file passed in $((SECONDS - start)) s"
  else
    echo "=== $file FAILED in $((SECONDS - start)) s" >&2
    status=1
  fi
done
exit $status
