//! Refuses bodies over the limit with 413, whether they come with a Content-Length or chunked.
//!
//! poem's `SizeLimit` trusts Content-Length only (and answers 411 without it); this reads the
//! body itself, up to the limit, so a chunked upload cannot exceed it either.

use poem::error::ReadBodyError;
use poem::http::{StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::problem::Problem;

pub struct BodyLimit {
    pub max_bytes: usize,
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        BodyLimitEndpoint {
            inner: ep,
            max_bytes: self.max_bytes,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: usize,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let too_large = || {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is larger than {} bytes; send less in one request",
                    self.max_bytes
                ),
            )
            .into_response()
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.max_bytes as u64) {
            return Ok(too_large());
        }
        let body = req.take_body();
        if !body.is_empty() {
            match body.into_bytes_limit(self.max_bytes).await {
                Ok(bytes) => {
                    if let Some(slot) = req.extensions().get::<super::BodySlot>() {
                        slot.put(bytes.clone());
                    }
                    req.set_body(bytes)
                }
                Err(ReadBodyError::PayloadTooLarge) => return Ok(too_large()),
                Err(e) => {
                    return Ok(Problem::new(
                        StatusCode::BAD_REQUEST,
                        format!("the request body could not be read: {e}"),
                    )
                    .into_response());
                }
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
