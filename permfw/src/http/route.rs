//! Route tables: each route of the API and of the admin is written once, as a [`Route`], and
//! the router, the access check in front of each handler and the API's OpenAPI document are all
//! built from the table, so that none can miss a route or disagree on what it needs.

use axum::extract::NestedPath;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter};

use crate::store::Store;
use crate::{HasPerms, Permission, PermissionDenied};

/// Who may call a route. The router checks it before the handler reads the request's body or
/// query, so that a caller without credentials learns nothing of what the route takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// Anyone: logging in, and the admin's login page and static files.
    Public,
    /// Any logged-in caller; the store's rules decide the rest (logging out, API tokens).
    LoggedIn,
    /// A logged-in caller holding this permission (the handler's guard names the same one).
    /// Not named `Permission`: a second item of that name would make rustc spell the type
    /// `permfw::Permission` in every user's compile errors.
    Requires(Permission),
}

impl Access {
    /// The permission the route needs, if any.
    #[must_use]
    pub fn permission(self) -> Option<Permission> {
        match self {
            Access::Requires(permission) => Some(permission),
            Access::Public | Access::LoggedIn => None,
        }
    }

    /// Whether `caller` may call the route: `Ok(())`, or why not. A logged-in caller is one
    /// that [`HasPerms::is_authenticated`].
    pub(crate) fn check(self, caller: &impl HasPerms) -> Result<(), PermissionDenied> {
        let missing = match self {
            Access::Public => return Ok(()),
            Access::LoggedIn if caller.is_authenticated() => return Ok(()),
            Access::LoggedIn => Vec::new(),
            Access::Requires(permission) if caller.has_perm(permission) => return Ok(()),
            Access::Requires(permission) => vec![permission.as_str()],
        };
        Err(if caller.is_authenticated() {
            PermissionDenied::forbidden(missing)
        } else {
            PermissionDenied::not_authenticated(missing)
        })
    }
}

/// One route of a table: its method and path (relative to where the router is mounted), who
/// may call it, what it does, and its handler.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path, relative to where the router is mounted, with `{parameters}`.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// What it does.
    pub summary: &'static str,
    handler: fn(MethodFilter) -> MethodRouter<Store>,
}

impl Route {
    /// A route whose `handler` is `|method| on(method, the_handler)`.
    pub(crate) const fn new(
        method: Method,
        path: &'static str,
        access: Access,
        summary: &'static str,
        handler: fn(MethodFilter) -> MethodRouter<Store>,
    ) -> Self {
        Self { method, path, access, summary, handler }
    }

    /// The handler, answering this route's method. Every table holds standard methods only (a
    /// test walks each route through its router); another would answer nothing.
    pub(crate) fn endpoint(&self) -> MethodRouter<Store> {
        match MethodFilter::try_from(self.method.clone()) {
            Ok(filter) => (self.handler)(filter),
            Err(_) => MethodRouter::new(),
        }
    }
}

/// Where a request's router is mounted, from axum's `NestedPath`: `/internal/admin` for an
/// admin nested there, empty at the root. Links and redirects start with it.
pub(crate) fn mount_point(nested: Option<&NestedPath>) -> String {
    nested.map_or("", NestedPath::as_str).trim_end_matches('/').to_owned()
}
