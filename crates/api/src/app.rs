//! The one application builder, used by `campaign serve` and by every test.

use poem::middleware::{CatchPanic, Cors};
use poem::{Endpoint, EndpointExt, Response, Route, get};
use poem_openapi::{OpenApi, OpenApiService};

use crate::http::{BodyLimit, REQUEST_ID_HEADER, RequestContext};
use crate::routes::health::{healthz, readyz};
use crate::routes::municipalities::MunicipalitiesApi;
use crate::state::AppState;
use campaign_persistence::municipalities::MunicipalityRepo;

pub const API_PREFIX: &str = "/api/v1";

/// The OpenAPI service with every operation of `/api/v1`.
pub fn api_service(state: &AppState) -> OpenApiService<impl OpenApi + 'static, ()> {
    let municipalities = MunicipalitiesApi {
        repo: MunicipalityRepo::new(state.db.clone()),
        geo: state.geo.clone(),
    };
    OpenApiService::new(
        municipalities,
        "11.11.11 campaign API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Coordinates 11.11.11's November campaign in Flanders and Brussels: volunteer groups, \
             their activities and money, material requests of municipalities, and totals. \
             Errors are application/problem+json (RFC 9457).",
    )
    .server(API_PREFIX)
}

/// The whole HTTP application: API, spec, docs, health checks and the middleware stack.
pub fn app(state: AppState) -> impl Endpoint<Output = Response> {
    let api = api_service(&state);
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let routes = Route::new()
        .at(format!("{API_PREFIX}/openapi.json"), spec)
        .nest(API_PREFIX, api)
        .nest("/docs", docs)
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz));

    let cors = (!state.http.cors_origins.is_empty()).then(|| {
        Cors::new()
            .allow_origins(state.http.cors_origins.iter().map(String::as_str))
            .allow_methods(["GET", "POST", "PATCH", "DELETE", "OPTIONS"])
            .allow_headers(["authorization", "content-type", "idempotency-key", "accept"])
            .expose_headers([REQUEST_ID_HEADER, "retry-after", "etag"])
            .max_age(600)
    });
    let timeout = state.http.request_timeout;
    let max_body_bytes = state.http.max_body_bytes;
    routes
        .with_if(cors.is_some(), cors.unwrap_or_default())
        .with(BodyLimit {
            max_bytes: max_body_bytes,
        })
        .with(CatchPanic::new())
        .data(state)
        .with(RequestContext { timeout })
}
