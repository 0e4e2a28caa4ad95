//! sea-orm entities: private to the persistence crate.

pub mod municipality;
pub mod municipality_boundary;
