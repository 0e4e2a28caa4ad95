//! Names the fields of a JSON body that do not fit the operation's schema.
//!
//! poem-openapi reports a body that fails to parse without saying which field was wrong
//! ("invalid integer"). When that happens, the body is checked here against the request schema
//! of the operation from our own OpenAPI document, and every field that does not fit is named
//! with what would be accepted.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::problem::ProblemField;

/// Where the body limit leaves a copy of the request body for the error path.
#[derive(Clone, Default)]
pub struct BodySlot(pub Arc<Mutex<Option<Bytes>>>);

impl BodySlot {
    pub fn put(&self, bytes: Bytes) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(bytes);
        }
    }

    pub fn take(&self) -> Option<Bytes> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// The request-body schemas of the API, from its OpenAPI document.
pub struct RequestSchemas {
    spec: Value,
    prefix: String,
}

impl RequestSchemas {
    pub fn new(spec_json: &str, prefix: &str) -> Self {
        Self {
            spec: serde_json::from_str(spec_json).unwrap_or(Value::Null),
            prefix: prefix.to_owned(),
        }
    }

    /// Every field of `body` that does not fit the schema of `method path`.
    pub fn field_errors(&self, method: &str, path: &str, body: &[u8]) -> Vec<ProblemField> {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return Vec::new();
        };
        let Some(schema) = self.body_schema(method, path) else {
            return Vec::new();
        };
        let mut errors = Vec::new();
        self.check(&schema, &value, "", &mut errors);
        errors
    }

    /// The methods allowed on `path`, for the `Allow` header of a 405: those of its operations
    /// (with HEAD where GET is, as the router answers it), and `GET, HEAD` for the routes outside
    /// the operations (the document, docs, health checks, metrics), which only read.
    pub fn allowed_methods(&self, path: &str) -> String {
        const METHODS: [&str; 7] = ["get", "head", "post", "put", "patch", "delete", "options"];
        let Some(item) = self.path_item(path).and_then(Value::as_object) else {
            return "GET, HEAD".to_owned();
        };
        let mut allowed: Vec<&str> = METHODS.into_iter().filter(|m| item.contains_key(*m)).collect();
        if allowed.contains(&"get") && !allowed.contains(&"head") {
            allowed.insert(1, "head");
        }
        allowed.join(", ").to_uppercase()
    }

    /// The document's path item that serves `path`: of the templates that fit, the most specific
    /// (a literal segment before a parameter, as the router decides: `/municipalities/lookup`
    /// over `/municipalities/{nis}`).
    fn path_item(&self, path: &str) -> Option<&Value> {
        let path = path.strip_prefix(&self.prefix)?;
        let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let paths = self.spec.get("paths")?.as_object()?;
        paths
            .iter()
            .filter_map(|(template, item)| {
                let parts: Vec<&str> = template.trim_end_matches('/').split('/').collect();
                let fits =
                    parts.len() == wanted.len() && parts.iter().zip(&wanted).all(|(t, w)| t.starts_with('{') || t == w);
                let literals: Vec<bool> = parts.iter().map(|t| !t.starts_with('{')).collect();
                fits.then_some((literals, item))
            })
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, item)| item)
    }

    fn body_schema(&self, method: &str, path: &str) -> Option<Value> {
        let item = self.path_item(path)?;
        let content = item.get(method.to_lowercase())?.get("requestBody")?.get("content")?;
        content
            .get("application/json; charset=utf-8")
            .or_else(|| content.get("application/json"))?
            .get("schema")
            .cloned()
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let reference = schema.get("$ref").and_then(Value::as_str).or_else(|| {
            schema
                .get("allOf")
                .and_then(Value::as_array)
                .and_then(|all| all.first())
                .and_then(|s| s.get("$ref"))
                .and_then(Value::as_str)
        });
        match reference.and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(name) => self
                .spec
                .pointer(&format!("/components/schemas/{name}"))
                .unwrap_or(schema),
            None => schema,
        }
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<ProblemField>) {
        let schema = self.resolve(schema);
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            let Some(object) = value.as_object() else {
                errors.push(ProblemField {
                    field: if at.is_empty() { "body".into() } else { at.into() },
                    message: "must be a JSON object".into(),
                });
                return;
            };
            self.check_object(schema, properties, object, at, errors);
            return;
        }
        let expected = describe(schema);
        let fits = match schema.get("type").and_then(Value::as_str) {
            Some("integer") => value.as_i64().is_some_and(|n| {
                (schema.get("format").and_then(Value::as_str) != Some("int32") || i32::try_from(n).is_ok())
                    && within(schema, n as f64)
            }),
            Some("number") => value.as_f64().is_some_and(|n| within(schema, n)),
            Some("boolean") => value.is_boolean(),
            Some("string") => value.as_str().is_some_and(|s| string_fits(schema, s)),
            Some("array") => match value.as_array() {
                Some(items) => {
                    if let Some(item_schema) = schema.get("items") {
                        for (i, item) in items.iter().enumerate() {
                            self.check(item_schema, item, &format!("{at}[{i}]"), errors);
                        }
                    }
                    count_fits(schema, "minItems", "maxItems", items.len())
                }
                None => false,
            },
            _ => true,
        };
        if !fits {
            errors.push(ProblemField {
                field: if at.is_empty() { "body".into() } else { at.to_owned() },
                message: format!("must be {expected}"),
            });
        }
    }

    fn check_object(
        &self,
        schema: &Value,
        properties: &Map<String, Value>,
        object: &Map<String, Value>,
        at: &str,
        errors: &mut Vec<ProblemField>,
    ) {
        let name = |field: &str| {
            if at.is_empty() {
                field.to_owned()
            } else {
                format!("{at}.{field}")
            }
        };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for field in &required {
            if object.get(*field).is_none_or(Value::is_null) {
                errors.push(ProblemField {
                    field: name(field),
                    message: "is required".into(),
                });
            }
        }
        for (field, value) in object {
            match properties.get(field) {
                Some(_) if value.is_null() => {}
                Some(property) => self.check(property, value, &name(field), errors),
                None => errors.push(ProblemField {
                    field: name(field),
                    message: format!(
                        "is not a field of this request; known fields: {}",
                        properties.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                }),
            }
        }
    }
}

/// A number of the schema's `minimum`/`maximum` (a bound given as a JSON number).
fn bound(schema: &Value, name: &str) -> Option<f64> {
    schema.get(name).and_then(Value::as_f64)
}

/// Whether `exclusiveMinimum`/`exclusiveMaximum` is set (OpenAPI 3.0: a flag beside the bound).
fn exclusive(schema: &Value, name: &str) -> bool {
    schema.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn within(schema: &Value, n: f64) -> bool {
    let above = bound(schema, "minimum").is_none_or(|min| {
        if exclusive(schema, "exclusiveMinimum") {
            n > min
        } else {
            n >= min
        }
    });
    let below = bound(schema, "maximum").is_none_or(|max| {
        if exclusive(schema, "exclusiveMaximum") {
            n < max
        } else {
            n <= max
        }
    });
    above && below
}

fn count_fits(schema: &Value, min: &str, max: &str, count: usize) -> bool {
    let limit = |name: &str| schema.get(name).and_then(Value::as_u64);
    let count = count as u64;
    limit(min).is_none_or(|m| count >= m) && limit(max).is_none_or(|m| count <= m)
}

fn string_fits(schema: &Value, s: &str) -> bool {
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        return options.iter().any(|o| o.as_str() == Some(s));
    }
    let format_fits = match schema.get("format").and_then(Value::as_str) {
        Some("date" | "naive-date") => s.parse::<chrono::NaiveDate>().is_ok(),
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        Some("uuid") => uuid::Uuid::parse_str(s).is_ok(),
        _ => true,
    };
    format_fits && count_fits(schema, "minLength", "maxLength", s.chars().count())
}

/// A bound as written in the schema: `1000`, not `1000.0`.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The range of a number field in words, from its schema (`from 1 to 1000`), if it has one.
fn range(schema: &Value) -> Option<String> {
    let min = bound(schema, "minimum").map(|m| (exclusive(schema, "exclusiveMinimum"), number(m)));
    let max = bound(schema, "maximum").map(|m| (exclusive(schema, "exclusiveMaximum"), number(m)));
    if let (Some((false, min)), Some((false, max))) = (&min, &max) {
        return Some(format!("from {min} to {max}"));
    }
    let parts: Vec<String> = [
        min.map(|(open, m)| format!("{} {m}", if open { "greater than" } else { "at least" })),
        max.map(|(open, m)| format!("{} {m}", if open { "less than" } else { "at most" })),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// A count limit in words (`of at most 200 characters`), from `min`/`max` of the schema.
fn counted(schema: &Value, min: &str, max: &str, unit: &str) -> String {
    let limit = |name: &str| schema.get(name).and_then(Value::as_u64);
    match (limit(min), limit(max)) {
        (Some(min), Some(max)) => format!(" of {min} to {max} {unit}"),
        (Some(min), None) => format!(" of at least {min} {unit}"),
        (None, Some(max)) => format!(" of at most {max} {unit}"),
        (None, None) => String::new(),
    }
}

/// What a field of this schema accepts, in words, from its type, format, bounds and values.
fn describe(schema: &Value) -> String {
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
        return format!("one of: {}", names.join(", "));
    }
    let format = schema.get("format").and_then(Value::as_str);
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => match (range(schema), format) {
            (Some(range), _) => format!("a whole number {range}"),
            (None, Some("int32")) => "a whole number from -2147483648 to 2147483647".into(),
            (None, _) => "a whole number (no decimals, no quotes)".into(),
        },
        Some("number") => match range(schema) {
            Some(range) => format!("a number {range}"),
            None => "a number".into(),
        },
        Some("boolean") => "true or false".into(),
        Some("string") => match format {
            Some("date" | "naive-date") => "a date as YYYY-MM-DD, e.g. 2026-11-11".into(),
            Some("date-time") => "a time in RFC 3339, e.g. 2026-11-11T19:30:00+01:00".into(),
            Some("uuid") => "a UUID such as 0b7e9a4c-3f1d-4c2a-9d5e-1a2b3c4d5e6f".into(),
            _ => format!("a string{}", counted(schema, "minLength", "maxLength", "characters")),
        },
        Some("array") => format!("a list{}", counted(schema, "minItems", "maxItems", "items")),
        Some("object") => "a JSON object".into(),
        _ => "a valid value".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"{
      "paths": { "/things/{id}": { "post": { "requestBody": { "content": { "application/json; charset=utf-8": {
        "schema": { "$ref": "#/components/schemas/Thing" } } } } } } },
      "components": { "schemas": { "Thing": { "type": "object", "required": ["count", "kind"], "properties": {
        "count": { "type": "integer", "format": "int64" },
        "quantity": { "type": "integer", "format": "int64", "minimum": 1, "maximum": 1000 },
        "share": { "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1 },
        "code": { "type": "string", "maxLength": 4 },
        "kind": { "type": "string", "enum": ["a", "b"] },
        "on": { "type": "string", "format": "date" },
        "tags": { "type": "array", "items": { "type": "string" } },
        "ok": { "type": "boolean" } } } } }
    }"##;

    fn fields(body: &str) -> Vec<(String, String)> {
        RequestSchemas::new(SPEC, "/api/v1")
            .field_errors("POST", "/api/v1/things/7", body.as_bytes())
            .into_iter()
            .map(|f| (f.field, f.message))
            .collect()
    }

    #[test]
    fn names_each_field_that_does_not_fit() {
        let found =
            fields(r#"{"count": 1.5, "kind": "c", "on": "31/12/2026", "tags": ["x", 3], "ok": "yes", "extra": 1}"#);
        let names: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, ["count", "extra", "kind", "ok", "on", "tags[1]"], "{found:?}");
        assert!(found[2].1.contains("one of: a, b"));
        assert_eq!(
            fields(r#"{"kind": "a"}"#),
            [("count".to_owned(), "is required".to_owned())]
        );
        assert!(fields(r#"{"count": 1, "kind": "a"}"#).is_empty());
        assert!(fields("not json").is_empty());
        assert!(
            RequestSchemas::new(SPEC, "/api/v1")
                .field_errors("POST", "/api/v1/other", b"{}")
                .is_empty()
        );
    }

    #[test]
    fn messages_say_what_the_schema_expects() {
        let message = |body: &str| fields(body).into_iter().map(|(_, m)| m).collect::<Vec<_>>();
        let expects = "must be a whole number from 1 to 1000";
        for quantity in ["\"three\"", "2.5", "0", "1001", "true"] {
            assert_eq!(
                message(&format!(r#"{{"count": 1, "kind": "a", "quantity": {quantity}}}"#)),
                [expects],
                "{quantity}"
            );
        }
        assert!(message(r#"{"count": 1, "kind": "a", "quantity": 1000}"#).is_empty());
        assert_eq!(
            message(r#"{"count": "1", "kind": "a"}"#),
            ["must be a whole number (no decimals, no quotes)"]
        );
        assert_eq!(
            message(r#"{"count": 1, "kind": "a", "share": 0}"#),
            ["must be a number greater than 0 and at most 1"]
        );
        assert_eq!(
            message(r#"{"count": 1, "kind": "a", "code": "toolong"}"#),
            ["must be a string of at most 4 characters"]
        );
        assert!(message(r#"{"count": 1, "kind": "a", "code": "okay"}"#).is_empty());
    }

    #[test]
    fn allow_lists_the_methods_of_the_most_specific_route() {
        let spec = r#"{ "paths": {
          "/things": { "get": {}, "post": {} },
          "/things/{id}": { "get": {}, "patch": {} },
          "/things/lookup": { "get": {} },
          "/things/{id}/approve": { "post": {} } } }"#;
        let schemas = RequestSchemas::new(spec, "/api/v1");
        assert_eq!(schemas.allowed_methods("/api/v1/things"), "GET, HEAD, POST");
        assert_eq!(schemas.allowed_methods("/api/v1/things/7"), "GET, HEAD, PATCH");
        assert_eq!(schemas.allowed_methods("/api/v1/things/lookup"), "GET, HEAD");
        assert_eq!(schemas.allowed_methods("/api/v1/things/7/approve"), "POST");
        assert_eq!(schemas.allowed_methods("/api/v1/openapi.json"), "GET, HEAD");
        assert_eq!(schemas.allowed_methods("/healthz"), "GET, HEAD");
    }
}
