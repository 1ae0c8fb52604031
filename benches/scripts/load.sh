#!/usr/bin/env bash
# The admin and the API at scale: serves a seeded database (`seed`) with `serve`, logs in, and
# measures with wrk from another process on loopback.
#   cargo build --release -p permfw-benches --bin seed --bin serve
#   ./target/release/seed sqlite://$PWD/target/permfw-bench.db 1000000
#   benches/scripts/load.sh sqlite://$PWD/target/permfw-bench.db sqlite
# Needs wrk (Debian's package) and curl; run from the workspace root. Pages are measured with wrk
# at one client (p50 and p99); actions (form posts, each followed by nothing) with `timed`, which
# runs curl N times and prints the median and the 99th percentile of its total times.
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
csrf_admin=$(curl -s -H "Cookie: permfw_session=$key" $B/admin/requests | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)

# A page at one client for 6 s: its p50 and p99.
page() {
    echo "== $label: $1 (1 client)"
    wrk -t1 -c1 -d6s --latency -H "Cookie: permfw_session=$key" "$B$2" | grep -E '50%|99%|Non-2xx'
}

# Actions: `timed N LABEL "PATH BODY" ...`: N form posts, cycling through the (path, body) pairs
# so that each post changes something (grant, then revoke, ...); the median and the 99th
# percentile of curl's total time, in ms.
timed() {
    local n="$1" what="$2"; shift 2
    local steps=("$@") i=0
    for _ in $(seq 1 "$n"); do
        local step="${steps[$((i % ${#steps[@]}))]}"; i=$((i + 1))
        curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: permfw_session=$key" \
            --data "${step#* }&csrf=$csrf_admin" "$B${step%% *}"
    done | sort -n | awk -v what="$what" -v label="$label" '{ t[NR] = $1 } END {
        printf "== %s: %s, %d posts: p50 %.2f ms, p99 %.2f ms\n", label, what, NR, t[int(NR * 0.5 + 0.5)] * 1000, t[int(NR * 0.99 + 0.5)] * 1000 }'
}

echo "== $label: user list, page 1 (1 client)"
wrk -t1 -c1 -d8s --latency -H "Cookie: permfw_session=$key" "$B/admin/users" | grep -E 'Requests/sec|50%|99%'
echo "== $label: substring search q=0012345 (1 client)"
wrk -t1 -c1 -d8s --latency -H "Cookie: permfw_session=$key" "$B/admin/users?q=0012345" | grep -E 'Requests/sec|50%|99%'
echo "== $label: a user's page with effective permissions (1 client)"
wrk -t1 -c1 -d8s --latency -H "Cookie: permfw_session=$key" "$B/admin/users/user0012345" | grep -E 'Requests/sec|50%|99%'
page "the user list: inactive users" "/admin/users?active=no"
page "the user list: staff" "/admin/users?staff=yes"
page "the user list: members of a group of about 75,000" "/admin/users?group=group3"
page "the user list: members of a group, newest first" "/admin/users?group=group3&sort=-joined"
page "the user list: who has a permission (users_with_perm)" "/admin/users?perm=blog.publish_post"
page "the user list: who has a permission, newest first" "/admin/users?perm=blog.publish_post&sort=-joined"
page "the user list: a search within a group" "/admin/users?q=0012&group=group3"
page "a user's page, explained: where each permission comes from, who granted it, when" /admin/users/user0012345
page "the why-not box on a user's page" "/admin/users/user0012345?why=blog.publish_post"
page "groups with member counts" /admin/groups
page "a group of about 75,000 members: permissions and the first page of members" /admin/groups/group3
page "a group's members searched" "/admin/groups/group3?q=00123"
page "a group's deletion page: what its members would lose" /admin/groups/group3/delete
page "the access matrix of a group" "/admin/matrix?group=group3"
page "the access matrix of an app" "/admin/matrix?app=blog"
page "the audit log, newest first" /admin/audit
page "the audit log by actor" "/admin/audit?actor=admin"
page "the audit log by permission" "/admin/audit?permission=blog.publish_post"
page "the audit log by user and dates" "/admin/audit?user=user0012345&from=2026-01-01&to=2030-12-31"

timed 300 "grant a permission on a user's page, then revoke it" \
    "/admin/users/user0012345/grant permission=auth.view_group" "/admin/users/user0012345/revoke permission=auth.view_group"
timed 300 "put a user in a group, then take them out" \
    "/admin/users/user0012346/groups group=group19" "/admin/users/user0012346/groups/remove group=group19"
timed 300 "the account form: change the email" \
    "/admin/users/user0012347/account email=a%40example.com&active=on" "/admin/users/user0012347/account email=b%40example.com&active=on"
timed 300 "grant a permission to a group of 75,000, then revoke it" \
    "/admin/groups/group7/grant permission=auth.view_group" "/admin/groups/group7/revoke permission=auth.view_group"

# A bulk action over 1,000 users selected on the list: each run grants another permission, so that
# every one of them changes 1,000 rows.
selected=$(seq 200001 201000 | awk '{ printf "&users=user%07d", $1 }')
for perm in auth.view_group auth.add_group auth.change_group auth.delete_group auth.view_permission; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: permfw_session=$key" \
        --data "csrf=$csrf_admin&action=grant&argument=$perm&back=/admin/users$selected" "$B/admin/users/bulk/apply"
done | sort -n | awk -v label="$label" '{ t[NR] = $1 } END {
    printf "== %s: a bulk grant to 1,000 selected users, applied, %d runs: median %.0f ms, worst %.0f ms\n", label, NR, t[int(NR / 2 + 1)] * 1000, t[NR] * 1000 }'

echo "== $label: guarded API GET /api/v1/users/user0012345, 16 clients"
wrk -t2 -c16 -d10s --latency -H "Authorization: Bearer $token" "$B/api/v1/users/user0012345" | grep -E 'Requests/sec|50%|99%|Non-2xx'
echo "== $label: resident memory after the load: $(ps -o rss= -p $server) KiB"
