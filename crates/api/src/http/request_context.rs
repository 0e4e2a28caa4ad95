//! The outermost layer: gives each request an id and a tracing span, logs its outcome once, and
//! makes sure every error answer is problem+json. (The time limit is `TimeLimit`, inside CORS.)

use std::sync::Arc;
use std::time::Instant;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tracing::Instrument;

use super::errors::{rewrite_response, to_problem};
use super::{BodySlot, RequestSchemas};
use crate::metrics::Metrics;
use poem_openapi::OperationId;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request, in the request's extensions (for audit records).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub struct RequestContext {
    /// To name the bad fields of a body that does not parse.
    pub schemas: Arc<RequestSchemas>,
    pub metrics: Arc<Metrics>,
}

impl<E: Endpoint> Middleware<E> for RequestContext {
    type Output = RequestContextEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestContextEndpoint {
            inner: ep,
            schemas: self.schemas.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

pub struct RequestContextEndpoint<E> {
    inner: E,
    schemas: Arc<RequestSchemas>,
    metrics: Arc<Metrics>,
}

/// Reuses a caller's id when it is short and plain, so a trace can cross services.
fn incoming_id(req: &Request) -> Option<String> {
    let id = req.headers().get(REQUEST_ID_HEADER)?.to_str().ok()?;
    let plain =
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    plain.then(|| id.to_owned())
}

impl<E: Endpoint> Endpoint for RequestContextEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let started = Instant::now();
        let id = incoming_id(&req).unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        req.extensions_mut().insert(RequestId(id.clone()));
        let body = BodySlot::default();
        req.extensions_mut().insert(body.clone());
        let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);

        let outcome = self.inner.call(req).instrument(span.clone()).await;
        let mut operation: Option<&'static str> = None;
        let mut resp = match outcome {
            Ok(resp) => {
                let resp = resp.into_response();
                operation = resp.data::<OperationId>().map(|id| id.0);
                rewrite_response(resp, &method, &path)
            }
            Err(err) => span.in_scope(|| {
                operation = err.data::<OperationId>().map(|id| id.0);
                to_problem(err, &method, &path, || {
                    body.take()
                        .map(|b| self.schemas.field_errors(method.as_str(), &path, &b))
                        .unwrap_or_default()
                })
            }),
        };
        if let Ok(value) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        // RFC 9110: a 405 lists the methods the resource supports.
        if resp.status() == StatusCode::METHOD_NOT_ALLOWED
            && !resp.headers().contains_key(header::ALLOW)
            && let Ok(value) = HeaderValue::from_str(&self.schemas.allowed_methods(&path))
        {
            resp.headers_mut().insert(header::ALLOW, value);
        }
        let status = resp.status();
        let elapsed = started.elapsed().as_secs_f64();
        let duration_ms = elapsed * 1000.0;
        let label = operation.unwrap_or_else(|| crate::metrics::route_label(&path));
        self.metrics.observe(label, method.as_str(), status.as_u16(), elapsed);
        span.in_scope(|| {
            if status.is_server_error() {
                tracing::error!(status = status.as_u16(), duration_ms, "request failed");
            } else {
                tracing::info!(status = status.as_u16(), duration_ms, "request");
            }
        });
        Ok(resp)
    }
}
