//! The access matrix: for a group (its members) or an app (the active users holding any of its
//! permissions), users by permissions, each cell saying yes or no and how; by key, and as CSV.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::error::Query;
use super::pages::{Frame, permission_label, render};
use super::{AdminError, Staff, csv, encode};
use crate::store::{Cell, Matrix, MatrixOf, Store};
use crate::{User, permission_required};

/// Users per page.
const PAGE: u32 = 50;
/// Users per chunk of a CSV export.
const CHUNK: u32 = 500;

/// `?group=Editors` or `?app=blog`, and `after` a user id for the next page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Of {
    #[serde(default)]
    group: String,
    #[serde(default)]
    app: String,
    after: Option<i64>,
}

impl Of {
    fn of(&self) -> Option<MatrixOf> {
        match (self.group.trim(), self.app.trim()) {
            ("", "") => None,
            ("", app) => Some(MatrixOf::App(app.to_owned())),
            (group, _) => Some(MatrixOf::Group(group.to_owned())),
        }
    }

    /// `group=Editors` or `app=blog`.
    fn encoded(&self) -> String {
        match self.of() {
            Some(MatrixOf::Group(group)) => format!("group={}", encode(&group)),
            Some(MatrixOf::App(app)) => format!("app={}", encode(&app)),
            None => String::new(),
        }
    }
}

/// One user of the page, its cells as `(holds, how)`.
#[derive(Debug)]
pub(super) struct Row {
    username: String,
    active: bool,
    cells: Vec<(bool, String)>,
}

#[derive(Template)]
#[template(path = "admin/matrix.html")]
pub(super) struct MatrixPage {
    frame: Frame,
    group: String,
    app: String,
    /// The apps that declare permissions, for the picker.
    apps: Vec<&'static str>,
    /// `group Editors` or `app blog`; empty before one is chosen.
    title: String,
    /// The columns' labels.
    columns: Vec<String>,
    rows: Vec<Row>,
    /// `group=Editors`: the CSV link's and the next page's query.
    query: String,
    next: Option<i64>,
}

fn rows(matrix: &Matrix) -> Vec<Row> {
    matrix
        .rows
        .iter()
        .map(|row| Row {
            username: row.username.clone(),
            active: row.is_active,
            cells: row.cells.iter().map(|cell| (cell.holds, how(cell))).collect(),
        })
        .collect()
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn page(
    staff: Staff,
    State(store): State<Store>,
    Query(of): Query<Of>,
) -> Result<Response, AdminError> {
    let mut apps: Vec<&'static str> = crate::registry().permissions().map(|p| p.app_label()).collect();
    apps.dedup();
    let mut page = MatrixPage {
        frame: staff.frame(),
        group: of.group.trim().to_owned(),
        app: of.app.trim().to_owned(),
        apps,
        title: String::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        query: of.encoded(),
        next: None,
    };
    let Some(what) = of.of() else { return Ok(render(&page)) };
    page.title = match &what {
        MatrixOf::Group(group) => format!("group {group}"),
        MatrixOf::App(app) => format!("app {app}"),
    };
    let matrix = store.access_matrix(&what, of.after.unwrap_or(0), PAGE).await?;
    if let MatrixOf::App(app) = &what
        && matrix.permissions.is_empty()
    {
        let text = format!("No app named {app} declares permissions.");
        return Err(AdminError::Page(StatusCode::NOT_FOUND, text));
    }
    page.columns = matrix.permissions.iter().map(|p| permission_label(p.as_str())).collect();
    page.rows = rows(&matrix);
    page.next = matrix.next_after;
    Ok(render(&page))
}

/// The whole matrix as CSV: `username,active,<permission>...`, each cell `yes (how)` or `no`;
/// the page with its forms when neither a group nor an app is chosen.
#[permission_required(User::VIEW_USER)]
pub(super) async fn export(
    staff: Staff,
    State(store): State<Store>,
    Query(of): Query<Of>,
) -> Result<Response, AdminError> {
    let Some(what) = of.of() else {
        // Nothing chosen yet: the page, whose forms choose.
        return page(staff, State(store), Query(of)).await;
    };
    let first = store.access_matrix(&what, of.after.unwrap_or(0), CHUNK).await?;
    if matches!(what, MatrixOf::App(_)) && first.permissions.is_empty() {
        return Err(AdminError::Page(StatusCode::NOT_FOUND, "No such app declares permissions.".into()));
    }
    let name = match &what {
        MatrixOf::Group(group) => format!("access-group-{}.csv", file_safe(group)),
        MatrixOf::App(app) => format!("access-app-{}.csv", file_safe(app)),
    };
    Ok(csv::attachment(&name, move |out| async move {
        let mut text = String::new();
        let header = ["username", "active"].into_iter().chain(first.permissions.iter().map(|p| p.as_str()));
        csv::record(&mut text, header);
        let mut matrix = first;
        loop {
            for row in &matrix.rows {
                let cells: Vec<String> = row
                    .cells
                    .iter()
                    .map(|cell| match (cell.holds, how(cell)) {
                        (true, how) => format!("yes ({how})"),
                        (false, how) if how.is_empty() => "no".to_owned(),
                        (false, how) => format!("no ({how})"),
                    })
                    .collect();
                let active = if row.is_active { "yes" } else { "no" };
                let fields = [row.username.as_str(), active].into_iter().chain(cells.iter().map(String::as_str));
                csv::record(&mut text, fields);
            }
            if !out.send(std::mem::take(&mut text)).await {
                return Ok(());
            }
            let Some(after) = matrix.next_after else { return Ok(()) };
            matrix = store.access_matrix(&what, after, CHUNK).await?;
        }
    }))
}

/// How a cell holds its permission (`direct, group Editors`), or, for an inactive account,
/// what would count once it is active again (`account inactive; direct`).
fn how(cell: &Cell) -> String {
    let how = cell.how();
    if cell.holds || how.is_empty() { how } else { format!("account inactive; {how}") }
}

/// A name for a file: letters, digits, `-` and `_`; anything else becomes `_`.
fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}
