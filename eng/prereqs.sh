#!/usr/bin/env bash
# Installs the Debian packages Lifeguard needs, only those that are missing.
# Usage: eng/prereqs.sh [package-group ...]   groups: db (default), browser, monitoring, load, all
set -euo pipefail

declare -A GROUPS_PKGS=(
  [db]="postgresql postgresql-contrib postgresql-15-hypopg"
  [browser]="chromium"
  [monitoring]="prometheus prometheus-alertmanager"
  [load]="wrk"
)

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(db)
if [ "${groups[0]}" = "all" ]; then groups=(db browser monitoring load); fi

wanted=()
for g in "${groups[@]}"; do
  pkgs=${GROUPS_PKGS[$g]:-}
  if [ -z "$pkgs" ]; then echo "prereqs: unknown group '$g' (db, browser, monitoring, load, all)" >&2; exit 2; fi
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
# and policy-rc.d keeps apt from starting services during this install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && created_policy=1
fi
cleanup() { [ "$created_policy" = 1 ] && $SUDO rm -f "$policy"; }
trap cleanup EXIT
stamp=/var/lib/apt/periodic/lifeguard-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ]; then
  $SUDO apt-get update -qq
  $SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp"
fi
$SUDO apt-get install -y -qq "${wanted[@]}" >/dev/null
echo "prereqs: done"
