#!/usr/bin/env bash
# permfw against Django 6, side by side, in one command: seeds the same data set (users, 20
# groups, about 500 permissions, memberships and direct grants, by the formulas of
# `permfw_benches::seed`) into permfw's store and into a small Django project, measures both in
# this one run, and prints a table of medians and ratios, on SQLite and, when
# COMPARE_POSTGRES_URL names a server, on PostgreSQL. A benchmark, not a test: CI does not run it.
#
#   benches/compare/run.sh
#   COMPARE_USERS=100000 COMPARE_POSTGRES_URL='postgres://root@localhost/postgres?host=/var/run/postgresql' benches/compare/run.sh
#
# Django gets its own virtual environment (target/compare/venv) from requirements.txt, and needs
# Python 3.12 or newer (COMPARE_PYTHON, or the first python3.13 / python3.12 / python3 found).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/benches/compare"
users="${COMPARE_USERS:-1000000}"
query="${COMPARE_QUERY:-$(printf '%07d' $(( users * 12345 / 1000000 > 0 ? users * 12345 / 1000000 : 1 )))}"
work="${COMPARE_DIR:-$root/target/compare}"
mkdir -p "$work"

python=""
for candidate in ${COMPARE_PYTHON:-} python3.13 python3.12 python3; do
    if command -v "$candidate" > /dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2> /dev/null; then
        python="$candidate"
        break
    fi
done
if [ -z "$python" ]; then
    echo "error: Django 6 needs Python 3.12 or newer; set COMPARE_PYTHON to one" >&2
    exit 2
fi
if ! cmp -s "$here/requirements.txt" "$work/venv/requirements.txt" 2> /dev/null; then
    rm -rf "$work/venv"
    "$python" -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$work/venv/requirements.txt"
fi
venv_python="$work/venv/bin/python"

(cd "$root" && cargo build --quiet --release -p permfw-benches --bin compare)
compare="${CARGO_TARGET_DIR:-$root/target}/release/compare"

echo "machine: $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(rustc --version), permfw $(cd "$root" && git describe --always --dirty 2> /dev/null || echo '?'), $("$venv_python" --version), Django $("$venv_python" -c 'import django; print(django.get_version())'), SQLite $("$venv_python" -c 'import sqlite3; print(sqlite3.sqlite_version)') (Django) / $(cd "$root" && grep -A1 'name = "libsqlite3-sys"' Cargo.lock | tail -1 | cut -d'"' -f2) libsqlite3-sys (permfw)"
echo "data set: $users users, search for \"$query\""

run() { # label, permfw URL, Django database
    local label="$1" permfw_url="$2" django_db="$3"
    echo "== $label: seeding and measuring permfw" >&2
    "$compare" "$permfw_url" "$users" "$query" > "$work/$label-permfw.json"
    echo "== $label: seeding and measuring Django" >&2
    (cd "$here/django" && COMPARE_DATABASE="$django_db" "$venv_python" bench.py "$users" "$query") > "$work/$label-django.json"
    "$venv_python" - "$label" "$work/$label-permfw.json" "$work/$label-django.json" << 'PY'
import json, sys
label, ours, theirs = sys.argv[1:]
load = lambda path: {row["what"]: row["median_us"] for row in map(json.loads, open(path))}
ours, theirs = load(ours), load(theirs)
def fmt(us):
    return "%.1f ns" % (us * 1000) if us < 1 else "%.1f µs" % us if us < 1000 else "%.2f ms" % (us / 1000)
LIMIT_S = 60
print("\n%s (medians)\n" % label)
print("| what | permfw | Django | Django / permfw |")
print("|---|---|---|---|")
for what, us in ours.items():
    if theirs.get(what) is None:  # Django's did not finish within the budget (see bench.py)
        print("| %s | %s | did not finish in %d s | |" % (what, fmt(us), LIMIT_S))
    else:
        ratio = theirs[what] / us
        print("| %s | %s | %s | %s |" % (what, fmt(us), fmt(theirs[what]), "%.0fx" % ratio if ratio >= 10 else "%.1fx" % ratio))
PY
}

run sqlite "sqlite://$work/permfw-$users.db" "$work/django-$users.db"
if [ -n "${COMPARE_POSTGRES_URL:-}" ]; then
    base="${COMPARE_POSTGRES_URL%%\?*}"; server="${base%/*}"
    params=""; case "$COMPARE_POSTGRES_URL" in *\?*) params="?${COMPARE_POSTGRES_URL#*\?}";; esac
    for db in "permfw_compare_$users" "django_compare_$users"; do
        psql "$COMPARE_POSTGRES_URL" -qtc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
            || psql "$COMPARE_POSTGRES_URL" -qc "CREATE DATABASE $db"
    done
    run postgres "$server/permfw_compare_$users$params" "$server/django_compare_$users$params"
fi
