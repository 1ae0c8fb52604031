#!/usr/bin/env bash
# The admin and the API at scale: serves a seeded database (`seed`) with `serve`, logs in, and
# measures with wrk from another process on loopback.
#   cargo build --release -p permfw-benches --bin seed --bin serve
#   ./target/release/seed sqlite://$PWD/target/permfw-bench.db 1000000
#   benches/scripts/load.sh sqlite://$PWD/target/permfw-bench.db sqlite
# Needs wrk (Debian's package) and curl; run from the workspace root.
set -euo pipefail
url="$1"; label="$2"
./target/release/serve "$url" 127.0.0.1:8077 > /tmp/serve-$label.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:8077/admin/login && break; sleep 1; done
echo "== $label: resident memory when idle: $(ps -o rss= -p $server) KiB"
B=http://127.0.0.1:8077
key=$(curl -s -i -d 'username=admin&password=bench-password' $B/admin/login | grep -i '^set-cookie' | sed 's/.*permfw_session=\([^;]*\).*/\1/')
login=$(curl -s -H 'content-type: application/json' -d '{"username":"admin","password":"bench-password"}' -c /tmp/c-$label.txt $B/api/v1/session)
csrf=$(echo "$login" | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
apikey=$(grep permfw_session /tmp/c-$label.txt | awk '{print $7}')
token=$(curl -s -b /tmp/c-$label.txt -H "x-csrf-token: $csrf" -H 'content-type: application/json' -d '{"name":"bench"}' $B/api/v1/tokens | sed 's/.*"token":"\([^"]*\)".*/\1/')
echo "== $label: user list, page 1 (1 client)"
wrk -t1 -c1 -d8s --latency -H "Cookie: permfw_session=$key" "$B/admin/users" | grep -E 'Requests/sec|50%|99%'
echo "== $label: substring search q=0012345 (1 client)"
wrk -t1 -c1 -d8s --latency -H "Cookie: permfw_session=$key" "$B/admin/users?q=0012345" | grep -E 'Requests/sec|50%|99%'
echo "== $label: a user's page with effective permissions (1 client)"
wrk -t1 -c1 -d8s --latency -H "Cookie: permfw_session=$key" "$B/admin/users/user0012345" | grep -E 'Requests/sec|50%|99%'
echo "== $label: guarded API GET /api/v1/users/user0012345, 16 clients"
wrk -t2 -c16 -d10s --latency -H "Authorization: Bearer $token" "$B/api/v1/users/user0012345" | grep -E 'Requests/sec|50%|99%|Non-2xx'
echo "== $label: resident memory after the load: $(ps -o rss= -p $server) KiB"
