//! The blog's `manage` binary, run for real against a temporary SQLite database: every
//! subcommand, `--json` parsed and checked, refusals under `--as`, bad input with its exit code
//! and message, and the interactive `createsuperuser` and `changepassword` through a
//! pseudo-terminal.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const MANAGE: &str = env!("CARGO_BIN_EXE_manage");

/// A fresh database for one test.
struct Db {
    url: String,
}

impl Db {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!("permfw-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("db-{}.sqlite3", N.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_file(&path);
        Db { url: format!("sqlite://{}", path.display()) }
    }

    fn migrated() -> Self {
        let db = Self::new();
        db.ok(&["migrate"]);
        db
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(MANAGE);
        command.args(["--database", &self.url]).args(args).env_remove("PERMFW_DATABASE_URL").stdin(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    /// Runs, expects exit 0, returns standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "manage {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// Runs, expects `code`, returns standard error.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(code), "manage {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stderr).unwrap()
    }

    fn with_users(self) -> Self {
        let out = self.run_env(
            &["createsuperuser", "--no-input", "--username", "root", "--email", "root@example.com"],
            &[("PERMFW_SUPERUSER_PASSWORD", "root-password")],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        for name in ["grace", "bob", "carol"] {
            self.ok(&["users", "create", name, "--email", &format!("{name}@example.com")]);
        }
        self.ok(&["grant", "auth.change_user", "blog.publish_post", "--user", "grace"]);
        self
    }
}

#[test]
fn migrate_syncs_and_reports_and_check_passes() {
    let db = Db::new();
    let report = db.json(&["migrate"]);
    assert_eq!(report["schema_version"], permfw::store::Store::latest_schema_version());
    assert!(report["added"].as_array().unwrap().iter().any(|p| p == "blog.publish_post"));
    let again = db.ok(&["migrate"]);
    assert!(again.contains("0 added, 0 updated, 0 stale"), "{again}");
    assert!(db.ok(&["check"]).contains("System check identified no issues"));
    assert_eq!(db.json(&["check"]), serde_json::json!([]));
    let perms = db.json(&["perms", "list", "blog"]);
    let perms = perms.as_array().unwrap();
    assert_eq!(perms.len(), 6);
    assert!(perms.iter().all(|p| p["status"] == "synced"));
    assert!(db.ok(&["migrate", "--prune-stale"]).contains("0 pruned"));
}

#[test]
fn commands_before_migrate_say_to_migrate() {
    let db = Db::new();
    let err = db.fails(&["users", "list"], 1);
    assert!(err.contains("run `manage migrate` first"), "{err}");
}

#[test]
fn createsuperuser_without_input_and_its_errors() {
    let db = Db::migrated().with_users();
    let users = db.json(&["users", "list"]);
    let root = users.as_array().unwrap().iter().find(|u| u["username"] == "root").unwrap().clone();
    assert_eq!((root["is_superuser"].as_bool(), root["is_staff"].as_bool()), (Some(true), Some(true)));
    let err = db.fails(&["createsuperuser", "--no-input", "--username", "x"], 2);
    assert!(err.contains("PERMFW_SUPERUSER_PASSWORD"), "{err}");
    let err = db.fails(&["createsuperuser", "--no-input"], 2);
    assert!(err.contains("--username"), "{err}");
    let out = db.run_env(
        &["createsuperuser", "--no-input", "--username", "root2"],
        &[("PERMFW_SUPERUSER_PASSWORD", "pw-pw-pw-pw")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only be one superuser"));
    let err = db.fails(&["createsuperuser"], 2);
    assert!(err.contains("not running in a TTY"), "{err}");
}

#[test]
fn users_list_show_create_deactivate_activate() {
    let db = Db::migrated().with_users();
    let table = db.ok(&["users", "list"]);
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("id  username  email"), "{table}");
    assert_eq!(table.lines().count(), 5);
    let page = db.json(&["users", "list", "--after", "bob", "--limit", "2"]);
    let names: Vec<_> = page.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["carol", "grace"]);
    let found = db.json(&["users", "list", "--search", "gra"]);
    assert_eq!(found.as_array().unwrap().len(), 1);

    let grace = db.json(&["users", "show", "grace"]);
    assert_eq!(grace["email"], "grace@example.com");
    let perms: Vec<_> =
        grace["permissions"].as_array().unwrap().iter().map(|p| p["permission"].as_str().unwrap()).collect();
    assert!(perms.contains(&"auth.change_user") && perms.contains(&"blog.publish_post"));
    assert!(db.ok(&["users", "show", "grace"]).contains("auth.change_user"));

    assert!(db.ok(&["users", "deactivate", "bob"]).contains("Deactivated"));
    assert_eq!(db.json(&["users", "show", "bob"])["is_active"], false);
    db.ok(&["users", "activate", "bob"]);
    assert_eq!(db.json(&["users", "show", "bob"])["is_active"], true);
    let err = db.fails(&["users", "create", "bob"], 1);
    assert!(err.contains("already exists"), "{err}");
    let err = db.fails(&["users", "create", "has space"], 2);
    assert!(err.contains("invalid username"), "{err}");
    let err = db.fails(&["users", "show", "ghost"], 1);
    assert!(err.contains("no user named `ghost`"), "{err}");
}

#[test]
fn groups_create_show_members_delete() {
    let db = Db::migrated().with_users();
    db.ok(&["groups", "create", "Editors"]);
    db.ok(&["grant", "blog.change_post", "blog.view_post", "--group", "Editors"]);
    assert!(db.ok(&["groups", "add-member", "Editors", "bob"]).contains("added to"));
    assert!(db.ok(&["groups", "add-member", "Editors", "bob"]).contains("nothing to do"));
    let group = db.json(&["groups", "show", "Editors"]);
    assert_eq!(group["members"], serde_json::json!(["bob"]));
    assert_eq!(group["permissions"].as_array().unwrap().len(), 2);
    let list = db.json(&["groups", "list"]);
    assert_eq!(list[0]["members"], 1);
    let bob = db.json(&["users", "show", "bob"]);
    assert!(
        bob["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["direct"] == false && p["groups"] == json!(["Editors"])),
        "{bob}"
    );
    assert!(db.ok(&["users", "show", "bob"]).contains("group Editors"));
    db.ok(&["groups", "remove-member", "Editors", "bob"]);
    assert_eq!(db.json(&["users", "show", "bob"])["groups"], serde_json::json!([]));
    db.ok(&["groups", "delete", "Editors"]);
    let err = db.fails(&["groups", "show", "Editors"], 1);
    assert!(err.contains("no group named `Editors`"), "{err}");
}

#[test]
fn grant_and_revoke_act_under_the_rules_with_as() {
    let db = Db::migrated().with_users();
    let out = db.json(&["grant", "blog.publish_post", "--user", "bob", "--as", "grace"]);
    assert_eq!(out["changed"], 1);
    let err = db.fails(&["grant", "blog.delete_post", "--user", "bob", "--as", "grace"], 1);
    assert!(err.contains("refused") && err.contains("blog.delete_post"), "{err}");
    let err = db.fails(&["grant", "auth.change_user", "--user", "bob", "--as", "grace"], 1);
    assert!(err.contains("only a superuser grants"), "{err}");
    let err = db.fails(&["grant", "blog.publish_post", "--user", "carol", "--as", "bob"], 1);
    assert!(err.contains("needs `auth.change_user`"), "{err}");
    let err = db.fails(&["users", "deactivate", "root", "--as", "grace"], 1);
    assert!(err.contains("only a superuser"), "{err}");
    let bob = db.json(&["users", "show", "bob"]);
    let perms: Vec<_> =
        bob["permissions"].as_array().unwrap().iter().map(|p| p["permission"].as_str().unwrap()).collect();
    assert_eq!(perms, ["blog.publish_post"], "refusals changed nothing");
    assert!(db.ok(&["revoke", "blog.publish_post", "--user", "bob", "--as", "root"]).contains("Revoked 1 of 1"));
    assert!(db.json(&["users", "show", "bob"])["permissions"].as_array().unwrap().is_empty());
}

#[test]
fn bad_input_has_its_exit_code_and_message() {
    let db = Db::migrated().with_users();
    let err = db.fails(&["grant", "blog.nope", "--user", "bob"], 1);
    assert!(err.contains("no model declares the permission `blog.nope`"), "{err}");
    let err = db.fails(&["grant", "nodot", "--user", "bob"], 2);
    assert!(err.contains("\"app_label.codename\""), "{err}");
    let err = db.fails(&["grant", "blog.view_post", "--user", "ghost"], 1);
    assert!(err.contains("ghost"), "{err}");
    let err = db.fails(&["grant", "blog.view_post"], 2);
    assert!(err.contains("--user") || err.contains("<--user"), "{err}");
    let err = db.fails(&["who-can", "too.many.dots"], 2);
    assert!(err.contains("app_label.codename"), "{err}");
    let err = db.fails(&["audit", "--since", "yesterday"], 2);
    assert!(err.contains("--since"), "{err}");
    db.fails(&["no-such-command"], 2);
    let missing = Db { url: "sqlite:///nonexistent-dir/deeper/db.sqlite3".into() };
    let err = missing.fails(&["users", "list"], 1);
    assert!(err.contains("cannot open"), "{err}");
}

#[test]
fn who_can_and_audit() {
    let db = Db::migrated().with_users();
    db.ok(&["grant", "blog.publish_post", "--user", "bob", "--as", "grace"]);
    let who = db.json(&["who-can", "blog.publish_post"]);
    let names: Vec<_> = who.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["root", "grace", "bob"]);
    let who = db.json(&["who-can", "blog.publish_post", "--no-superusers"]);
    assert_eq!(who.as_array().unwrap().len(), 2);
    assert!(db.ok(&["who-can", "blog.publish_post"]).contains("grace"));

    let log = db.json(&["audit", "--user", "bob"]);
    let log = log.as_array().unwrap();
    assert_eq!(log[0]["action"], "grant_user");
    assert_eq!(log[0]["actor"], "grace");
    assert_eq!(log[0]["permission"], "blog.publish_post");
    assert_eq!(log[1]["action"], "create_user");
    assert!(log[0]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(db.json(&["audit", "--limit", "1"]).as_array().unwrap().len(), 1);
    assert_eq!(db.json(&["audit", "--since", "1h"]).as_array().unwrap().len(), 7);
    assert!(db.json(&["audit", "--since", "2999-01-01"]).as_array().unwrap().is_empty());
    assert!(db.ok(&["audit"]).lines().next().unwrap().starts_with("id  at"));
}

#[test]
fn tokens_list_and_revoke_under_the_rules() {
    use permfw::store::{Actor, Store};
    let db = Db::migrated().with_users();
    // No subcommand shows a token's secret: they are made here, through the store.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (deploy, old) = runtime.block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let deploy = store.create_token(&Actor::System, "bob", "deploy", None).await.unwrap().id;
        let old = store.create_token(&Actor::System, "bob", "old", Some(1)).await.unwrap().id;
        (deploy, old)
    });
    let table = db.ok(&["tokens", "list", "bob"]);
    assert!(table.lines().next().unwrap().starts_with("id  name    created"), "{table}");
    assert!(table.contains("last used  expires") && table.contains("1970-01-01T00:00:00Z"), "{table}");
    let listed = db.json(&["tokens", "list", "bob"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!((listed[0]["id"].as_i64(), listed[0]["name"].as_str()), (Some(old), Some("old")), "newest first");
    assert_eq!(listed[0]["expires_at"], "1970-01-01T00:00:00Z");
    assert_eq!((listed[1]["revoked_at"].clone(), listed[1]["last_used_at"].clone()), (Value::Null, Value::Null));
    let keys: Vec<&String> = listed[1].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["created_at", "expires_at", "id", "last_used_at", "name", "revoked_at"], "the API's shape");

    assert!(db.ok(&["tokens", "list", "bob", "--as", "grace"]).contains("deploy"));
    let err = db.fails(&["tokens", "list", "root", "--as", "grace"], 1);
    assert!(err.contains("refused"), "{err}");
    let err = db.fails(&["tokens", "revoke", &deploy.to_string(), "--as", "carol"], 1);
    assert!(err.contains("refused") && err.contains("auth.change_user"), "{err}");
    assert_eq!(db.json(&["tokens", "revoke", &deploy.to_string(), "--as", "grace"]), json!({"revoked": deploy}));
    let after = db.json(&["tokens", "list", "bob"]);
    assert!(after[1]["revoked_at"].as_str().unwrap().ends_with('Z'), "{after}");
    let err = db.fails(&["tokens", "revoke", "999"], 1);
    assert!(err.contains("no token #999"), "{err}");
    db.fails(&["tokens", "revoke", "abc"], 2);
    let err = db.fails(&["tokens", "list", "ghost"], 1);
    assert!(err.contains("ghost"), "{err}");
}

/// A `manage` run inside a pseudo-terminal (through `script`), answered at its prompts.
struct Terminal {
    child: std::process::Child,
    output: Arc<Mutex<String>>,
}

impl Terminal {
    fn start(db: &Db, args: &str) -> Self {
        let command = format!("{MANAGE} --database {} {args}", db.url);
        let mut child = Command::new("script")
            .args(["-qefc", &command, "/dev/null"])
            .env_remove("PERMFW_DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("`script` (util-linux) runs the command in a pseudo-terminal");
        let output = Arc::new(Mutex::new(String::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buffer = [0; 1024];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Terminal { child, output }
    }

    /// Waits for `prompt` (its `nth` appearance), then types `answer`.
    fn answer(&mut self, prompt: &str, nth: usize, answer: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.output.lock().unwrap().matches(prompt).count() < nth {
            assert!(Instant::now() < deadline, "no {prompt:?} in {:?}", self.output.lock().unwrap());
            std::thread::sleep(Duration::from_millis(20));
        }
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(format!("{answer}\r").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> (i32, String) {
        let status = self.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let output = self.output.lock().unwrap().clone();
        (status.code().unwrap_or(-1), output)
    }
}

#[test]
fn the_promotion_workflow_with_requests_and_policies() {
    let db = Db::migrated().with_users();
    for group in ["Writers", "Editors", "Senior Writers"] {
        db.ok(&["groups", "create", group]);
    }
    db.ok(&["grant", "blog.publish_post", "--group", "Senior Writers"]);
    db.ok(&["grant", "blog.publish_post", "--group", "Editors"]);
    db.ok(&["groups", "add-member", "Writers", "bob"]);
    db.ok(&["groups", "add-member", "Editors", "carol"]);
    let err = db.fails(
        &["policies", "create", "promotion", "--group", "Senior Writers", "--approved-by", "Editors", "--as", "grace"],
        1,
    );
    assert!(err.contains("refused"), "{err}");
    db.ok(&[
        "policies",
        "create",
        "promotion",
        "--group",
        "Senior Writers",
        "--requested-by",
        "Writers",
        "--approved-by",
        "Editors",
    ]);
    let policies = db.json(&["policies", "list"]);
    assert_eq!(policies[0]["target_group"], "Senior Writers");

    let request = db.json(&["requests", "create", "promotion", "--justification", "40 posts", "--as", "bob"]);
    assert_eq!(request["status"], "open");
    let id = request["id"].as_i64().unwrap().to_string();
    let err = db.fails(&["requests", "approve", &id, "--as", "bob"], 1);
    assert!(err.contains("own request"), "{err}");
    let err = db.fails(&["requests", "approve", &id, "--as", "grace"], 1);
    assert!(err.contains("not an approver"), "{err}");
    let approved = db.json(&["requests", "approve", &id, "--comment", "well deserved", "--as", "carol"]);
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decisions"][0]["approver"], "carol");
    let bob = db.json(&["users", "show", "bob"]);
    assert!(bob["groups"].as_array().unwrap().iter().any(|g| g == "Senior Writers"), "{bob}");
    let list = db.ok(&["requests", "list", "--status", "approved"]);
    assert!(list.contains("promotion") && list.contains("bob"), "{list}");
    assert!(db.fails(&["requests", "list", "--status", "maybe"], 2).contains("--status"));
    assert!(db.fails(&["requests", "show", "999"], 1).contains("999"));
}

#[test]
fn grants_until_a_time_and_the_sweep() {
    let db = Db::migrated().with_users();
    db.ok(&["grant", "blog.feature_post", "--user", "bob", "--until", "2d"]);
    db.ok(&["grant", "blog.view_post", "--user", "bob", "--until", "2000-01-01T00:00:00Z"]);
    let bob = db.json(&["users", "show", "bob"]);
    let held: Vec<&str> =
        bob["permissions"].as_array().unwrap().iter().map(|p| p["permission"].as_str().unwrap()).collect();
    assert_eq!(held, ["blog.feature_post"], "a grant until a past time is not held");
    assert!(db.fails(&["grant", "blog.view_post", "--user", "bob", "--until", "soon"], 2).contains("--until"));
    assert!(db.fails(&["grant", "blog.view_post", "--group", "x", "--until", "4h"], 2).contains("--until"));
    let swept = db.json(&["sweep"]);
    assert_eq!(swept, json!({"grants": 1, "memberships": 0, "requests": 0}));
    let audit = db.json(&["audit", "--user", "bob"]);
    assert_eq!(audit[0]["action"], "expired");
}

#[test]
fn createsuperuser_and_changepassword_interactively() {
    let db = Db::migrated();
    let mut terminal = Terminal::start(&db, "createsuperuser");
    terminal.answer("Username: ", 1, "");
    terminal.answer("Username: ", 2, "admin");
    terminal.answer("Email address: ", 1, "admin@example.com");
    terminal.answer("Password: ", 1, "first-secret");
    terminal.answer("Password (again): ", 1, "other-secret");
    terminal.answer("Password: ", 2, "the-secret");
    terminal.answer("Password (again): ", 2, "the-secret");
    let (code, output) = terminal.finish();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("Error: Username cannot be blank."), "{output}");
    assert!(output.contains("Error: Your passwords didn't match."), "{output}");
    assert!(output.contains("Superuser created successfully."), "{output}");
    assert!(!output.contains("the-secret") && !output.contains("first-secret"), "passwords are not echoed: {output}");
    let admin = db.json(&["users", "show", "admin"]);
    assert_eq!((admin["is_superuser"].as_bool(), admin["email"].as_str()), (Some(true), Some("admin@example.com")));

    let mut terminal = Terminal::start(&db, "changepassword admin");
    terminal.answer("Password: ", 1, "new-secret");
    terminal.answer("Password (again): ", 1, "new-secret");
    let (code, output) = terminal.finish();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("Password changed successfully for user 'admin'"), "{output}");

    let mut terminal = Terminal::start(&db, "changepassword admin");
    for attempt in 1..=3 {
        terminal.answer("Password: ", attempt, "a");
        terminal.answer("Password (again): ", attempt, "b");
    }
    let (code, output) = terminal.finish();
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("Aborting password change for user 'admin' after 3 attempts"), "{output}");
    let err = db.fails(&["changepassword", "ghost"], 1);
    assert!(err.contains("user 'ghost' does not exist"), "{err}");
}
