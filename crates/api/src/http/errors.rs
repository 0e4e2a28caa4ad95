//! Turns any error that reaches the top of the stack into problem+json.
//!
//! Errors of our own operations already are problem+json and pass untouched. Framework
//! rejections (unknown route, wrong method, unparsable parameter or body, wrong content type,
//! a panic) get a body that says what was wrong and how to fix it.

use poem::error::{MethodNotAllowedError, NotFoundError};
use poem::http::{Method, StatusCode, header};
use poem::{Error, Response};
use poem_openapi::error::{
    AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};

use crate::problem::{PROBLEM_JSON, Problem, ProblemField};

/// Converts an error raised while handling `method path` into a problem response.
pub fn to_problem(
    err: Error,
    method: &Method,
    path: &str,
    body_fields: impl FnOnce() -> Vec<ProblemField>,
) -> Response {
    let status = err.status();
    let problem = if let Some(e) = err.downcast_ref::<ParseParamError>() {
        let message = explain(&e.reason);
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("parameter `{}` is not valid: {message}", e.name),
        )
        .with_errors(vec![ProblemField {
            field: e.name.to_owned(),
            message,
        }])
    } else if let Some(e) = err.downcast_ref::<ParsePathError>() {
        Problem::new(StatusCode::BAD_REQUEST, format!("the path {path} is not valid: {e}"))
    } else if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        // Each field that does not fit, with what it expects, from the operation's schema; the
        // framework's own text only when the schema finds nothing (e.g. malformed JSON).
        let mut fields = body_fields();
        if fields.is_empty()
            && let Some(field) = body_field(&e.reason)
        {
            fields.push(ProblemField {
                field,
                message: explain(&e.reason),
            });
        }
        if fields.is_empty() {
            Problem::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "the request body is not valid for this operation: {}; see /api/v1/openapi.json for its schema",
                    explain(&e.reason)
                ),
            )
        } else {
            let named: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
            Problem::new(
                StatusCode::BAD_REQUEST,
                format!("the request body is not valid: {}", named.join("; ")),
            )
            .with_errors(fields)
        }
    } else if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("{e}; send the body as application/json"),
        )
    } else if err.is::<AuthorizationError>() {
        let mut resp = Problem::new(
            StatusCode::UNAUTHORIZED,
            "this operation needs `Authorization: Bearer <access token>`; get one from POST /api/v1/auth/login",
        )
        .into_response();
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, poem::http::HeaderValue::from_static("Bearer"));
        return resp;
    } else if err.is::<NotFoundError>() {
        Problem::new(
            StatusCode::NOT_FOUND,
            format!("there is no route {path}; the routes are listed in /api/v1/openapi.json"),
        )
    } else if err.is::<MethodNotAllowedError>() {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}; see /api/v1/openapi.json"),
        )
    } else if err.is_from_response() {
        // Already a complete answer, from one of our operations.
        return rewrite_response(err.into_response(), method, path);
    } else if status.is_server_error() {
        tracing::error!(error = %err, "unhandled error");
        Problem::new(
            status,
            "something went wrong on our side; quote the x-request-id header when you report it",
        )
    } else {
        Problem::new(status, err.to_string())
    };
    problem.into_response()
}

/// Gives an error response that is not problem+json (a panic, a CORS refusal) a problem body.
pub fn rewrite_response(resp: Response, method: &Method, path: &str) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) || is_problem(&resp) {
        return resp;
    }
    let detail = match status {
        StatusCode::FORBIDDEN => format!("{method} {path} is refused for this origin or caller"),
        StatusCode::NOT_FOUND => {
            format!("there is no route {path}; the routes are listed in /api/v1/openapi.json")
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("{method} is not allowed on {path}; see /api/v1/openapi.json")
        }
        s if s.is_server_error() => {
            tracing::error!(status = s.as_u16(), "error response without a problem body");
            "something went wrong on our side; quote the x-request-id header when you report it".to_owned()
        }
        s => s.canonical_reason().unwrap_or("the request was refused").to_owned(),
    };
    let mut answer = Problem::new(status, detail).into_response();
    for (name, value) in resp.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}

fn is_problem(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// Rewrites poem-openapi's validator notation (`verification failed. maxLength(100)`) in words.
fn explain(reason: &str) -> String {
    const MARK: &str = "verification failed. ";
    let Some(at) = reason.find(MARK) else {
        return reason.to_owned();
    };
    let rule = &reason[at + MARK.len()..];
    let arg = |name: &str| {
        rule.strip_prefix(name)
            .and_then(|r| r.split([',', ')']).next())
            .map(str::trim)
    };
    let words = if let Some(n) = arg("maxLength(") {
        format!("must be at most {n} characters long")
    } else if let Some(n) = arg("minLength(") {
        format!("must be at least {n} characters long")
    } else if let Some(n) = arg("maximum(") {
        if rule.contains("exclusive: true") {
            format!("must be less than {n}")
        } else {
            format!("must be at most {n}")
        }
    } else if let Some(n) = arg("minimum(") {
        if rule.contains("exclusive: true") {
            format!("must be more than {n}")
        } else {
            format!("must be at least {n}")
        }
    } else if let Some(n) = arg("maxItems(") {
        format!("must have at most {n} items")
    } else if let Some(n) = arg("minItems(") {
        format!("must have at least {n} items")
    } else if let Some(p) = arg("pattern(") {
        format!("must match the pattern {p}")
    } else {
        format!("does not satisfy {rule}")
    };
    format!("{}{words}", &reason[..at])
}

/// The body field a poem-openapi parse error names (`field `name` ...`), if any.
fn body_field(reason: &str) -> Option<String> {
    let start = reason.find("field `")? + "field `".len();
    let len = reason[start..].find('`')?;
    Some(reason[start..start + len].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_notation_is_put_in_words() {
        assert_eq!(
            explain("verification failed. minimum(1, exclusive: false)"),
            "must be at least 1"
        );
        assert_eq!(
            explain("verification failed. maximum(500, exclusive: false)"),
            "must be at most 500"
        );
        assert_eq!(
            explain("failed to parse \"X\": field `title` verification failed. maxLength(200)"),
            "failed to parse \"X\": field `title` must be at most 200 characters long"
        );
        assert_eq!(explain("not a number"), "not a number");
        assert_eq!(
            body_field("failed to parse \"X\": field `title` verification failed."),
            Some("title".to_owned())
        );
        assert_eq!(body_field("expected value at line 1"), None);
    }
}
