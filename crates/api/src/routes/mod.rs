//! One file per resource; each holds one `#[OpenApi]` struct and its request/answer types.

pub mod health;
pub mod municipalities;
pub mod pagination;

use poem_openapi::Tags;

#[derive(Tags)]
pub enum ApiTags {
    /// The registry of municipalities of Flanders and Brussels, and point lookup
    Municipalities,
}
