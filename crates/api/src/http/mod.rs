//! Cross-cutting HTTP behaviour: request ids, logging, time limits, body limits, CORS, and the
//! rewriting of every framework error into problem+json.

mod body_fields;
mod body_limit;
mod errors;
mod rate_limit;
mod request_context;

pub use body_fields::{BodySlot, RequestSchemas};
pub use body_limit::BodyLimit;
pub use errors::to_problem;
pub use rate_limit::WriteRateLimit;
pub use request_context::{REQUEST_ID_HEADER, RequestContext, RequestId};
