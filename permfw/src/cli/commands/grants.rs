//! `manage grant` and `manage revoke`: permissions to or from a user or a group.

use serde::Serialize;

use super::super::args::GrantArgs;
use super::super::output::Out;
use super::super::{CliError, Result};
use crate::store::{Actor, Store};

/// What a grant or revoke did, as `--json` prints it.
#[derive(Serialize)]
struct Granted<'a> {
    target: String,
    permissions: Vec<&'a str>,
    changed: usize,
    granted: bool,
}

pub(super) async fn run(out: &Out, store: &Store, actor: &Actor, args: &GrantArgs, grant: bool) -> Result<u8> {
    let perms: Vec<&str> = args.permissions.iter().map(String::as_str).collect();
    let each = perms.iter().copied();
    let until = super::requests::until(args.until.as_deref())?;
    let (target, changed) = match (&args.user, &args.group, grant) {
        (Some(_), _, false) | (None, Some(_), _) if until.is_some() => {
            return Err(CliError::Usage("--until goes with `grant --user` only".into()));
        }
        (Some(user), _, true) => match until {
            Some(until) => (format!("user '{user}'"), store.grant_user_until(actor, user, each, until).await?),
            None => (format!("user '{user}'"), store.grant_user(actor, user, each).await?),
        },
        (Some(user), _, false) => (format!("user '{user}'"), store.revoke_user(actor, user, each).await?),
        (None, Some(group), true) => (format!("group '{group}'"), store.grant_group(actor, group, each).await?),
        (None, Some(group), false) => (format!("group '{group}'"), store.revoke_group(actor, group, each).await?),
        (None, None, _) => return Err(CliError::Usage("give --user USER or --group GROUP".into())),
    };
    let count = perms.len();
    let report = Granted { target, permissions: perms, changed, granted: grant };
    out.either(&report, |out| {
        let (verb, preposition) = if grant { ("Granted", "to") } else { ("Revoked", "from") };
        let others = if changed < count { " (the others were already so)" } else { "" };
        out.line(format!("{verb} {changed} of {count} permission(s) {preposition} {}{others}.", report.target))
    })?;
    Ok(0)
}
