//! The one error type of the storage layer.

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// A stored value does not satisfy the rules of the domain.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}
