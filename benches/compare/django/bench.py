"""Django's half of `benches/compare/run.sh`: seeds the data set of permfw's store benches (the
same users, groups, memberships and grants, by the same formulas) and prints, one JSON object a
line, the median of each operation that permfw's half measures too.

    COMPARE_DATABASE=path-or-url python bench.py USERS QUERY
"""

import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compare_settings")
import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

USERS = int(sys.argv[1])
QUERY = sys.argv[2]


def seed():
    call_command("migrate", verbosity=0)
    if User.objects.filter(username="user%07d" % USERS).exists():
        return
    # permfw's registry: 124 filler models with the 4 default permissions, and the blog's post.
    for i in range(124):
        ct = ContentType.objects.create(app_label="filler", model="f%03d" % i)
        Permission.objects.bulk_create(
            Permission(content_type=ct, codename="%s_f%03d" % (a, i), name="Can %s f%03d" % (a, i))
            for a in ("add", "change", "delete", "view")
        )
    post = ContentType.objects.create(app_label="blog", model="post")
    Permission.objects.create(content_type=post, codename="feature_post", name="Can feature post")
    pg = connection.vendor == "postgresql"
    numbers = (
        "SELECT i FROM generate_series(1, %d) AS s(i)" % USERS
        if pg
        else "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) SELECT i FROM s" % USERS
    )
    padded = "lpad(i::text, 7, '0')" if pg else "printf('%07d', i)"
    filler = "(SELECT MIN(p.id) FROM auth_permission p JOIN django_content_type c ON c.id = p.content_type_id WHERE c.app_label = 'filler')"
    count = "(SELECT COUNT(*) FROM auth_permission p JOIN django_content_type c ON c.id = p.content_type_id WHERE c.app_label = 'filler')"
    steps = [
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) "
        "SELECT '', FALSE, 'user' || %s, '', '', 'user' || %s || '@example.com', FALSE, TRUE, CURRENT_TIMESTAMP FROM (%s) AS n"
        % (padded, padded, numbers),
        "INSERT INTO auth_group (name) SELECT 'group' || i FROM (%s) AS n WHERE i <= 20"
        % numbers.replace(str(USERS), str(max(USERS, 20))),
        "INSERT INTO auth_group_permissions (group_id, permission_id) SELECT g.id, p.id FROM auth_group g "
        "JOIN auth_permission p ON p.content_type_id IN (SELECT id FROM django_content_type WHERE app_label = 'filler') "
        "AND p.id % 20 = g.id % 20",
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT id, 1 + id % 20 FROM auth_user",
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT id, 1 + (id / 20 + 7) % 20 FROM auth_user "
        "WHERE id % 2 = 0 ON CONFLICT DO NOTHING",
    ]
    for k in range(4):
        half = "WHERE id % 2 = 1" if k == 3 else "WHERE TRUE"
        steps.append(
            "INSERT INTO auth_user_user_permissions (user_id, permission_id) "
            "SELECT id, %s + (id * 7 + %d * 131) %% %s FROM auth_user %s ON CONFLICT DO NOTHING" % (filler, k, count, half)
        )
    with connection.cursor() as cursor:
        for sql in steps:
            cursor.execute(sql)
        cursor.execute("ANALYZE")


def median_us(runs, f, budget=10.0):
    """The median of up to `runs` timings, fewer (5 at least) when they take over `budget` s."""
    times = []
    deadline = time.perf_counter() + budget
    for i in range(runs):
        started = time.perf_counter()
        f(i)
        times.append((time.perf_counter() - started) * 1e6)
        if i >= 4 and time.perf_counter() > deadline:
            break
    return statistics.median(times)


def user(n):
    return "user%07d" % (1 + ((n + 11) * 2654435761) % USERS)


def show(what, micros):
    print(json.dumps({"what": what, "median_us": round(micros, 4)}), flush=True)


seed()
feature = Permission.objects.get(content_type__app_label="blog", codename="feature_post")
User.user_permissions.through.objects.filter(permission=feature).delete()

checked = User.objects.get(username="user0000050")
checked.has_perm("filler.view_f050")
rounds = 100_000
started = time.perf_counter()
for _ in range(rounds):
    checked.has_perm("filler.view_f050")
show("warm has_perm (string)", (time.perf_counter() - started) * 1e6 / rounds)
show("cold load + first has_perm", median_us(2000, lambda i: User.objects.get(username=user(i)).has_perm("filler.view_f050")))


def grant(i):
    with transaction.atomic():
        User.objects.get(username=user(i + 5000)).user_permissions.add(feature)


show("grant one permission, committed", median_us(2000, grant))
User.user_permissions.through.objects.filter(permission=feature).delete()
# Django's with_perm is one query whose plan SQLite and PostgreSQL run over every user: at a
# million users it does not finish in minutes. A query over LIMIT_S seconds is interrupted and
# reported as not finished (null), so that the rest of the comparison still runs.
LIMIT_S = 60


def limited(f):
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        deadline = time.perf_counter() + LIMIT_S
        connection.connection.set_progress_handler(lambda: int(time.perf_counter() > deadline), 100_000)
        try:
            return f()
        finally:
            connection.connection.set_progress_handler(None, 0)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = %d" % (LIMIT_S * 1000))
    try:
        return f()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


def with_perm_or_none():
    try:
        return limited(lambda: median_us(200, lambda i: list(User.objects.with_perm("filler.view_f050")[:100])))
    except Exception:  # interrupted (SQLite) or cancelled (PostgreSQL)
        return None


print(json.dumps({"what": "with_perm, first 100", "median_us": with_perm_or_none()}), flush=True)

admin, _ = User.objects.get_or_create(username="compare-admin", defaults={"is_staff": True, "is_superuser": True})
client = Client()
client.force_login(admin)


def page(path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)


show("admin: user list", median_us(200, lambda i: page("/admin/auth/user/")))
show("admin: search", median_us(200, lambda i: page("/admin/auth/user/?q=%s" % QUERY)))
ids = dict(User.objects.filter(username__in=[user(i) for i in range(200)]).values_list("username", "id"))
show("admin: a user's page", median_us(200, lambda i: page("/admin/auth/user/%d/change/" % ids[user(i)])))
group3 = Group.objects.get(name="group3").id
show("admin: user list, staff only", median_us(200, lambda i: page("/admin/auth/user/?is_staff__exact=1")))
show("admin: user list, one group", median_us(200, lambda i: page("/admin/auth/user/?groups__id__exact=%d" % group3)))
show("admin: groups", median_us(200, lambda i: page("/admin/auth/group/")))
show("admin: a group's page", median_us(200, lambda i: page("/admin/auth/group/%d/change/" % group3)))
