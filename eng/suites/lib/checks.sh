# Shared by the end-to-end suites (sourced, not run: test.sh runs only eng/suites/*.sh): counting checks and the
# `suite: N passed, N failed` line test.sh reads. Set TOTAL_CHECKS before calling finish: the checks not reached after
# a fatal failure count as failed.
passed=0; failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
finish() {
  local missing=$((TOTAL_CHECKS - passed - failed))
  [ "$missing" -gt 0 ] && { echo "FAIL - $missing check(s) not reached"; failed=$((failed + missing)); }
  echo "suite: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]; exit $?
}
