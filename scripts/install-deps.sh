#!/usr/bin/env bash
# Install what Concierge needs on Debian 12 (bookworm), idempotently.
#
#   scripts/install-deps.sh [runtime|test|bench]
#
#   runtime  libzmq3-dev, pkg-config, postgresql (server: initdb, pg_ctl, psql)
#   test     runtime + Python packages pyzmq pytest schemathesis jsonschema pyyaml
#   bench    runtime + wrk, postgresql-contrib (pgbench), curl
#
# Only what is missing is installed; `apt-get update` runs once, and only when an
# apt package is missing. Works as root (no sudo); as another user it uses sudo
# if present. Nothing is downloaded except through apt and pip.
set -euo pipefail

profile="${1:-runtime}"
case "$profile" in
    runtime | test | bench) ;;
    -h | --help)
        sed -n '2,12p' "$0"
        exit 0
        ;;
    *)
        echo "install-deps: unknown profile '$profile' (expected runtime, test or bench)" >&2
        exit 2
        ;;
esac

log() { printf 'install-deps: %s\n' "$*"; }

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        log "not root and no sudo: cannot install system packages" >&2
    fi
fi

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_wanted=(libzmq3-dev pkg-config postgresql)
if [[ "$profile" == bench ]]; then
    apt_wanted+=(wrk postgresql-contrib curl)
fi
if [[ "$profile" == test ]] && ! python3 -m pip --version >/dev/null 2>&1; then
    apt_wanted+=(python3-pip)
fi

apt_missing=()
for pkg in "${apt_wanted[@]}"; do
    if ! is_installed "$pkg"; then
        apt_missing+=("$pkg")
    fi
done

if ((${#apt_missing[@]} > 0)); then
    # Concierge runs its own private clusters (scripts/pg.sh); do not let the Debian
    # package create and start a system-wide "main" cluster on port 5432. Only done
    # when postgresql-common is not installed yet, so an existing setup is untouched.
    if ! is_installed postgresql-common; then
        log "configuring postgresql-common not to create a default 'main' cluster"
        "${as_root[@]}" mkdir -p /etc/postgresql-common/createcluster.d
        echo 'create_main_cluster = false' |
            "${as_root[@]}" tee /etc/postgresql-common/createcluster.d/concierge.conf >/dev/null
    fi
    log "missing apt packages: ${apt_missing[*]}"
    log "running: apt-get update"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    log "running: apt-get install -y --no-install-recommends ${apt_missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
else
    log "apt packages present: ${apt_wanted[*]}"
fi

# Sanity: the PostgreSQL server binaries must be findable the way scripts/pg.sh looks for them.
pg_bin=""
for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && pg_bin="$dir"
done
if [[ -z "$pg_bin" ]] && command -v pg_config >/dev/null 2>&1; then
    pg_bin="$(pg_config --bindir)"
fi
if [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" ]]; then
    log "PostgreSQL server binaries (initdb) not found after install" >&2
    exit 1
fi
log "PostgreSQL server binaries: $pg_bin"

if [[ "$profile" == test ]]; then
    # pip package name -> import name
    pip_missing=()
    for spec in pyzmq:zmq pytest:pytest schemathesis:schemathesis jsonschema:jsonschema pyyaml:yaml \
        openapi-spec-validator:openapi_spec_validator; do
        pkg="${spec%%:*}"
        mod="${spec##*:}"
        if ! python3 -c "import $mod" >/dev/null 2>&1; then
            pip_missing+=("$pkg")
        fi
    done
    if ((${#pip_missing[@]} > 0)); then
        pip_args=(install --quiet --disable-pip-version-check)
        # Debian's own python3 is "externally managed" (PEP 668); pip then refuses to
        # install without this flag. A venv or pyenv interpreter does not need it.
        if python3 -c 'import os, sys, sysconfig; sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
            pip_args+=(--break-system-packages)
        fi
        log "missing Python packages: ${pip_missing[*]}"
        log "running: python3 -m pip ${pip_args[*]} ${pip_missing[*]}"
        PIP_ROOT_USER_ACTION=ignore python3 -m pip "${pip_args[@]}" "${pip_missing[@]}"
    else
        log "Python packages present: pyzmq pytest schemathesis jsonschema pyyaml"
    fi
fi

log "profile '$profile' ready"
