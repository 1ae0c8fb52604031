//! The API's OpenAPI 3.1 document, generated from [`ROUTES`](super::ROUTES).

use axum::extract::NestedPath;
use axum::extract::rejection::NestedPathRejection;
use serde_json::{Value, json};

use super::super::cookie::SessionCookie;
use super::super::extract::Json;
use super::super::route::mount_point;
use super::super::{Access, SESSION_COOKIE};
use super::ROUTES;

/// The API's OpenAPI 3.1 document, generated from [`ROUTES`](super::ROUTES): one operation per
/// route, at its relative path, under the server URL `server` (where the API is mounted, such as
/// `/api/v1`).
#[must_use]
pub fn openapi(server: &str) -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let problem =
            |description: &str| json!({"description": description, "content": {"application/problem+json": {}}});
        let mut responses = json!({
            "200": {"description": "Done"},
            "400": problem("A malformed body, query or path; `detail` names the field"),
        });
        let (description, security) = match route.access {
            Access::Public => (String::new(), json!([])),
            Access::LoggedIn => ("Requires a logged-in caller.".to_owned(), json!([{"bearer": []}, {"session": []}])),
            Access::Requires(permission) => {
                (format!("Requires `{permission}`."), json!([{"bearer": []}, {"session": []}]))
            }
        };
        if route.access != Access::Public {
            responses["401"] = problem("No or bad credentials");
            responses["403"] = problem("Forbidden, or refused by the delegation rules");
        }
        let entry = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        entry[route.method.as_str().to_ascii_lowercase()] = json!({
            "summary": route.summary,
            "description": description,
            "parameters": parameters,
            "responses": responses,
            "security": security,
        });
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "permfw API", "version": env!("CARGO_PKG_VERSION")},
        "servers": [{"url": if server.is_empty() { "/" } else { server }}],
        "paths": paths,
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
        }},
    })
}

/// `GET /openapi.json`: the document, with the server URL where this API is mounted and the
/// session cookie's name as this router sets it.
pub(super) async fn document(nested: Result<NestedPath, NestedPathRejection>, cookie: SessionCookie) -> Json<Value> {
    let mut document = openapi(&mount_point(nested.ok().as_ref()));
    document["components"]["securitySchemes"]["session"]["name"] = cookie.name().into();
    Json(document)
}
