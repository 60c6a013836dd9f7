#!/usr/bin/env bash
# Installs everything the test suite needs into the current Python environment, then runs it.
# torch goes in first, pinned, so lightning/transformers/keras do not pull a CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check torch==2.13.0
python -m pip install -q --disable-pip-version-check -e '.[test]'
export KERAS_BACKEND=torch WANDB_MODE=offline WANDB_SILENT=true MPLBACKEND=Agg
if [ -f scripts/ensure_browser.sh ]; then bash scripts/ensure_browser.sh || echo "note: no headless browser; browser tests will skip"; fi
# Two workers by default (the suite is ~9 min on one 2-core machine, ~5 with two); TRAINDOC_TEST_WORKERS=0 runs serially.
workers=${TRAINDOC_TEST_WORKERS:-2}
if [ "$workers" != "0" ] && python -c "import xdist" 2>/dev/null; then
    exec python -m pytest -n "$workers" "$@"
fi
exec python -m pytest "$@"
