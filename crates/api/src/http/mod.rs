//! Cross-cutting HTTP behaviour: request ids, logging, time limits, body limits, CORS, the
//! rewriting of every framework error into problem+json, content negotiation (in the document and
//! by `Accept` weights) and CSV answers.

pub mod accept;
mod body_fields;
mod body_limit;
mod client_address;
pub mod compression;
mod control_characters;
pub mod csv_table;
mod errors;
mod negotiated;
pub mod preconditions;
mod rate_limit;
mod rendered_json;
mod request_context;
mod time_limit;

pub use body_fields::{BodySlot, RequestSchemas};
pub use body_limit::BodyLimit;
pub use client_address::{FORWARDED_FOR, TrustedProxies, client_addr_of};
pub use compression::Gzip;
pub use control_characters::ControlCharacters;
pub use errors::to_problem;
pub use negotiated::Negotiated;
pub use rate_limit::{KeyedLimiter, PRUNE_EVERY_CHECKS, RateLimit};
pub use rendered_json::RenderedJson;
pub use request_context::{REQUEST_ID_HEADER, RequestContext, RequestId};
pub use time_limit::TimeLimit;
