//! `/healthz` (the process answers) and `/readyz` (the database answers too).

use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, Response, handler};
use serde_json::json;

use crate::problem::Problem;
use crate::state::AppState;

#[handler]
pub fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => Json(json!({
            "status": "ready",
            "database": "ok",
            "boundaries": state.geo.as_ref().as_ref().map_or(0, |g| g.len()),
        }))
        .into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the database does not answer").into_response()
        }
        Err(_) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database did not answer within 2 s",
        )
        .into_response(),
    }
}
