#!/usr/bin/env bash
# Installs the Debian packages Lifeguard needs, only those that are missing.
# Usage: eng/prereqs.sh [package-group ...]   groups: db (default), browser, monitoring, load, pooler, all
set -euo pipefail

declare -A GROUPS_PKGS=(
  [db]="postgresql postgresql-contrib postgresql-15-hypopg"
  [browser]="chromium"
  [monitoring]="prometheus prometheus-alertmanager"
  [load]="wrk"
  # PgBouncer for the pooler checks and tests (started by the tests themselves on ports of their own; the package's
  # system service is kept from starting by the policy-rc.d below).
  [pooler]="pgbouncer"
)

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(db)
if [ "${groups[0]}" = "all" ]; then groups=(db browser monitoring load pooler); fi

wanted=()
for g in "${groups[@]}"; do
  pkgs=${GROUPS_PKGS[$g]:-}
  if [ -z "$pkgs" ]; then echo "prereqs: unknown group '$g' (db, browser, monitoring, load, pooler, all)" >&2; exit 2; fi
  for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      wanted+=("$p")
    fi
  done
done

[ ${#wanted[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "prereqs: need root or sudo to install: ${wanted[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "prereqs: installing ${wanted[*]} (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql package creates and starts a system cluster on 5432; we never use it,
# and policy-rc.d keeps apt from starting services during this install. One that is already
# there (the stock image has one) is left alone. LIFEGUARD_POLICY_RC, LIFEGUARD_APT_STAMP and LIFEGUARD_APT_LISTS exist
# for eng/suites/prereqs.sh, which runs this branch against stubs.
policy=${LIFEGUARD_POLICY_RC:-/usr/sbin/policy-rc.d}
created_policy=0
# The script's exit status is the install's, never the cleanup's: a trap that ends on a false
# test would otherwise turn a successful install into exit 1.
cleanup() {
  local rc=$?
  if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy" || true; fi
  exit "$rc"
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  created_policy=1
  $SUDO chmod +x "$policy"
fi
stamp=${LIFEGUARD_APT_STAMP:-/var/lib/apt/periodic/lifeguard-update-stamp}
# Update when the lists are older than 6 h, or absent (images often ship with /var/lib/apt/lists emptied).
lists=${LIFEGUARD_APT_LISTS:-/var/lib/apt/lists}
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ] \
   || ! compgen -G "$lists/*_Packages*" >/dev/null; then
  if ! $SUDO apt-get update -qq; then
    echo "prereqs: apt-get update failed (see its message above)" >&2; exit 1
  fi
  $SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp"
fi
# apt's own errors (E: ...) go to stderr and stay visible; its progress chatter does not.
if ! $SUDO apt-get install -y -qq "${wanted[@]}" >/dev/null; then
  echo "prereqs: apt-get install failed for: ${wanted[*]} (see apt's message above)" >&2; exit 1
fi
echo "prereqs: done"
exit 0
