#!/usr/bin/env bash
# curl-style guard rail: functions with unbounded writes or silent parse
# errors are not used in src/ (use snprintf, buf_append, strtoll, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
if grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|gets|strtok)\(' src; then
  echo "banned function used in src/ (see above)" >&2
  exit 1
fi
echo "banned functions: none"
