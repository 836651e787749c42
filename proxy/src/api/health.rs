//! `GET /healthz` (the process answers) and `GET /readyz` (tickets can be filed).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::AppState;
use crate::error::ApiError;

/// Liveness: the process answers.
pub(super) async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the shared store answers and a Moov token can be had, so tickets can be filed.
/// Without an account to ask a token for (`MOOV_READY_ACCOUNT_ID`), Moov is not checked.
///
/// Probes are unauthenticated, so the answer names only the dependency that is not ready;
/// what failed (a Redis address, the token endpoint's status) is logged under the answer's
/// `x-request-id`.
pub(super) async fn readyz(State(state): State<AppState>) -> Response {
    match check_ready(&state).await {
        Ok(moov) => Json(json!({ "status": "ready", "moov": moov })).into_response(),
        Err(not_ready) => {
            tracing::warn!(
                dependency = not_ready.dependency(),
                error = %not_ready,
                "not ready"
            );
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": format!("not ready: {}", not_ready.dependency()) })),
            )
                .into_response()
        }
    }
}

/// A dependency `/readyz` found unavailable, with the detail that stays in the log.
#[derive(Debug, thiserror::Error)]
enum NotReady {
    #[error(transparent)]
    Store(crate::store::StoreError),
    #[error(transparent)]
    MoovToken(ApiError),
}

impl NotReady {
    /// What the probe's caller is told.
    fn dependency(&self) -> &'static str {
        match self {
            NotReady::Store(_) => "store",
            NotReady::MoovToken(_) => "moov token endpoint",
        }
    }
}

/// How Moov was checked (`token` or `unchecked`), or what is not ready.
async fn check_ready(state: &AppState) -> Result<&'static str, NotReady> {
    state
        .0
        .store
        .get("moov-support:readyz")
        .await
        .map_err(NotReady::Store)?;
    let Some(account) = state.0.ready_account else {
        return Ok("unchecked");
    };
    state
        .0
        .moov
        .ready(account)
        .await
        .map_err(NotReady::MoovToken)?;
    Ok("token")
}
