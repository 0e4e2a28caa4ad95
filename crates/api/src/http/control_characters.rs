//! Refuses control characters in every text a request brings: JSON strings (and keys), query
//! parameters and path segments. A NUL byte is stored by SQLite and refused by PostgreSQL with an
//! error, and the other control characters have no place in a note, a name or a search either;
//! both databases get the same 400 naming the field instead.
//!
//! Line breaks and tabs (`\n`, `\r`, `\t`) are allowed here, for multi-line notes and
//! descriptions; fields of one line (names, titles, codes) refuse them in the domain. Passwords
//! are exempt: they are secrets of any characters, never stored as text (only their hash).

use poem::http::{StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use serde_json::Value;

use crate::problem::{Problem, ProblemField};

/// A character that no text of the API may hold: C0 controls but tab, line feed and carriage
/// return; DEL; C1 controls.
fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn has_forbidden_control(text: &str) -> bool {
    text.chars().any(is_forbidden_control)
}

/// A name as it can be shown in a problem: without its control characters.
fn printable(name: &str) -> String {
    name.chars().filter(|c| !is_forbidden_control(*c)).collect()
}

/// The middleware: every request passes through before it reaches an operation.
pub struct ControlCharacters;

impl<E: Endpoint> Middleware<E> for ControlCharacters {
    type Output = ControlCharactersEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ControlCharactersEndpoint { inner: ep }
    }
}

pub struct ControlCharactersEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for ControlCharactersEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let mut bad = Vec::new();
        path_fields(req.uri().path(), &mut bad);
        if let Some(query) = req.uri().query() {
            query_fields(query, &mut bad);
        }
        if is_json(&req) {
            let body = req.take_body().into_bytes().await?;
            json_fields(&body, &mut bad);
            req.set_body(body);
        }
        if bad.is_empty() {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let errors = bad
            .into_iter()
            .map(|field| ProblemField {
                field,
                message: "must not contain control characters such as NUL (U+0000); only tabs and line breaks are allowed in text".to_owned(),
            })
            .collect::<Vec<_>>();
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!(
            "{} holds a control character; remove it and send the request again",
            named.join(", ")
        );
        Ok(Problem::new(StatusCode::BAD_REQUEST, detail)
            .with_errors(errors)
            .into_response())
    }
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let essence = v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
}

fn path_fields(path: &str, bad: &mut Vec<String>) {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    if has_forbidden_control(&decoded) {
        bad.push("path".to_owned());
    }
}

fn query_fields(query: &str, bad: &mut Vec<String>) {
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if has_forbidden_control(&name) || has_forbidden_control(&value) {
            let name = printable(&name);
            if !bad.contains(&name) {
                bad.push(name);
            }
        }
    }
}

/// JSON can only carry a control character escaped (`\u0000`, `\b`, `\f`) or, for C1 controls,
/// as their UTF-8 bytes (C2 80 to C2 9F); a body without either is not parsed a second time.
fn may_hold_controls(body: &[u8]) -> bool {
    body.windows(2)
        .any(|w| matches!(w, [b'\\', b'u' | b'b' | b'f'] | [0xC2, 0x80..=0x9F]))
}

fn json_fields(body: &[u8], bad: &mut Vec<String>) {
    if !may_hold_controls(body) {
        return;
    }
    // A body that is not JSON is left to the operation, which explains what is wrong with it.
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        walk(&value, "", bad);
    }
}

/// Fields that hold secrets: any characters, hashed and never stored or shown as text.
const SECRET_FIELDS: [&str; 2] = ["password", "new_password"];

fn walk(value: &Value, at: &str, bad: &mut Vec<String>) {
    match value {
        Value::String(text) if has_forbidden_control(text) => bad.push(if at.is_empty() {
            "body".to_owned()
        } else {
            at.to_owned()
        }),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{at}[{i}]"), bad);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                if SECRET_FIELDS.contains(&key.as_str()) {
                    continue;
                }
                let clean = printable(key);
                let here = if at.is_empty() { clean } else { format!("{at}.{clean}") };
                if has_forbidden_control(key) {
                    bad.push(here.clone());
                }
                walk(item, &here, bad);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of(body: &str) -> Vec<String> {
        let mut bad = Vec::new();
        json_fields(body.as_bytes(), &mut bad);
        bad
    }

    #[test]
    fn names_each_field_with_a_control_character() {
        assert_eq!(fields_of(r#"{"note":"a\u0000b"}"#), ["note"]);
        assert_eq!(
            fields_of(r#"{"entries":[{"note":"ok"},{"note":"bell\u0007"}],"title":"x\b"}"#),
            ["entries[1].note", "title"]
        );
        assert_eq!(fields_of("{\"name\":\"C1 \u{0085} control\"}"), ["name"]);
        assert_eq!(fields_of(r#"{"k\u0001ey":"v"}"#), ["key"]);
        assert_eq!(fields_of(r#""\u001b[31m""#), ["body"]);
        assert!(fields_of(r#"{"email":"a@b.c","password":"\u0000\u0001 any secret"}"#).is_empty());
    }

    #[test]
    fn lets_ordinary_text_through() {
        assert!(fields_of(r#"{"note":"two\nlines\tand a tab, \u00e9t\u00e9, 😀 \\u0000"}"#).is_empty());
        assert!(fields_of(r#"{"note": not json \u0000"#).is_empty());
        assert!(!may_hold_controls(br#"{"quantity":2,"note":"plain"}"#));
    }

    #[test]
    fn checks_query_and_path() {
        let mut bad = Vec::new();
        query_fields("q=gent%00&province=Limburg&x%01=1", &mut bad);
        assert_eq!(bad, ["q", "x"]);
        let mut bad = Vec::new();
        path_fields("/api/v1/materials/flag%00/stock-adjustments", &mut bad);
        assert_eq!(bad, ["path"]);
        let mut bad = Vec::new();
        path_fields("/api/v1/municipalities/44021", &mut bad);
        query_fields("q=sint-niklaas&near=3.7%2C51.0", &mut bad);
        assert!(bad.is_empty());
    }
}
