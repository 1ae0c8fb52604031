//! The guide's blog, step by step: declare `Post` with its custom permissions, keep users,
//! groups and grants in a SQLite file, show who has what, call guarded functions that succeed
//! and that are refused, try grants that the guide's rules refuse, and play the guide's
//! promotion: alice asks for Senior Writers, the Editors are told by mail, grace approves.
//!
//! Run it with `cargo run --example blog` (twice: the second run reuses `blog.db`). Set
//! `PERMFW_DATABASE_URL` to use another database, such as `postgres://...`, and
//! `PERMFW_NOTIFY_TRANSPORT` to send the mails (`smtp://...`) instead of printing them (`log`).
//! `cargo run --example blog -- serve` serves the admin and the REST API on the same data
//! (`PERMFW_INSECURE_COOKIES=1` for plain http anywhere but this machine), and the promotion in
//! the browser: wendy asks, grace approves.

use std::error::Error;

use permfw::http::{self, HttpOptions};
use permfw::notify::{Notifier, NotifierConfig};
use permfw::store::{Actor, AuditQuery, RequestPolicy, RequestQuery, Store, StoreError};
use permfw::{HasPerms, Permission, PermissionDenied, User, permission_required};
use permfw_examples::Post;

/// Publishes a post: the guide's `@permission_required('blog.publish_post')`.
#[permission_required("blog.publish_post")]
fn publish(user: &User, post: &mut Post) -> Result<(), PermissionDenied> {
    post.published = true;
    Ok(())
}

/// Features a post on the front page: needs both custom permissions.
#[permission_required(Post::PUBLISH_POST, Post::FEATURE_POST)]
fn feature(user: &User, post: &mut Post) -> Result<(), PermissionDenied> {
    post.featured = true;
    Ok(())
}

/// Shows a post to anyone who may view it, or change it (Django's admin: change implies view).
#[permission_required(any(Post::VIEW_POST, Post::CHANGE_POST), raise_exception = true)]
fn show(user: &User, post: &Post) -> Result<String, PermissionDenied> {
    Ok(format!("\"{}\"{}", post.title, if post.published { "" } else { " (draft)" }))
}

const USERS: [&str; 7] = ["root", "grace", "alice", "wendy", "bob", "carol", "dave"];

/// The people of the promotion, who log in to play it in the browser: `change-me-{name}`.
const PLAYERS: [&str; 3] = ["alice", "wendy", "grace"];

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::var("PERMFW_DATABASE_URL").unwrap_or_else(|_| "sqlite://blog.db".to_owned());
    let address = std::env::var("PERMFW_ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
    // The mails link to the admin `serve` runs; `log` prints them (an unusable transport is an
    // error here, before anything runs).
    let transport = std::env::var("PERMFW_NOTIFY_TRANSPORT").unwrap_or_else(|_| "log".to_owned());
    let notifier = NotifierConfig::new(transport)
        .from("The blog <noreply@blog.example>")
        .admin_url(format!("http://{address}/admin"))
        .build()?;
    println!("permfw blog example: Django's model permissions, checked by the compiler\n");

    let store = Store::open(&url).await?;
    let fresh = store.schema_version().await? == 0;
    let sync = store.migrate().await?;
    println!("0. The store: {url}");
    if fresh {
        println!("   a new database: created the schema and {} permissions", sync.added.len());
    } else {
        println!(
            "   reusing the database from an earlier run ({} permissions added, {} stale)",
            sync.added.len(),
            sync.stale.len()
        );
    }

    println!("\n1. `#[derive(Model)]` on Post generated these permissions (from permfw::registry()):\n");
    println!("   {:<22} {:<14} name", "permission", "const");
    for perm in permfw::registry().permissions().filter(|p| p.app_label() == "blog") {
        println!("   {:<22} {:<14} {}", perm.as_str(), perm.codename().to_uppercase(), perm.name());
    }

    if store.get_user("root").await.is_err() {
        seed(&store).await?;
        println!("\n2. Created the groups and users (first run)");
    } else {
        println!("\n2. Groups and users are already there (a later run): nothing to create");
    }
    if store.get_group("Senior Writers").await.is_err() {
        promotion_policy(&store).await?;
    }
    for group in store.list_groups().await? {
        let perms: Vec<_> = group.permissions.iter().map(|p| p.trim_start_matches("blog.")).collect();
        println!("   {:<14} {} members: {}", group.name, group.members, perms.join(", "));
    }
    println!("   Request policy `promotion`: Writers ask for Senior Writers, an Editor approves (Editors may add");
    println!("   posts too: an approval hands over only permissions the approver holds)");
    if std::env::args().nth(1).as_deref() == Some("serve") {
        return Ok(serve(store, &address, &notifier).await?);
    }

    println!("\n3. Granting under the guide's rules:\n");
    let grace = store.get_user("grace").await?;
    let bob = store.get_user("bob").await?;
    let attempts: [(&User, &str, &str); 4] = [
        (&bob, "carol", "blog.publish_post"),
        (&grace, "alice", "auth.change_user"),
        (&grace, "carol", "auth.delete_user"),
        (&grace, "alice", "blog.delete_post"),
    ];
    for (actor, target, perm) in attempts {
        let outcome = match store.grant_user(&Actor::user(actor), target, [perm]).await {
            Ok(0) => "already held".to_owned(),
            Ok(_) => "granted".to_owned(),
            Err(StoreError::Refused(rule)) => format!("refused: {rule}"),
            Err(other) => return Err(other.into()),
        };
        println!("   {:<6} grants {perm:<18} to {target:<6} -> {outcome}", actor.username());
    }

    let mut users = Vec::new();
    for name in USERS {
        users.push(store.get_user(name).await?);
    }
    println!("\n4. Who has what (has_perm on users loaded from the store):\n");
    let columns: [(&str, Permission); 6] = [
        ("view", Post::VIEW_POST),
        ("add", Post::ADD_POST),
        ("change", Post::CHANGE_POST),
        ("delete", Post::DELETE_POST),
        ("publish", Post::PUBLISH_POST),
        ("feature", Post::FEATURE_POST),
    ];
    print!("   {:<7} {:<30}", "user", "groups and flags");
    for (title, _) in columns {
        print!(" {title:>7}");
    }
    println!();
    for user in &users {
        let mut about: Vec<String> = user.groups().map(str::to_owned).collect();
        if user.is_superuser() {
            about.push("superuser".into());
        }
        if !user.is_active() {
            about.push("inactive".into());
        }
        if !user.is_superuser() && !user.get_user_permissions().is_empty() {
            about.push("+ direct grants".into());
        }
        print!("   {:<7} {:<30}", user.username(), about.join(", "));
        for (_, perm) in columns {
            print!(" {:>7}", if user.has_perm(perm) { "yes" } else { "-" });
        }
        println!();
    }

    println!("\n5. Guarded functions (#[permission_required]):\n");
    let mut post = Post { title: "Hello, permissions".into(), published: false, featured: false };
    for user in &users {
        println!("   {:<6} publish -> {}", user.username(), outcome(publish(user, &mut post)));
        println!("   {:<6} feature -> {}", user.username(), outcome(feature(user, &mut post)));
        match show(user, &post) {
            Ok(shown) => println!("   {:<6} show    -> {shown}", user.username()),
            Err(denied) => println!("   {:<6} show    -> refused ({denied}; raise_exception: a 403)", user.username()),
        }
    }
    println!("\n   The post is now published: {}, featured: {}.", post.published, post.featured);

    promotion(&store, &notifier, &mut post).await?;

    println!("\n7. The audit log, newest first (`manage audit`):\n");
    for entry in store.audit(AuditQuery::new().limit(8)).await? {
        let detail = (!entry.detail.is_empty()).then(|| format!("({})", entry.detail));
        let what = [entry.target_user, entry.target_group, entry.permission, detail];
        let what = what.into_iter().flatten().collect::<Vec<_>>();
        println!("   #{:<4} {:<9} {:<16} {}", entry.id, entry.actor, entry.action, what.join(" "));
    }

    let problems = permfw::check();
    let verdict = if problems.is_empty() { "no problems found".to_owned() } else { format!("{problems:?}") };
    println!("\n8. permfw::check(): {verdict}");
    println!("\nRun it again: the data stays in the database, and nothing is created twice.");
    Ok(())
}

/// The guide's last example, played once (on the first run): alice, a Writer, asks for Senior
/// Writers; the Editors are told by mail; grace, an Editor, approves; alice may publish.
async fn promotion(store: &Store, notifier: &Notifier, post: &mut Post) -> Result<(), Box<dyn Error>> {
    println!("\n6. The guide's promotion: a Writer asks for Senior Writers, an Editor approves:\n");
    let asked = RequestQuery::new().requester("alice").policy("promotion").limit(1);
    if let Some(earlier) = store.list_requests(asked).await?.pop() {
        let alice = store.get_user("alice").await?;
        println!(
            "   Played on an earlier run: request #{} is {}; alice's groups: {}.",
            earlier.id,
            earlier.status.as_str(),
            alice.groups().collect::<Vec<_>>().join(", ")
        );
        println!("   `cargo run --example blog -- serve` plays it again in the browser (wendy asks, grace approves).");
        return Ok(());
    }
    let alice = store.get_user("alice").await?;
    println!("   alice  publish -> {}", outcome(publish(&alice, post)));
    let request = store.request_access(&Actor::user(&alice), "promotion", "I have written 40 posts", None).await?;
    println!("   alice asks for Senior Writers: request #{} is {}", request.id, request.status.as_str());
    // `log` prints each mail; PERMFW_NOTIFY_TRANSPORT=smtp://... would send them.
    println!("   The Editors are told, through `{}` (dave is inactive):\n", notifier.transport());
    notifier.deliver_due(store).await?;
    let grace = store.get_user("grace").await?;
    let approved = store.approve_request(&Actor::user(&grace), request.id, "well deserved").await?;
    let alice = store.get_user("alice").await?;
    println!(
        "\n   grace approves: request #{} is {}; alice's groups: {}",
        approved.id,
        approved.status.as_str(),
        alice.groups().collect::<Vec<_>>().join(", ")
    );
    let holds = if alice.has_perm(Post::PUBLISH_POST) { "yes" } else { "no" };
    println!("   alice holds blog.publish_post: {holds}");
    println!("   alice  publish -> {}", outcome(publish(&alice, post)));
    println!("   alice is told:\n");
    notifier.deliver_due(store).await?;
    Ok(())
}

/// A guarded call's outcome, for people.
fn outcome(result: Result<(), PermissionDenied>) -> String {
    match result {
        Ok(()) => "done".to_owned(),
        Err(denied) => format!("refused ({denied})"),
    }
}

/// Senior Writers (Writers' permissions plus `publish_post`) and the policy under which Writers
/// ask for it and an Editor approves; passwords for the people who play it in the browser.
async fn promotion_policy(store: &Store) -> Result<(), StoreError> {
    let system = &Actor::System;
    let writers = store.get_group("Writers").await?;
    store.create_group(system, "Senior Writers").await?;
    store.grant_group(system, "Senior Writers", writers.permissions().chain([Post::PUBLISH_POST])).await?;
    // An approval hands over only permissions the approver holds: Editors may also add posts.
    store.grant_group(system, "Editors", [Post::ADD_POST]).await?;
    let promotion = RequestPolicy::group("promotion", "Senior Writers")
        .requested_by_members_of("Writers")
        .approved_by_members_of("Editors");
    store.create_policy(system, &promotion).await?;
    for name in PLAYERS {
        store.set_password(system, name, &format!("change-me-{name}")).await?;
    }
    Ok(())
}

/// Serves the admin and the REST API on the blog's data until interrupted, and delivers the
/// notifications the browser's requests and decisions cause.
async fn serve(store: Store, address: &str, notifier: &Notifier) -> Result<(), StoreError> {
    // Logs through `tracing`; `RUST_LOG` chooses what (default: warnings and errors).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let address = address.to_owned();
    // Secure `__Host-` session cookies unless PERMFW_INSECURE_COOKIES=1 asks for plain-http
    // development (browsers and curl keep secure cookies from http://127.0.0.1 and localhost).
    let options = HttpOptions::from_env();
    let app: axum::Router = axum::Router::new()
        .nest("/api/v1", http::api::router_with(store.clone(), &options))
        .nest("/admin", http::admin::router_with(store.clone(), &options));
    let listener = tokio::net::TcpListener::bind(&address).await.map_err(|e| StoreError::Open {
        url: address.clone(),
        why: format!("{e}; set PERMFW_ADDR to another address"),
    })?;
    println!("\nServing the admin at http://{address}/admin (log in as root, password change-me-root)");
    println!("and the REST API at http://{address}/api/v1 (OpenAPI document: /api/v1/openapi.json).");
    println!("For the API, log in, then send the cookie (and, to change things, the CSRF token it returns):\n");
    println!("  curl -c cookies.txt -H 'content-type: application/json' \\");
    println!("       -d '{{\"username\":\"root\",\"password\":\"change-me-root\"}}' http://{address}/api/v1/session");
    println!("  curl -b cookies.txt http://{address}/api/v1/users\n");
    println!("The guide's promotion in the browser: log in as wendy (a Writer; password change-me-wendy) and ask");
    println!("for Senior Writers at http://{address}/admin/requests/new; then as grace (an Editor; change-me-grace)");
    println!(
        "and approve it at http://{address}/admin/approvals. The mails are delivered through `{}`.\n",
        notifier.transport()
    );
    if options.has_insecure_cookies() {
        println!("permfw: insecure cookies for plain-http development (PERMFW_INSECURE_COOKIES=1)\n");
    }
    let worker = notifier.spawn(store);
    println!("Press Ctrl-C to stop.");
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served =
        axum::serve(listener, service).await.map_err(|e| StoreError::Open { url: address, why: e.to_string() });
    worker.abort();
    served
}

/// The guide's groups and users, created by the system actor (a script, as `manage` does).
async fn seed(store: &Store) -> Result<(), StoreError> {
    let system = &Actor::System;
    let groups: [(&str, &[Permission]); 3] = [
        ("Writers", &[Post::ADD_POST, Post::CHANGE_POST, Post::VIEW_POST]),
        ("Editors", &[Post::VIEW_POST, Post::CHANGE_POST, Post::DELETE_POST, Post::PUBLISH_POST, Post::FEATURE_POST]),
        ("Visitors", &[Post::VIEW_POST]),
    ];
    for (name, perms) in groups {
        store.create_group(system, name).await?;
        store.grant_group(system, name, perms.iter().copied()).await?;
    }
    let root = store.create_superuser(system, "root", "root@example.com", "change-me-root").await?;
    let root = &Actor::user(&root);
    let members = [
        ("grace", "Editors"),
        ("alice", "Writers"),
        ("wendy", "Writers"),
        ("bob", "Editors"),
        ("carol", "Visitors"),
        ("dave", "Editors"),
    ];
    for (name, group) in members {
        store.create_user(root, name, &format!("{name}@example.com"), None).await?;
        store.add_to_group(root, name, group).await?;
    }
    // grace manages users: she holds auth.change_user, which only a superuser may grant.
    store.grant_user(root, "grace", [User::CHANGE_USER, User::VIEW_USER]).await?;
    store.grant_user(root, "wendy", [Post::PUBLISH_POST]).await?;
    store.set_active(root, "dave", false).await?;
    Ok(())
}
