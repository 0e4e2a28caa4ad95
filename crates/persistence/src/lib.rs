//! Storage of the campaign backend: connecting, migrating, and one repository per resource.
//!
//! SQL lives here and nowhere else. Repositories take and give domain types; sea-orm entities
//! stay inside this crate. Every write that must change together happens in one transaction.

mod connect;
mod entities;
mod error;
pub mod municipalities;

pub use connect::{Backend, connect, migrate};
pub use error::StoreError;
pub use sea_orm::DatabaseConnection;
