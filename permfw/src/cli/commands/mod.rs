//! What each subcommand does, one file per group of subcommands.

mod audit;
mod grants;
mod groups;
mod migrate;
mod passwords;
mod perms;
mod requests;
mod tokens;
mod users;

use std::collections::BTreeMap;

use super::args::{Command, Global, PermsCommand};
use super::output::Out;
use super::{CliError, Result};
use crate::store::{Actor, Store};

pub(crate) async fn execute(global: &Global, command: &Command, url: &str) -> Result<u8> {
    let out = Out::new(global.json);
    let actor = global.as_user.clone().map_or(Actor::System, Actor::User);
    if let Command::Check = command {
        return migrate::check(&out);
    }
    let store = Store::open(url).await?;
    if let Command::Migrate { prune_stale } = command {
        return migrate::migrate(&out, &store, *prune_stale).await;
    }
    if store.schema_version().await? == 0 {
        return Err(CliError::Failed(format!(
            "the database `{url}` has no permfw tables yet; run `manage migrate` first (or give another --database)"
        )));
    }
    match command {
        Command::Migrate { .. } | Command::Check => {
            Err(CliError::Usage("this command is handled before the store opens".into()))
        }
        Command::Createsuperuser { no_input, username, email } => {
            passwords::createsuperuser(&out, &store, &actor, *no_input, username.as_deref(), email.as_deref()).await
        }
        Command::Changepassword { username } => passwords::changepassword(&out, &store, &actor, username).await,
        Command::Users(command) => users::run(&out, &store, &actor, command).await,
        Command::Groups(command) => groups::run(&out, &store, &actor, command).await,
        Command::Tokens(command) => tokens::run(&out, &store, &actor, command).await,
        Command::Requests(command) => requests::requests(&out, &store, &actor, command).await,
        Command::Policies(command) => requests::policies(&out, &store, &actor, command).await,
        Command::Sweep => requests::sweep(&out, &store).await,
        Command::Grant(args) => grants::run(&out, &store, &actor, args, true).await,
        Command::Revoke(args) => grants::run(&out, &store, &actor, args, false).await,
        Command::Perms(PermsCommand::List { app }) => perms::list(&out, &store, app.as_deref()).await,
        Command::WhoCan { permission, no_superusers, inactive, limit } => {
            perms::who_can(&out, &store, permission, *no_superusers, *inactive, *limit).await
        }
        Command::Audit { user, since, limit } => {
            audit::run(&out, &store, user.as_deref(), since.as_deref(), *limit).await
        }
    }
}

/// Reports a change: `{"<what>": "<name>"}` with `--json`, the sentence otherwise.
fn done(out: &Out, what: &str, name: &str, sentence: &str) -> Result<u8> {
    out.either(&BTreeMap::from([(what, name)]), |out| out.line(sentence))?;
    Ok(0)
}
