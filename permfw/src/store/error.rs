//! The store's errors: each variant a sentence that says what to do.

use std::fmt;

/// A change that the delegation rules refuse. Nothing was written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The acting user is inactive, or does not exist.
    ActorInactive,
    /// The acting user lacks the permission that this kind of change needs.
    NeedsPermission {
        /// The permission, such as `auth.change_user`.
        perm: &'static str,
    },
    /// A user may grant (or revoke, or hand over through a group) only permissions it holds.
    GrantsOnlyHeld {
        /// The permission the actor does not hold.
        perm: String,
    },
    /// Only a superuser grants or revokes `auth.change_user`.
    ChangeUserIsSuperuserOnly,
    /// Only a superuser makes or unmakes a superuser, or changes one.
    SuperuserOnly,
    /// A user may not change its own groups, permissions or flags, not even through a group.
    OwnRights,
    /// Taking control of another account (its password, email, tokens) would hand over a
    /// permission the acting user lacks: whoever controls an account holds its permissions.
    TargetHoldsMore {
        /// A permission the target holds and the acting user lacks.
        perm: String,
    },
    /// Nobody approves or denies their own access request.
    OwnRequest,
    /// Only its requester (or a superuser) cancels a request.
    NotTheRequester,
    /// The policy does not let the acting user request this (not in the requesters' group).
    NotARequester {
        /// The policy.
        policy: String,
    },
    /// The acting user is not an approver of the policy (not, or no longer, in the approvers'
    /// group, nor holding the approvers' permission).
    NotAnApprover {
        /// The policy.
        policy: String,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::ActorInactive => f.write_str("the acting user is inactive or does not exist"),
            Rule::NeedsPermission { perm } => {
                write!(f, "this change needs `{perm}`, which the acting user lacks")
            }
            Rule::GrantsOnlyHeld { perm } => {
                write!(f, "a user may grant only permissions it holds itself, and the acting user lacks `{perm}`")
            }
            Rule::ChangeUserIsSuperuserOnly => f.write_str("only a superuser grants or revokes `auth.change_user`"),
            Rule::SuperuserOnly => f.write_str("only a superuser makes, unmakes or changes a superuser"),
            Rule::OwnRights => {
                f.write_str("a user may not change its own groups, permissions or flags; ask a superuser")
            }
            Rule::OwnRequest => f.write_str("nobody approves or denies their own request; another approver must"),
            Rule::NotTheRequester => f.write_str("only its requester (or a superuser) cancels a request"),
            Rule::NotARequester { policy } => {
                write!(f, "the policy `{policy}` does not let the acting user request this; ask an administrator")
            }
            Rule::NotAnApprover { policy } => write!(
                f,
                "the acting user is not an approver of the policy `{policy}` (not, or no longer, in its approvers' group \
                 nor holding its approvers' permission)"
            ),
            Rule::TargetHoldsMore { perm } => write!(
                f,
                "taking control of this account (its password, email or tokens) would hand over `{perm}`, \
                 which the acting user lacks; ask a superuser"
            ),
        }
    }
}

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The delegation rules refuse the change; nothing was written.
    #[error("refused: {0}")]
    Refused(Rule),
    /// No user has this username.
    #[error("no user named `{0}`; list users with `manage users list`")]
    UserNotFound(String),
    /// No group has this name.
    #[error("no group named `{0}`; create it first")]
    GroupNotFound(String),
    /// The permission string is not `app_label.codename`.
    #[error("`{0}` is not a permission string; write it as \"app_label.codename\", e.g. \"blog.publish_post\"")]
    MalformedPermission(String),
    /// No registered model declares this permission.
    #[error(
        "no model declares the permission `{0}`; check the spelling, or run `migrate` after linking the crate that declares it"
    )]
    UnknownPermission(String),
    /// The username is taken.
    #[error("a user named `{0}` already exists; pick another username")]
    UsernameTaken(String),
    /// The group name is taken.
    #[error("a group named `{0}` already exists; pick another name")]
    GroupNameTaken(String),
    /// A name is empty, too long or has characters it may not.
    #[error("invalid {what}: {why}")]
    InvalidName {
        /// What was named: `username`, `group name`, ...
        what: &'static str,
        /// Why it is refused and what to write instead.
        why: String,
    },
    /// The store allows one superuser, and there is one.
    #[error(
        "there can only be one superuser, and `{existing}` is it; open the store with \
         `StoreOptions::allow_multiple_superusers(true)` to allow several"
    )]
    SecondSuperuser {
        /// The existing superuser.
        existing: String,
    },
    /// The URL names no supported database, or the feature for it is off.
    #[error("cannot open `{url}`: {why}")]
    Open {
        /// The URL, password masked.
        url: String,
        /// What to do about it.
        why: String,
    },
    /// The database was migrated by a newer permfw.
    #[error(
        "the database has schema version {found}, newer than this permfw's {supported}; upgrade permfw \
         (or restore a backup) instead of downgrading"
    )]
    NewerSchema {
        /// The database's version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// No API token has this id.
    #[error("no token #{0}; list a user's tokens with `manage tokens list USER` or `GET /users/{{username}}/tokens`")]
    TokenNotFound(i64),
    /// No access-request policy has this name.
    #[error("no request policy named `{0}`; list them with `manage policies list`")]
    PolicyNotFound(String),
    /// A policy has this name already.
    #[error("a request policy named `{0}` already exists; pick another name")]
    PolicyNameTaken(String),
    /// A policy that cannot work as given.
    #[error("invalid request policy: {0}")]
    InvalidPolicy(String),
    /// No access request has this id.
    #[error("no access request #{0}; list them with `manage requests list`")]
    RequestNotFound(i64),
    /// The request is no longer open (approved, denied, cancelled or expired).
    #[error("access request #{id} is {status}, not open: nothing to decide or cancel")]
    RequestClosed {
        /// The request.
        id: i64,
        /// Its status.
        status: String,
    },
    /// The requester already has an open request under this policy.
    #[error("there is already an open request (#{0}) for this; wait for its decision or cancel it")]
    RequestAlreadyOpen(i64),
    /// The approver already decided on this request.
    #[error("you already decided on access request #{0}; another approver must")]
    AlreadyDecided(i64),
    /// A request that cannot be made as given (justification, duration).
    #[error("invalid access request: {0}")]
    InvalidRequest(String),
    /// The password could not be hashed.
    #[error("could not hash the password: {0}")]
    Password(String),
    /// `auth_permission` changed each time a user was read (a `migrate` of another process
    /// running meanwhile); nothing was read.
    #[error("the permissions table kept changing while the user was read (is a `migrate` running?); try again")]
    PermissionsChanging,
    /// The database failed; the change, if any, was rolled back.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// `Result<T, StoreError>`.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
