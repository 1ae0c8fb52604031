//! `manage groups ...`: list, show, create, delete, add-member, remove-member.

use serde::Serialize;

use super::super::Result;
use super::super::args::GroupsCommand;
use super::super::output::{Out, Row};
use crate::store::{Actor, GroupRecord, Store};

impl Row for GroupRecord {
    const COLUMNS: &'static [&'static str] = &["group", "members", "permissions"];

    fn cells(&self) -> Vec<String> {
        vec![self.name.clone(), self.members.to_string(), self.permissions.join(", ")]
    }
}

/// A group with its permissions and members, as `groups show` prints it.
#[derive(Serialize)]
struct GroupDetail<'a> {
    name: &'a str,
    permissions: Vec<&'static str>,
    members: Vec<String>,
}

/// What a change of membership did, as `add-member` and `remove-member --json` print it.
#[derive(Serialize)]
struct Membership<'a> {
    group: &'a str,
    username: &'a str,
    changed: bool,
}

pub(super) async fn run(out: &Out, store: &Store, actor: &Actor, command: &GroupsCommand) -> Result<u8> {
    match command {
        GroupsCommand::List => out.rows(&store.list_groups().await?)?,
        GroupsCommand::Show { name } => {
            let group = store.get_group(name).await?;
            let members = store.group_members(name).await?;
            let detail = GroupDetail { name, permissions: group.permissions().map(|p| p.as_str()).collect(), members };
            out.either(&detail, |out| {
                out.line(format!("group:       {name}"))?;
                out.line(format!("permissions: {}", detail.permissions.join(", ")))?;
                out.line(format!("members:     {}", detail.members.join(", ")))
            })?;
        }
        GroupsCommand::Create { name } => {
            store.create_group(actor, name).await?;
            return super::done(out, "created", name, &format!("Created group '{name}'."));
        }
        GroupsCommand::Delete { name } => {
            store.delete_group(actor, name).await?;
            return super::done(out, "deleted", name, &format!("Deleted group '{name}'."));
        }
        GroupsCommand::AddMember { group, username, until } => {
            let changed = match super::requests::until(until.as_deref())? {
                Some(until) => store.add_to_group_until(actor, username, group, until).await?,
                None => store.add_to_group(actor, username, group).await?,
            };
            membership(out, Membership { group, username, changed }, "added to", "already in")?;
        }
        GroupsCommand::RemoveMember { group, username } => {
            let changed = store.remove_from_group(actor, username, group).await?;
            membership(out, Membership { group, username, changed }, "removed from", "not in")?;
        }
    }
    Ok(0)
}

fn membership(out: &Out, change: Membership<'_>, did: &str, was: &str) -> Result<()> {
    let Membership { group, username, changed } = change;
    out.either(&change, |out| {
        if changed {
            out.line(format!("'{username}' {did} '{group}'."))
        } else {
            out.line(format!("'{username}' was {was} '{group}': nothing to do."))
        }
    })
}
