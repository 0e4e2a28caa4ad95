//! The time limit of a request: past it, the request is abandoned (its transaction rolls back)
//! and answered 503. It sits inside CORS, so a browser can read that answer too.

use std::time::Duration;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::problem::Problem;

pub struct TimeLimit {
    pub timeout: Duration,
}

impl<E: Endpoint> Middleware<E> for TimeLimit {
    type Output = TimeLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        TimeLimitEndpoint {
            inner: ep,
            timeout: self.timeout,
        }
    }
}

pub struct TimeLimitEndpoint<E> {
    inner: E,
    timeout: Duration,
}

impl<E: Endpoint> Endpoint for TimeLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        match tokio::time::timeout(self.timeout, self.inner.call(req)).await {
            Ok(outcome) => outcome.map(IntoResponse::into_response),
            Err(_) => {
                tracing::warn!(timeout_s = self.timeout.as_secs(), "request timed out");
                Ok(Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "the request took longer than {} s and was stopped; nothing of it was kept, try again",
                        self.timeout.as_secs()
                    ),
                )
                .into_response())
            }
        }
    }
}
