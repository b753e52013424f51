#!/usr/bin/env bash
# Exercises eng/prereqs.sh's install branch against stub apt-get / dpkg-query / id on PATH and a
# policy-rc.d of its own (LIFEGUARD_POLICY_RC), so an install step that reports failure after a
# successful install (or success after a failed one) cannot come back unseen. Nothing is installed.
# Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

passed=0; failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stubs=$tmp/bin; mkdir -p "$stubs"

# dpkg-query -W -f='${Status}' PKG: installed iff PKG is listed in $STUB_INSTALLED.
cat >"$stubs/dpkg-query" <<'SH'
#!/usr/bin/env bash
pkg=${!#}
for p in ${STUB_INSTALLED:-}; do [ "$p" = "$pkg" ] && { printf 'install ok installed'; exit 0; }; done
echo "dpkg-query: no packages found matching $pkg" >&2; exit 1
SH
# apt-get: records each call and whether policy-rc.d existed at that moment; STUB_APT_FAIL=1 fails
# the install the way apt does (message on stderr, exit 100).
cat >"$stubs/apt-get" <<'SH'
#!/usr/bin/env bash
policy_state=absent; [ -e "$LIFEGUARD_POLICY_RC" ] && policy_state=present
echo "$* policy=$policy_state" >>"$STUB_LOG"
if [ "${1:-}" = install ] && [ "${STUB_APT_FAIL:-0}" = 1 ]; then
  echo "E: Unable to locate package ${!#}" >&2; exit 100
fi
echo "apt progress chatter"
exit 0
SH
# root, so the branch runs without sudo wherever the suite runs
printf '#!/bin/sh\n[ "$1" = -u ] && { echo 0; exit 0; }\nexec /usr/bin/id "$@"\n' >"$stubs/id"
chmod +x "$stubs"/*

# run_prereqs NAME [VAR=VALUE...]: runs eng/prereqs.sh load with the stubs; sets rc, out, calls.
run_prereqs() {
  local case_dir=$tmp/$1; shift
  mkdir -p "$case_dir"
  : >"$case_dir/apt.log"
  out=$(env PATH="$stubs:$PATH" LIFEGUARD_POLICY_RC="$case_dir/policy-rc.d" \
    LIFEGUARD_APT_STAMP="$case_dir/stamp" LIFEGUARD_APT_LISTS="$case_dir" STUB_LOG="$case_dir/apt.log" STUB_INSTALLED="" "$@" \
    bash eng/prereqs.sh load 2>&1)
  rc=$?
  calls=$(cat "$case_dir/apt.log")
  policy=$case_dir/policy-rc.d
}

# 1. a package missing, policy-rc.d already there (the stock image): exit 0, the policy left as it was
mkdir -p "$tmp/present"; printf '#!/bin/sh\nexit 0\n' >"$tmp/present/policy-rc.d"
run_prereqs present
check "missing package, policy-rc.d present: exit 0 (got $rc: $out)" [ "$rc" -eq 0 ]
check "missing package, policy-rc.d present: apt-get install wrk ran" grep -q '^install -y -qq wrk' <<<"$calls"
check "missing package, no apt lists yet: apt-get update ran before the install" grep -q '^update -qq' <<<"$(head -1 <<<"$calls")"
check "missing package, policy-rc.d present: the existing policy-rc.d is left untouched" \
  grep -qx 'exit 0' "$policy"

# 2. a package missing, no policy-rc.d: created for the install, removed after, exit 0
run_prereqs absent
check "missing package, no policy-rc.d: exit 0 (got $rc: $out)" [ "$rc" -eq 0 ]
check "missing package, no policy-rc.d: policy-rc.d existed while apt-get installed" \
  grep -q '^install -y -qq wrk policy=present' <<<"$calls"
check "missing package, no policy-rc.d: policy-rc.d removed afterwards" [ ! -e "$policy" ]

# 3. apt-get install fails: non-zero, apt's message shown, the created policy-rc.d still removed
run_prereqs failing STUB_APT_FAIL=1
check "apt-get install fails: non-zero exit (got $rc)" [ "$rc" -ne 0 ]
check "apt-get install fails: apt's message is shown" grep -q 'E: Unable to locate package wrk' <<<"$out"
check "apt-get install fails: policy-rc.d removed afterwards" [ ! -e "$policy" ]

# 4. nothing missing: exit 0 and apt-get never runs
run_prereqs nothing STUB_INSTALLED=wrk
check "nothing missing: exit 0 (got $rc: $out)" [ "$rc" -eq 0 ]
check "nothing missing: apt-get not called (calls: ${calls:-none})" [ -z "$calls" ]

echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
