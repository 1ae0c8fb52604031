//! What each subcommand does.

use std::io::IsTerminal;

use serde_json::{Value, json};

use super::args::{Command, Global, GrantArgs, GroupsCommand, PermsCommand, UsersCommand};
use super::output::{Out, yes_no};
use super::{CliError, time};
use crate::store::{Actor, AuditQuery, PermissionStatus, Store, UserPage, WithPerm};
use crate::{HasPerms, Level};

type Result<T> = std::result::Result<T, CliError>;

pub(crate) async fn execute(global: &Global, command: &Command, url: &str) -> Result<u8> {
    let out = Out::new(global.json);
    let actor = global.as_user.clone().map_or(Actor::System, Actor::User);
    if let Command::Check = command {
        return Ok(check(&out));
    }
    let store = Store::open(url).await?;
    if let Command::Migrate { prune_stale } = command {
        return migrate(&out, &store, *prune_stale).await;
    }
    if store.schema_version().await? == 0 {
        return Err(CliError::Failed(format!(
            "the database `{url}` has no permfw tables yet; run `manage migrate` first (or give another --database)"
        )));
    }
    match command {
        Command::Migrate { .. } | Command::Check => unreachable_command(),
        Command::Createsuperuser { no_input, username, email } => {
            createsuperuser(&out, &store, &actor, *no_input, username.as_deref(), email.as_deref()).await
        }
        Command::Changepassword { username } => changepassword(&out, &store, &actor, username).await,
        Command::Users(users) => self::users(&out, &store, &actor, users).await,
        Command::Groups(groups) => self::groups(&out, &store, &actor, groups).await,
        Command::Grant(args) => grant(&out, &store, &actor, args, true).await,
        Command::Revoke(args) => grant(&out, &store, &actor, args, false).await,
        Command::Perms(PermsCommand::List { app }) => perms(&out, &store, app.as_deref()).await,
        Command::WhoCan { permission, no_superusers, inactive, limit } => {
            let options =
                WithPerm::default().include_superusers(!no_superusers).is_active(Some(!inactive)).limit(*limit);
            let users = store.users_with_perm(permission.as_str(), options).await?;
            if out.json {
                out.json(&json!(users.iter().map(|u| json!({"id": u.id, "username": u.username})).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = users.iter().map(|u| vec![u.id.to_string(), u.username.clone()]).collect();
                out.table(&["id", "username"], &rows);
            }
            Ok(0)
        }
        Command::Audit { user, since, limit } => audit(&out, &store, user.as_deref(), since.as_deref(), *limit).await,
    }
}

fn unreachable_command() -> Result<u8> {
    Err(CliError::Usage("this command is handled before the store opens".into()))
}

fn check(out: &Out) -> u8 {
    let messages = crate::check();
    if out.json {
        let list: Vec<Value> = messages
            .iter()
            .map(|m| json!({"id": m.id(), "level": format!("{:?}", m.level()), "obj": m.obj(), "msg": m.msg(), "hint": m.hint()}))
            .collect();
        out.json(&json!(list));
    } else if messages.is_empty() {
        out.line("System check identified no issues (0 silenced).");
    } else {
        for message in &messages {
            out.line(message);
        }
        out.line(format!("System check identified {} issue(s).", messages.len()));
    }
    u8::from(messages.iter().any(|m| m.level() >= Level::Error))
}

async fn migrate(out: &Out, store: &Store, prune: bool) -> Result<u8> {
    let report = if prune { store.migrate_pruning_stale().await? } else { store.migrate().await? };
    if out.json {
        out.json(&json!({
            "schema_version": store.schema_version().await?,
            "added": report.added, "updated": report.updated, "stale": report.stale, "pruned": report.pruned,
        }));
        return Ok(0);
    }
    out.line(format!("Schema at version {}.", store.schema_version().await?));
    out.line(format!(
        "Permissions: {} added, {} updated, {} stale, {} pruned.",
        report.added.len(),
        report.updated.len(),
        report.stale.len(),
        report.pruned.len()
    ));
    for perm in &report.added {
        out.line(format!("  Adding permission '{perm}'"));
    }
    if !report.stale.is_empty() && report.pruned.is_empty() {
        out.line(format!(
            "  Stale (no linked model declares them): {}. Run `manage migrate --prune-stale` to delete them with their grants.",
            report.stale.join(", ")
        ));
    }
    Ok(0)
}

async fn createsuperuser(
    out: &Out,
    store: &Store,
    actor: &Actor,
    no_input: bool,
    username: Option<&str>,
    email: Option<&str>,
) -> Result<u8> {
    let (username, email, password) = if no_input {
        let username = username.ok_or_else(|| CliError::Usage("You must use --username with --no-input.".into()))?;
        let password = std::env::var("PERMFW_SUPERUSER_PASSWORD")
            .map_err(|_| CliError::Usage("set PERMFW_SUPERUSER_PASSWORD to the password with --no-input".into()))?;
        (username.to_owned(), email.unwrap_or_default().to_owned(), password)
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::Usage(
                "Superuser creation skipped due to not running in a TTY. Run `manage createsuperuser` in a terminal, \
                 or use --no-input with --username, --email and PERMFW_SUPERUSER_PASSWORD."
                    .into(),
            ));
        }
        prompt_superuser(store, username, email).await?
    };
    store.create_superuser(actor, &username, &email, &password).await?;
    if out.json {
        out.json(&json!({"created": username}));
    } else {
        out.line("Superuser created successfully.");
    }
    Ok(0)
}

/// Django's interactive prompts: username (not taken, not blank), email, password twice.
async fn prompt_superuser(
    store: &Store,
    username: Option<&str>,
    email: Option<&str>,
) -> Result<(String, String, String)> {
    let username = match username {
        Some(name) => name.to_owned(),
        None => loop {
            let name = read_line("Username: ")?;
            if name.is_empty() {
                eprintln!("Error: Username cannot be blank.");
            } else if store.get_user(&name).await.is_ok() {
                eprintln!("Error: That username is already taken.");
            } else {
                break name;
            }
        },
    };
    let email = match email {
        Some(email) => email.to_owned(),
        None => read_line("Email address: ")?,
    };
    let password = loop {
        let first = read_password("Password: ")?;
        let second = read_password("Password (again): ")?;
        if first != second {
            eprintln!("Error: Your passwords didn't match.");
        } else if first.is_empty() {
            eprintln!("Error: Blank passwords aren't allowed.");
        } else {
            break first;
        }
    };
    Ok((username, email, password))
}

fn read_line(prompt: &str) -> Result<String> {
    use std::io::Write;
    print!("{prompt}");
    std::io::stdout().flush().map_err(|e| CliError::Failed(e.to_string()))?;
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line).map_err(|e| CliError::Failed(e.to_string()))?;
    if read == 0 {
        return Err(CliError::Failed("aborted: standard input closed".into()));
    }
    Ok(line.trim().to_owned())
}

fn read_password(prompt: &str) -> Result<String> {
    rpassword::prompt_password(prompt).map_err(|e| CliError::Failed(format!("cannot read the password: {e}")))
}

async fn changepassword(out: &Out, store: &Store, actor: &Actor, username: &str) -> Result<u8> {
    store.get_user(username).await.map_err(|_| CliError::Failed(format!("user '{username}' does not exist")))?;
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage("changepassword prompts for the password: run it in a terminal".into()));
    }
    out.line(format!("Changing password for user '{username}'"));
    for _ in 0..3 {
        let first = read_password("Password: ")?;
        let second = read_password("Password (again): ")?;
        if first != second {
            eprintln!("Passwords do not match. Please try again.");
            continue;
        }
        if first.is_empty() {
            return Err(CliError::Failed("aborted".into()));
        }
        store.set_password(actor, username, &first).await?;
        out.line(format!("Password changed successfully for user '{username}'"));
        return Ok(0);
    }
    Err(CliError::Failed(format!("Aborting password change for user '{username}' after 3 attempts")))
}

async fn users(out: &Out, store: &Store, actor: &Actor, command: &UsersCommand) -> Result<u8> {
    match command {
        UsersCommand::List { search, after, limit } => {
            let mut page = UserPage::first().limit(*limit);
            if let Some(search) = search {
                page = page.search(search.as_str());
            }
            if let Some(after) = after {
                page = page.after(after.as_str());
            }
            let users = store.list_users(page).await?;
            if out.json {
                let list: Vec<Value> = users
                    .iter()
                    .map(|u| json!({"id": u.id, "username": u.username, "email": u.email, "is_active": u.is_active,
                                    "is_staff": u.is_staff, "is_superuser": u.is_superuser, "date_joined": crate::store::time::rfc3339(u.date_joined)}))
                    .collect();
                out.json(&json!(list));
            } else {
                let rows: Vec<Vec<String>> = users
                    .iter()
                    .map(|u| {
                        vec![
                            u.id.to_string(),
                            u.username.clone(),
                            u.email.clone(),
                            yes_no(u.is_active),
                            yes_no(u.is_staff),
                            yes_no(u.is_superuser),
                        ]
                    })
                    .collect();
                out.table(&["id", "username", "email", "active", "staff", "superuser"], &rows);
            }
        }
        UsersCommand::Show { username } => {
            let user = store.get_user(username).await?;
            let perms: Vec<(String, String)> = store
                .effective_permissions(username)
                .await?
                .into_iter()
                .map(|effective| {
                    let direct = effective.direct.then(|| "direct".to_owned());
                    let via: Vec<String> =
                        direct.into_iter().chain(effective.groups.iter().map(|g| format!("group {g}"))).collect();
                    (effective.permission.as_str().to_owned(), via.join(", "))
                })
                .collect();
            if out.json {
                out.json(&json!({
                    "id": user.id(), "username": user.username(), "email": user.email(),
                    "is_active": user.is_active(), "is_staff": user.is_staff(), "is_superuser": user.is_superuser(),
                    "groups": user.groups().collect::<Vec<_>>(),
                    "permissions": perms.iter().map(|(p, via)| json!({"permission": p, "via": via})).collect::<Vec<_>>(),
                }));
            } else {
                out.line(format!("username:   {}", user.username()));
                out.line(format!("email:      {}", user.email()));
                out.line(format!(
                    "flags:      active {}, staff {}, superuser {}",
                    yes_no(user.is_active()),
                    yes_no(user.is_staff()),
                    yes_no(user.is_superuser())
                ));
                out.line(format!("groups:     {}", user.groups().collect::<Vec<_>>().join(", ")));
                if user.is_superuser() {
                    out.line("(an active superuser has every permission)");
                }
                let rows: Vec<Vec<String>> = perms.into_iter().map(|(p, via)| vec![p, via]).collect();
                out.table(&["permission", "via"], &rows);
            }
        }
        UsersCommand::Create { username, email } => {
            store.create_user(actor, username, email, None).await?;
            done(out, "created", username, &format!("Created user '{username}'."));
        }
        UsersCommand::Deactivate { username } => {
            store.set_active(actor, username, false).await?;
            done(out, "deactivated", username, &format!("Deactivated user '{username}'."));
        }
        UsersCommand::Activate { username } => {
            store.set_active(actor, username, true).await?;
            done(out, "activated", username, &format!("Activated user '{username}'."));
        }
    }
    Ok(0)
}

fn done(out: &Out, what: &str, name: &str, sentence: &str) {
    if out.json {
        out.json(&json!({ what: name }));
    } else {
        out.line(sentence);
    }
}

async fn groups(out: &Out, store: &Store, actor: &Actor, command: &GroupsCommand) -> Result<u8> {
    match command {
        GroupsCommand::List => {
            let groups = store.list_groups().await?;
            if out.json {
                let list: Vec<Value> = groups
                    .iter()
                    .map(|g| json!({"name": g.name, "members": g.members, "permissions": g.permissions}))
                    .collect();
                out.json(&json!(list));
            } else {
                let rows: Vec<Vec<String>> = groups
                    .iter()
                    .map(|g| vec![g.name.clone(), g.members.to_string(), g.permissions.join(", ")])
                    .collect();
                out.table(&["group", "members", "permissions"], &rows);
            }
        }
        GroupsCommand::Show { name } => {
            let group = store.get_group(name).await?;
            let members = store.group_members(name).await?;
            let perms: Vec<&str> = group.permissions().map(crate::Permission::as_str).collect();
            if out.json {
                out.json(&json!({"name": name, "permissions": perms, "members": members}));
            } else {
                out.line(format!("group:       {name}"));
                out.line(format!("permissions: {}", perms.join(", ")));
                out.line(format!("members:     {}", members.join(", ")));
            }
        }
        GroupsCommand::Create { name } => {
            store.create_group(actor, name).await?;
            done(out, "created", name, &format!("Created group '{name}'."));
        }
        GroupsCommand::Delete { name } => {
            store.delete_group(actor, name).await?;
            done(out, "deleted", name, &format!("Deleted group '{name}'."));
        }
        GroupsCommand::AddMember { group, username } => {
            let changed = store.add_to_group(actor, username, group).await?;
            membership(out, changed, group, username, "added to", "already in");
        }
        GroupsCommand::RemoveMember { group, username } => {
            let changed = store.remove_from_group(actor, username, group).await?;
            membership(out, changed, group, username, "removed from", "not in");
        }
    }
    Ok(0)
}

fn membership(out: &Out, changed: bool, group: &str, username: &str, did: &str, was: &str) {
    if out.json {
        out.json(&json!({"group": group, "username": username, "changed": changed}));
    } else if changed {
        out.line(format!("'{username}' {did} '{group}'."));
    } else {
        out.line(format!("'{username}' was {was} '{group}': nothing to do."));
    }
}

async fn grant(out: &Out, store: &Store, actor: &Actor, args: &GrantArgs, grant: bool) -> Result<u8> {
    let perms: Vec<&str> = args.permissions.iter().map(String::as_str).collect();
    let (target, changed) = match (&args.user, &args.group, grant) {
        (Some(user), _, true) => {
            (format!("user '{user}'"), store.grant_user(actor, user, perms.iter().copied()).await?)
        }
        (Some(user), _, false) => {
            (format!("user '{user}'"), store.revoke_user(actor, user, perms.iter().copied()).await?)
        }
        (None, Some(group), true) => {
            (format!("group '{group}'"), store.grant_group(actor, group, perms.iter().copied()).await?)
        }
        (None, Some(group), false) => {
            (format!("group '{group}'"), store.revoke_group(actor, group, perms.iter().copied()).await?)
        }
        (None, None, _) => return Err(CliError::Usage("give --user USER or --group GROUP".into())),
    };
    if out.json {
        out.json(&json!({"target": target, "permissions": perms, "changed": changed, "granted": grant}));
    } else {
        let verb = if grant { "Granted" } else { "Revoked" };
        out.line(format!(
            "{verb} {changed} of {} permission(s) {} {target}{}.",
            perms.len(),
            if grant { "to" } else { "from" },
            if changed < perms.len() { " (the others were already so)" } else { "" }
        ));
    }
    Ok(0)
}

async fn perms(out: &Out, store: &Store, app: Option<&str>) -> Result<u8> {
    let statuses = store.permission_statuses().await?;
    let statuses: Vec<_> = statuses
        .into_iter()
        .filter(|p| app.is_none_or(|app| p.permission.split_once('.').is_some_and(|(a, _)| a == app)))
        .collect();
    let label = |status: PermissionStatus| match status {
        PermissionStatus::Synced => "synced",
        PermissionStatus::Missing => "missing",
        PermissionStatus::Stale => "stale",
    };
    if out.json {
        let list: Vec<Value> = statuses
            .iter()
            .map(|p| json!({"permission": p.permission, "name": p.name, "status": label(p.status)}))
            .collect();
        out.json(&json!(list));
    } else {
        let rows: Vec<Vec<String>> =
            statuses.iter().map(|p| vec![p.permission.clone(), p.name.clone(), label(p.status).to_owned()]).collect();
        out.table(&["permission", "name", "status"], &rows);
    }
    Ok(0)
}

async fn audit(out: &Out, store: &Store, user: Option<&str>, since: Option<&str>, limit: u32) -> Result<u8> {
    let mut query = AuditQuery::new().limit(limit);
    if let Some(user) = user {
        query = query.user(user);
    }
    if let Some(since) = since {
        let micros = time::parse_since(since, crate::store::now_micros()).ok_or_else(|| {
            CliError::Usage(format!("--since {since}: write a date (2026-11-01) or an age (30m, 12h, 2d)"))
        })?;
        query = query.since(micros);
    }
    let entries = store.audit(query).await?;
    if out.json {
        let list: Vec<Value> = entries
            .iter()
            .map(|e| {
                json!({"id": e.id, "at": crate::store::time::rfc3339(e.at), "actor": e.actor, "action": e.action,
                       "user": e.target_user, "group": e.target_group, "permission": e.permission, "detail": e.detail})
            })
            .collect();
        out.json(&json!(list));
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let target = [e.target_user.as_deref(), e.target_group.as_deref(), e.permission.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                vec![
                    e.id.to_string(),
                    crate::store::time::rfc3339(e.at),
                    e.actor.clone(),
                    e.action.clone(),
                    target,
                    e.detail.clone(),
                ]
            })
            .collect();
        out.table(&["id", "at", "actor", "action", "target", "detail"], &rows);
    }
    Ok(0)
}
