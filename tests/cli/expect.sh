# Sourced by the command-line tests: count failures instead of stopping at the first.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect STATUS PATTERN command...: the exit status and a pattern in stderr/stdout.
expect() {
  local status=$1 pattern=$2; shift 2
  local output; output=$("$@" 2>&1); local got=$?
  [[ $got == "$status" ]] || fail "'$*' exited $got, expected $status: $output"
  [[ -z $pattern || $output == *"$pattern"* ]] || fail "'$*' did not say '$pattern': $output"
}
