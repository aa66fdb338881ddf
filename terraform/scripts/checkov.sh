#!/usr/bin/env bash
# Static security analysis of terraform/ with checkov, from its own virtualenv
# (checkov pins an old boto3, so it stays out of the project's uv.lock).
# Exits non-zero if any check fails. Skips live inline next to the resources.
set -euo pipefail

CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${repo_root}/.venv-checkov"

cd "${repo_root}"

if [[ ! -x "${venv}/bin/checkov" ]] || ! "${venv}/bin/checkov" --version 2>/dev/null | grep -qx "${CHECKOV_VERSION}"; then
  echo "checkov.sh: installing checkov==${CHECKOV_VERSION} into ${venv}" >&2
  [[ -x "${venv}/bin/python" ]] || python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}"
fi

# No network calls: no platform upload, no external module download.
export BC_SKIP_MAPPING=TRUE
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
exec "${venv}/bin/checkov" --config-file terraform/.checkov.yaml --skip-download "$@"
