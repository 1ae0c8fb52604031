//! The groups (with the form that creates one), a group's page (its permissions with the picker
//! that grants one, its members searched and in keyset pages, rename), and the page that asks to
//! confirm a deletion and shows what members would lose. The changes are in
//! [`group_actions`](super::group_actions).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::error::{Path, Query};
use super::pages::{Frame, permission_label, render};
use super::{AdminError, Staff};
use crate::store::{GroupRecord, MemberPage, Store, UserRecord};
use crate::{Group, HasPerms, User, permission_required};

/// Members a page of a group's members holds.
const MEMBERS_PAGE: u32 = 50;
/// Members the deletion page lists, each with what it would lose.
const DELETION_SHOWN: u32 = 20;

/// `text` percent-encoded as one path segment (`/` included: a group's name may hold one).
pub(super) fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The address of a group's page, wherever the admin is mounted.
pub(super) fn group_path(base: &str, name: &str) -> String {
    format!("{base}/groups/{}", segment(name))
}

/// A permission as a row shows it: its codename (for forms) and its label (for people).
#[derive(Debug)]
pub(super) struct PermissionItem {
    pub(super) permission: String,
    pub(super) label: String,
}

impl PermissionItem {
    fn of(permission: String) -> Self {
        PermissionItem { label: permission_label(&permission), permission }
    }
}

/// One group on the list, its permissions for people.
#[derive(Debug)]
pub(super) struct GroupRow {
    pub(super) name: String,
    pub(super) path: String,
    pub(super) members: i64,
    pub(super) permissions: String,
}

#[derive(Template)]
#[template(path = "admin/groups.html")]
pub(super) struct GroupsPage {
    pub(super) frame: Frame,
    pub(super) groups: Vec<GroupRow>,
    /// Whether the caller may create a group (so the page offers the form).
    pub(super) may_add: bool,
}

#[derive(Template)]
#[template(path = "admin/group.html")]
pub(super) struct GroupPage {
    pub(super) frame: Frame,
    pub(super) name: String,
    /// The group page's address, for its forms and links.
    pub(super) path: String,
    pub(super) member_count: i64,
    pub(super) permissions: Vec<PermissionItem>,
    /// (permission, name): the picker's choices.
    pub(super) choices: Vec<(&'static str, &'static str)>,
    pub(super) members: Vec<UserRecord>,
    /// The members' search, as typed.
    pub(super) query: String,
    /// Whether this is a later page (so it links back to the first).
    pub(super) paged: bool,
    /// The `after` of the next page, while there may be one.
    pub(super) next: Option<i64>,
    pub(super) may_change: bool,
    pub(super) may_change_members: bool,
    pub(super) may_delete: bool,
}

/// One member on the deletion page, and what it would lose.
#[derive(Debug)]
pub(super) struct LossRow {
    pub(super) username: String,
    /// The permissions it would lose, for people; empty when none.
    pub(super) loses: Vec<String>,
    /// Why it loses nothing, when it does not.
    pub(super) keeps: &'static str,
}

#[derive(Template)]
#[template(path = "admin/group_delete.html")]
pub(super) struct DeletePage {
    pub(super) frame: Frame,
    pub(super) name: String,
    pub(super) path: String,
    pub(super) member_count: i64,
    pub(super) permissions: Vec<PermissionItem>,
    pub(super) members: Vec<LossRow>,
    pub(super) more: i64,
}

#[permission_required(Group::VIEW_GROUP)]
pub(super) async fn list(staff: Staff, State(store): State<Store>) -> Result<Response, AdminError> {
    let row = |group: GroupRecord| GroupRow {
        path: group_path(staff.base(), &group.name),
        permissions: group.permissions.iter().map(|p| permission_label(p)).collect::<Vec<_>>().join(", "),
        members: group.members,
        name: group.name,
    };
    let groups = store.list_groups().await?.into_iter().map(row).collect();
    Ok(render(&GroupsPage { frame: staff.frame(), groups, may_add: staff.has_perm(Group::ADD_GROUP) }))
}

/// `GET /groups/{name}?q=&after=`: the members' search and page.
#[derive(Debug, Deserialize)]
pub(super) struct MembersQuery {
    #[serde(default)]
    q: String,
    after: Option<i64>,
}

#[permission_required(Group::VIEW_GROUP)]
pub(super) async fn show(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
    Query(query): Query<MembersQuery>,
) -> Result<Response, AdminError> {
    let group = store.group_record(&name).await?;
    let mut page = MemberPage::first().limit(MEMBERS_PAGE).after_id(query.after.unwrap_or(0));
    if !query.q.trim().is_empty() {
        page = page.search(query.q.trim());
    }
    let members = store.group_member_page(&name, page).await?;
    let next = members.last().filter(|_| members.len() == MEMBERS_PAGE as usize).map(|u| u.id);
    let choices = crate::registry().permissions().map(|p| (p.as_str(), p.name())).collect();
    Ok(render(&GroupPage {
        frame: staff.frame(),
        path: group_path(staff.base(), &name),
        member_count: group.members,
        permissions: group.permissions.into_iter().map(PermissionItem::of).collect(),
        choices,
        members,
        query: query.q,
        paged: query.after.is_some(),
        next,
        may_change: staff.has_perm(Group::CHANGE_GROUP),
        may_change_members: staff.has_perm(User::CHANGE_USER),
        may_delete: staff.has_perm(Group::DELETE_GROUP),
        name,
    }))
}

/// "Delete group X?": its permissions, and what its first members would lose (each of them it
/// holds no other way), then "and N more". The store decides, at the deletion, whether the
/// caller may.
#[permission_required(Group::DELETE_GROUP)]
pub(super) async fn confirm_delete(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
) -> Result<Response, AdminError> {
    let deletion = store.group_deletion(&name, DELETION_SHOWN).await?;
    let members = deletion
        .members
        .into_iter()
        .map(|member| LossRow {
            keeps: match (member.is_superuser, member.loses.is_empty()) {
                (true, _) => "nothing: a superuser holds every permission",
                (false, true) => "nothing: holds each of them another way",
                (false, false) => "",
            },
            loses: member.loses.iter().map(|p| permission_label(p)).collect(),
            username: member.username,
        })
        .collect();
    Ok(render(&DeletePage {
        frame: staff.frame(),
        path: group_path(staff.base(), &name),
        member_count: deletion.group.members,
        permissions: deletion.group.permissions.into_iter().map(PermissionItem::of).collect(),
        members,
        more: deletion.more,
        name,
    }))
}
