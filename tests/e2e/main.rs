//! End-to-end tests: each runs the real application against SQLite and against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

mod activities;
mod auth;
mod boundaries_import;
mod campaigns;
mod demo;
mod deposits;
mod digest;
mod directory;
mod engagements;
mod fourth_pillar;
mod group_totals;
mod groups;
mod http_skeleton;
mod imports;
mod inquiries;
mod ledger;
mod live;
mod lookup;
mod materials;
mod member_orgs;
mod municipalities;
mod municipality_overview;
mod offers;
mod openapi_contract;
mod outlines;
mod price_lists;
mod public_municipalities;
mod questions;
mod text_input;
mod totals;
mod trainings;
mod users;
mod web_pages;
mod webhooks;

use poem::http::{HeaderMap, Method, StatusCode};
use poem::test::TestResponse;
use serde_json::Value;

pub use campaign_tests::{Backend, Session, TestApp, TestOptions, on_both_databases};

/// A response read whole: status, headers and JSON body (`Null` when not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub async fn read(resp: TestResponse) -> Self {
        let status = resp.0.status();
        let headers = resp.0.headers().clone();
        let bytes = resp.0.into_body().into_bytes().await.expect("read the body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Self { status, headers, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a 2xx-or-other status and returns the body.
    pub fn expect(&self, status: StatusCode) -> &Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        &self.body
    }

    /// Asserts a problem+json answer with this status, and returns it.
    pub fn expect_problem(&self, status: StatusCode) -> &Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.body
        );
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.body);
        assert!(
            self.body["type"].as_str().is_some_and(|t| !t.is_empty()),
            "{}",
            self.body
        );
        assert!(
            self.body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{}",
            self.body
        );
        assert!(
            self.body["detail"].as_str().is_some_and(|t| t.len() > 10),
            "{}",
            self.body
        );
        &self.body
    }

    /// Asserts a 400 validation problem that names `field`.
    pub fn expect_field_error(&self, field: &str) -> &Value {
        let body = self.expect_problem(StatusCode::BAD_REQUEST);
        let named = body["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|e| e["field"] == field));
        assert!(named, "expected an error naming `{field}`: {body}");
        body
    }
}

/// GET as the harness's staff account.
pub async fn get(app: &TestApp, uri: &str) -> Answer {
    get_as(app, &app.staff, uri).await
}

pub async fn get_as(app: &TestApp, session: &Session, uri: &str) -> Answer {
    Answer::read(
        app.client
            .get(uri)
            .header("authorization", session.bearer())
            .send()
            .await,
    )
    .await
}

pub async fn send_as(app: &TestApp, session: &Session, method: Method, uri: &str, body: &Value) -> Answer {
    let request = app
        .client
        .request(method, uri)
        .header("authorization", session.bearer())
        .body_json(body);
    Answer::read(request.send().await).await
}

pub async fn post_as(app: &TestApp, session: &Session, uri: &str, body: &Value) -> Answer {
    send_as(app, session, Method::POST, uri, body).await
}

pub async fn patch_as(app: &TestApp, session: &Session, uri: &str, body: &Value) -> Answer {
    send_as(app, session, Method::PATCH, uri, body).await
}
