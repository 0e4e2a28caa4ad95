//! A JSON answer written by serde straight into bytes, for large answers made mostly of JSON text
//! kept as it is (the campaign map's boundaries). poem-openapi's `Json` builds a
//! `serde_json::Value` tree of the whole answer first, which for the map's 1.4 MB cost more than
//! its database reads. The OpenAPI document still shows `T`'s schema.

use std::marker::PhantomData;

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::Serialize;

const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// `T` written as JSON.
pub struct RenderedJson<T> {
    body: Vec<u8>,
    schema: PhantomData<fn() -> T>,
}

impl<T: Serialize> RenderedJson<T> {
    /// `value` written as JSON; an error only if one of its parts cannot be (a map with
    /// non-string keys, say), which the types used here rule out.
    pub fn new(value: &T) -> Result<Self, serde_json::Error> {
        Ok(Self {
            body: serde_json::to_vec(value)?,
            schema: PhantomData,
        })
    }
}

impl<T: Type> Payload for RenderedJson<T> {
    const CONTENT_TYPE: &'static str = CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T> IntoResponse for RenderedJson<T> {
    fn into_response(self) -> Response {
        Response::builder().content_type(CONTENT_TYPE).body(self.body)
    }
}
