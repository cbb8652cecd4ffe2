# Shared helpers for the ops/ scripts (sourced, not run).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing $* (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { echo "The .NET SDK 10 is required (https://dot.net); dotnet is not on PATH." >&2; exit 1; }
}

# The private PostgreSQL clusters: the product's (ops/demo, ops/bench, ops/backup, ops/restore) and the tests'
# (ops/test, ops/roundtrip; fsync off). CASETRACKING_PGPORT picks one; pg_port reads it at each call, so a
# script may set it after sourcing this file.
PRODUCT_PGPORT=55432
TEST_PGPORT=55433
# The province tests' second cluster (tests/CaseTracking.Tests/Provinces/SecondCluster.cs names it too).
SECOND_TEST_PGPORT=55434
pg_port() { printf '%s' "${CASETRACKING_PGPORT:-$PRODUCT_PGPORT}"; }

# A PostgreSQL client tool (psql, pg_dump, pg_restore) as the cluster's superuser, over its Unix socket (peer auth).
pg_tool() { local tool="$1"; shift; as_root runuser -u postgres -- "$tool" -h /tmp -p "$(pg_port)" "$@"; }

# pg_sql DATABASE SQL: one statement; unaligned, tuples only; stops on the first error.
pg_sql() { pg_tool psql -d "$1" -v ON_ERROR_STOP=1 -qAt -c "$2"; }

# The app as ops/ runs it: one Release build, run from its project folder.
APP_DLL="$REPO_ROOT/src/CaseTracking/bin/Release/net10.0/CaseTracking.dll"
build_app() { dotnet build "$REPO_ROOT/src/CaseTracking" -c Release -v quiet -nologo -clp:NoSummary >&2; }
