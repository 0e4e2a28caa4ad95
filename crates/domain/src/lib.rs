//! Pure types and rules of the 11.11.11 campaign backend.
//!
//! This crate owns the vocabulary of the domain (NIS codes, provinces, points, page limits,
//! municipal boundaries and the point-to-municipality index). It does no I/O: it never touches
//! a file, a socket or a database, and it depends on neither sea-orm nor poem.

#[macro_use]
mod vocabulary;

pub mod activity;
pub mod boundaries;
pub mod campaign;
pub mod deposit;
pub mod digest;
pub mod engagement;
pub mod engagement_change;
pub mod entry_check;
pub mod error;
pub mod fund;
pub mod geo_index;
pub mod group;
pub mod ids;
pub mod import;
pub mod initiative;
pub mod inquiry;
pub mod ledger;
pub mod material;
pub mod member_org;
pub mod money;
pub mod municipality;
pub mod municipality_names;
pub mod offer;
pub mod outlines;
pub mod paging;
pub mod point;
pub mod policy;
pub mod programme;
pub mod question;
pub mod training;
pub mod user;
pub mod webhook;

pub use error::{FieldError, ValidationError};
