//! The middleware stack on a small API of its own: malformed JSON, wrong content type, field
//! validation, time limit and panics all answer problem+json.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::time::Duration;

use campaign_api::HttpSettings;
use campaign_api::app::with_http_layers;
use campaign_api::http::RequestSchemas;
use campaign_api::problem::ApiError;
use poem::http::StatusCode;
use poem::test::{TestClient, TestResponse};
use poem::{EndpointExt, Route};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, OpenApiService};
use serde_json::{Value, json};

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
struct Echo {
    #[oai(validator(max_length = 5))]
    name: String,
}

struct TestApi;

#[OpenApi]
impl TestApi {
    #[oai(path = "/echo", method = "post")]
    async fn echo(&self, body: Json<Echo>) -> Result<Json<Echo>, ApiError> {
        Ok(body)
    }

    #[oai(path = "/slow", method = "get")]
    async fn slow(&self) -> Json<u8> {
        std::future::pending::<()>().await;
        Json(0)
    }

    #[oai(path = "/panic", method = "get")]
    async fn boom(&self) -> Json<u8> {
        panic!("a bug")
    }
}

const ORIGIN: &str = "https://dashboard.example.org";

fn client() -> TestClient<poem::endpoint::BoxEndpoint<'static>> {
    let http = HttpSettings {
        request_timeout: Duration::from_secs(5),
        cors_origins: vec![ORIGIN.to_owned()],
        ..HttpSettings::default()
    };
    let api = OpenApiService::new(TestApi, "test", "1");
    let schemas = RequestSchemas::new(&api.spec(), "");
    TestClient::new(
        with_http_layers(
            Route::new().nest("/", api),
            &http,
            schemas,
            campaign_api::metrics::Metrics::new().unwrap(),
        )
        .boxed(),
    )
}

async fn problem(resp: TestResponse, status: StatusCode) -> Value {
    resp.assert_status(status);
    resp.assert_content_type("application/problem+json");
    assert!(resp.0.headers().contains_key("x-request-id"));
    let body: Value = serde_json::from_slice(&resp.0.into_body().into_bytes().await.unwrap()).unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let cli = client();
    for body in [
        "{",
        "not json",
        "[1,2]",
        "{\"name\": [5]}",
        "{\"name\": \"ok\", \"extra\": 1}",
        "",
    ] {
        let resp = cli
            .post("/echo")
            .content_type("application/json")
            .body(body)
            .send()
            .await;
        let problem = problem(resp, StatusCode::BAD_REQUEST).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("body"),
            "{body:?}: {problem}"
        );
    }
    let resp = cli.post("/echo").body_json(&json!({ "name": "ok" })).send().await;
    resp.assert_status_is_ok();
}

#[tokio::test]
async fn a_field_over_its_limit_is_named_in_words() {
    let resp = client()
        .post("/echo")
        .body_json(&json!({ "name": "far too long" }))
        .send()
        .await;
    let problem = problem(resp, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 5 characters"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_wrong_content_type_is_a_415_problem() {
    let cli = client();
    let resp = cli
        .post("/echo")
        .content_type("text/plain")
        .body("{\"name\":\"ok\"}")
        .send()
        .await;
    problem(resp, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let resp = cli.post("/echo").body("{\"name\":\"ok\"}").send().await;
    problem(resp, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test(start_paused = true)]
async fn a_request_over_its_time_limit_is_a_503_problem() {
    let resp = client().get("/slow").send().await;
    let problem = problem(resp, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(problem["detail"].as_str().unwrap().contains("5 s"), "{problem}");
}

#[tokio::test]
async fn a_panic_is_a_generic_500_problem() {
    let resp = client().get("/panic").send().await;
    let problem = problem(resp, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert!(
        !problem["detail"].as_str().unwrap().contains("a bug"),
        "internals stay in the log"
    );
}

/// A page on an allowed origin can read every answer, time-outs and panics included.
#[tokio::test(start_paused = true)]
async fn time_outs_and_panics_carry_cors_headers() {
    for (path, status) in [
        ("/slow", StatusCode::SERVICE_UNAVAILABLE),
        ("/panic", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let resp = client().get(path).header("origin", ORIGIN).send().await;
        let allowed = resp
            .0
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        assert_eq!(allowed.as_deref(), Some(ORIGIN), "{path}");
        assert!(resp.0.headers().contains_key("x-request-id"), "{path}");
        problem(resp, status).await;
    }
}
