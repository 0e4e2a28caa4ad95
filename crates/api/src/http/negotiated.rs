//! Content negotiation in the OpenAPI document: one status code, several content types.

use poem::http::{HeaderValue, header};
use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaResponse, MetaResponses, Registry};

/// An answer whose variants share a status code and differ in content type (chosen by `Accept`),
/// documented as one response with each content type.
///
/// `#[derive(ApiResponse)]` documents each variant as a response of its own, so two variants
/// with status 200 put the key `"200"` twice in the document: every JSON reader keeps only the
/// last, and clients and checkers never learn about the other content type.
pub struct Negotiated<T>(pub T);

impl<T: ApiResponse> ApiResponse for Negotiated<T> {
    fn meta() -> MetaResponses {
        let mut merged: Vec<MetaResponse> = Vec::new();
        for response in T::meta().responses {
            let same = merged
                .iter_mut()
                .find(|m| m.status == response.status && m.status_range == response.status_range);
            match same {
                Some(first) => {
                    // The first variant's description stays: it names the alternatives.
                    first.content.extend(response.content);
                    for header in response.headers {
                        if !first.headers.iter().any(|h| h.name.eq_ignore_ascii_case(&header.name)) {
                            first.headers.push(header);
                        }
                    }
                }
                None => merged.push(response),
            }
        }
        MetaResponses { responses: merged }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: IntoResponse> IntoResponse for Negotiated<T> {
    /// The variant's answer, marked as depending on `Accept` for caches.
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept"));
        response
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::payload::{Json, PlainText};
    use poem_openapi::{ApiResponse, Object};

    use super::*;

    #[derive(Object)]
    struct Body {
        n: i32,
    }

    #[derive(ApiResponse)]
    enum TwoWays {
        /// As JSON, or as CSV with `Accept: text/csv`.
        #[oai(status = 200)]
        Json(Json<Body>),
        /// As CSV.
        #[oai(status = 200, content_type = "text/csv")]
        Csv(PlainText<String>),
        /// Gone.
        #[oai(status = 404)]
        Gone,
    }

    #[test]
    fn variants_with_one_status_are_one_response_with_each_content_type() {
        let responses = <Negotiated<TwoWays> as ApiResponse>::meta().responses;
        let statuses: Vec<_> = responses.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Some(200), Some(404)]);
        let types: Vec<_> = responses[0].content.iter().map(|c| c.content_type).collect();
        assert_eq!(types, ["application/json; charset=utf-8", "text/csv"]);
        assert_eq!(responses[0].description, "As JSON, or as CSV with `Accept: text/csv`.");
    }

    #[test]
    fn the_answer_is_the_variants() {
        let answer = |variant| Negotiated(variant).into_response();
        let json = answer(TwoWays::Json(Json(Body { n: 1 })));
        assert_eq!(json.content_type(), Some("application/json; charset=utf-8"));
        let csv = answer(TwoWays::Csv(PlainText("n\r\n1\r\n".to_owned())));
        assert_eq!(csv.content_type(), Some("text/csv"));
        assert_eq!(answer(TwoWays::Gone).status(), poem::http::StatusCode::NOT_FOUND);
        assert_eq!(
            csv.headers().get(header::VARY).and_then(|v| v.to_str().ok()),
            Some("accept")
        );
    }
}
