#!/usr/bin/env bash
# Rolling deploy: a new build to one region at a time, with no failed request. For each REGION
# in order:
#   steerctl drain REGION --wait     every service moves off REGION on every authoritative
#                                    server steerd checks, and the records' TTL passes, so no
#                                    client still holds REGION's address
#   $STEER_DEPLOY_CMD                your deploy: install the new build, restart the services
#                                    (REGION is in its environment)
#   steerctl undrain REGION --wait   REGION is healthy, and traffic is back where the policy
#                                    brings it back (failback: auto)
#
# usage: STEER_DEPLOY_CMD='...' examples/rolling-deploy.sh [--timeout DURATION] REGION...
#   e.g. STEER_DEPLOY_CMD='ssh "deploy@$REGION.example.net" sudo systemctl restart steer-authd' \
#          STEER_API=http://steerd.example.net:9053 STEER_TOKEN_FILE=~/.steer-token \
#          examples/rolling-deploy.sh a b
# Environment: STEER_DEPLOY_CMD (required, run by bash), STEERCTL (default: steerctl), and
# steerctl's own STEER_API / STEER_TOKEN_FILE / STEER_TOKEN.
#
# Stops at the first step that fails and exits with its code, so a pipeline knows what happened:
#   0 every region deployed       1 a drain refused by a safety rule (named, with its override)
#   2 usage                       3 a drain or undrain timed out (what it waited for is printed)
#   4 steerd's API could not be asked
#   5 the deploy command failed: the region stays drained; fix it, then
#     `steerctl undrain REGION --wait` (or run this script again from that region)
set -uo pipefail

STEERCTL=${STEERCTL:-steerctl}
timeout=5m
case "${1:-}" in
  --timeout) timeout=${2:?--timeout needs a duration}; shift 2 ;;
  -h|--help) sed -n 2,26p "$0"; exit 0 ;;
esac
if [ $# -eq 0 ] || [ -z "${STEER_DEPLOY_CMD:-}" ]; then
  echo "usage: STEER_DEPLOY_CMD='...' $0 [--timeout DURATION] REGION..." >&2
  exit 2
fi

say() { echo "[$(date -u +%T)] rolling-deploy: $*" >&2; }

for region in "$@"; do
  say "draining $region"
  "$STEERCTL" drain "$region" --wait --timeout "$timeout" --why "rolling deploy" || {
    rc=$?
    say "drain $region failed (exit $rc); nothing deployed to $region"
    exit "$rc"
  }
  say "deploying $region"
  if ! REGION=$region bash -c "$STEER_DEPLOY_CMD"; then
    say "deploy of $region failed: $region stays drained; fix it, then: steerctl undrain $region --wait"
    exit 5
  fi
  say "undraining $region"
  "$STEERCTL" undrain "$region" --wait --timeout "$timeout" --why "rolling deploy" || {
    rc=$?
    say "undrain $region failed (exit $rc): stopping before the next region"
    exit "$rc"
  }
  say "$region done"
done
say "deployed: $*"
