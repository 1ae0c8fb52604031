//! The command line's grammar: global options and subcommands, with help text and examples.

use clap::{ArgGroup, Args, Parser, Subcommand};

/// Manage the users, groups and permissions of an application that uses permfw.
#[derive(Debug, Parser)]
#[command(
    name = "manage",
    version,
    about = "Manage users, groups and permissions (permfw)",
    long_about = "Manage users, groups and permissions, as Django's manage.py does, with every model \
                  this application links. Changes act as the system unless `--as USER` says otherwise, \
                  and then the store's delegation rules apply.",
    after_help = "Examples:\n  manage migrate\n  manage createsuperuser\n  manage grant blog.publish_post --user bob\n  \
                  manage who-can blog.publish_post\n  manage audit --user bob --limit 20"
)]
pub struct Cli {
    #[allow(missing_docs)]
    #[command(flatten)]
    pub global: Global,
    #[allow(missing_docs)]
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Clone, Debug, Args)]
pub struct Global {
    /// The database: `sqlite://path`, `sqlite::memory:` or `postgres://user@host/db`.
    #[arg(long, global = true, env = "PERMFW_DATABASE_URL", value_name = "URL")]
    pub database: Option<String>,
    /// Print JSON for scripts instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Act as this user, under the store's rules (default: the system actor).
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply schema migrations and sync the registry's permissions into the database.
    #[command(after_help = "Examples:\n  manage migrate\n  manage migrate --prune-stale")]
    Migrate {
        /// Also delete stale permissions (no linked model declares them) with their grants.
        #[arg(long)]
        prune_stale: bool,
    },
    /// Run the system checks (permfw.E001-E003); exit 1 when one is an error.
    #[command(after_help = "Examples:\n  manage check\n  manage check --json")]
    Check,
    /// Create the superuser, interactively or with --no-input.
    #[command(after_help = "Examples:\n  manage createsuperuser\n  \
                            PERMFW_SUPERUSER_PASSWORD=... manage createsuperuser --no-input --username root --email root@example.com")]
    Createsuperuser {
        /// Do not prompt; take --username, --email and PERMFW_SUPERUSER_PASSWORD.
        #[arg(long, visible_alias = "noinput")]
        no_input: bool,
        /// The username.
        #[arg(long)]
        username: Option<String>,
        /// The email address.
        #[arg(long)]
        email: Option<String>,
    },
    /// Change a user's password (prompted twice, without echo).
    #[command(after_help = "Example:\n  manage changepassword bob")]
    Changepassword {
        /// The user.
        username: String,
    },
    /// List, show, create, activate and deactivate users.
    #[command(
        subcommand,
        after_help = "Examples:\n  manage users list --search smith\n  manage users show bob\n  \
                      manage users create bob --email bob@example.com\n  manage users deactivate bob --as grace"
    )]
    Users(UsersCommand),
    /// List, show, create and delete groups, and change their members.
    #[command(
        subcommand,
        after_help = "Examples:\n  manage groups create Editors\n  manage groups add-member Editors bob\n  \
                      manage groups show Editors\n  manage groups list --json"
    )]
    Groups(GroupsCommand),
    /// List and revoke a user's API tokens (never their secrets).
    #[command(
        subcommand,
        after_help = "Examples:\n  manage tokens list bob\n  manage tokens list bob --json\n  manage tokens revoke 12 --as grace"
    )]
    Tokens(TokensCommand),
    /// Access requests: list, show, ask, approve, deny, cancel (the guide's promotion workflow).
    #[command(
        subcommand,
        after_help = "Examples:\n  manage requests list --status open\n  \
                      manage requests create promotion --justification \"40 posts\" --as alice\n  \
                      manage requests approve 7 --comment \"well deserved\" --as grace"
    )]
    Requests(RequestsCommand),
    /// Request policies: what may be requested, by whom, approved by whom.
    #[command(
        subcommand,
        after_help = "Examples:\n  manage policies list\n  \
                      manage policies create promotion --group \"Senior Writers\" --requested-by Writers --approved-by Editors\n  \
                      manage policies create on-call --permission auth.change_user --approver-permission auth.change_group \\\n    \
                      --approvals 2 --max-duration 4h"
    )]
    Policies(PoliciesCommand),
    /// Remove expired grants and memberships (each audited as `expired`) and close unanswered
    /// requests past their expiry, notifying each user.
    #[command(after_help = "Example:\n  manage sweep")]
    Sweep,
    /// Grant permissions to a user or a group.
    #[command(after_help = "Examples:\n  manage grant blog.publish_post blog.feature_post --user bob\n  \
                            manage grant blog.view_post --group Visitors --as grace")]
    Grant(GrantArgs),
    /// Revoke permissions from a user or a group.
    #[command(after_help = "Example:\n  manage revoke blog.publish_post --user bob")]
    Revoke(GrantArgs),
    /// Permissions: the registry against the database.
    #[command(subcommand, after_help = "Examples:\n  manage perms list\n  manage perms list blog")]
    Perms(PermsCommand),
    /// Who holds a permission (Django's `with_perm`): directly, through a group, or as a superuser.
    #[command(name = "who-can", after_help = "Example:\n  manage who-can blog.publish_post --limit 50")]
    WhoCan {
        /// The permission, as `app_label.codename`.
        permission: String,
        /// Leave superusers out.
        #[arg(long)]
        no_superusers: bool,
        /// List inactive users instead of active ones.
        #[arg(long)]
        inactive: bool,
        /// At most this many users.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// The audit log, newest first.
    #[command(
        after_help = "Examples:\n  manage audit\n  manage audit --user bob --since 2d\n  manage audit --since 2026-11-01 --limit 500"
    )]
    Audit {
        /// Only changes to this user.
        #[arg(long)]
        user: Option<String>,
        /// Only changes since then: a date (2026-11-01), or an age (30m, 12h, 2d).
        #[arg(long)]
        since: Option<String>,
        /// At most this many entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// `manage users ...`
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users, by username.
    List {
        /// Only users whose username or email contains this text.
        #[arg(long)]
        search: Option<String>,
        /// Start after this username (the next page).
        #[arg(long)]
        after: Option<String>,
        /// At most this many users.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a user: flags, groups, and each permission with where it comes from.
    Show {
        /// The user.
        username: String,
    },
    /// Create a user (active, no permission, no usable password until `changepassword`).
    Create {
        /// The username.
        username: String,
        /// The email address.
        #[arg(long, default_value = "")]
        email: String,
    },
    /// Deactivate a user (Django: instead of deleting accounts).
    Deactivate {
        /// The user.
        username: String,
    },
    /// Activate a user again.
    Activate {
        /// The user.
        username: String,
    },
}

/// `manage groups ...`
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List groups with their member counts and permissions.
    List,
    /// Show a group: its permissions and members.
    Show {
        /// The group.
        name: String,
    },
    /// Create a group.
    Create {
        /// The group's name.
        name: String,
    },
    /// Delete a group; its members lose what it gave them.
    Delete {
        /// The group.
        name: String,
    },
    /// Put a user in a group, for good or until a time.
    AddMember {
        /// The group.
        group: String,
        /// The user.
        username: String,
        /// Until when: an RFC 3339 time (2026-12-24T18:00:00Z) or a duration from now (4h, 2d).
        #[arg(long, value_name = "WHEN")]
        until: Option<String>,
    },
    /// Take a user out of a group.
    RemoveMember {
        /// The group.
        group: String,
        /// The user.
        username: String,
    },
}

/// `manage tokens ...`: another user's tokens under the rule of taking control of an account
/// (with `--as`, the actor needs `auth.change_user` and everything the user holds).
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// A user's API tokens, newest first: id, name, created, last used, expires, revoked.
    List {
        /// The user.
        username: String,
    },
    /// Revoke an API token by its id (as `tokens list` shows it).
    Revoke {
        /// The token's id.
        id: i64,
    },
}

/// What `grant` and `revoke` take.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["user", "group"])))]
pub struct GrantArgs {
    /// The permissions, as `app_label.codename`.
    #[arg(required = true, value_name = "PERMISSION")]
    pub permissions: Vec<String>,
    /// The user to change.
    #[arg(long)]
    pub user: Option<String>,
    /// The group to change.
    #[arg(long)]
    pub group: Option<String>,
    /// Grant until when (users only): an RFC 3339 time (2026-12-24T18:00:00Z) or a duration
    /// from now (4h, 2d).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
}

/// `manage requests ...`
#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// Access requests, newest first.
    List {
        /// Only those in this status: open, approved, denied, cancelled, expired.
        #[arg(long)]
        status: Option<String>,
        /// Only those by this user.
        #[arg(long)]
        requester: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// One request with its decisions.
    Show {
        /// The request's id.
        id: i64,
    },
    /// Ask for a policy's target, as the user `--as` names.
    Create {
        /// The policy.
        policy: String,
        /// Why.
        #[arg(long)]
        justification: String,
        /// For how long (4h, 2d); required when the policy has a maximum.
        #[arg(long)]
        duration: Option<String>,
    },
    /// Approve a request, as an approver of its policy.
    Approve {
        /// The request's id.
        id: i64,
        /// A comment for the requester.
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Deny a request, as an approver of its policy.
    Deny {
        /// The request's id.
        id: i64,
        /// A comment for the requester.
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Cancel an open request (its requester, or a superuser).
    Cancel {
        /// The request's id.
        id: i64,
    },
}

/// `manage policies ...`
#[derive(Debug, Subcommand)]
pub enum PoliciesCommand {
    /// Every request policy.
    List,
    /// Create a request policy (a superuser, or the system).
    #[command(group(ArgGroup::new("target").required(true).args(["group", "permission"])))]
    #[command(group(ArgGroup::new("approvers").required(true).args(["approved_by", "approver_permission"])))]
    Create {
        /// The policy's name.
        name: String,
        /// The group that may be requested.
        #[arg(long)]
        group: Option<String>,
        /// A permission that may be requested (repeat for several).
        #[arg(long)]
        permission: Vec<String>,
        /// Only members of this group may request (default: any active user).
        #[arg(long)]
        requested_by: Option<String>,
        /// Members of this group approve.
        #[arg(long)]
        approved_by: Option<String>,
        /// Holders of this permission approve.
        #[arg(long)]
        approver_permission: Option<String>,
        /// How many distinct approvals a request needs.
        #[arg(long, default_value_t = 1)]
        approvals: u32,
        /// The longest time access may be granted for (4h, 2d).
        #[arg(long)]
        max_duration: Option<String>,
        /// Days before an unanswered request expires.
        #[arg(long, default_value_t = 14)]
        expire_after_days: u32,
    },
    /// Delete a request policy and its requests.
    Delete {
        /// The policy.
        name: String,
    },
}

/// `manage perms ...`
#[derive(Debug, Subcommand)]
pub enum PermsCommand {
    /// Every permission with its status: synced, missing (run `migrate`) or stale.
    List {
        /// Only this app label.
        app: Option<String>,
    },
}
