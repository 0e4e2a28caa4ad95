//! The one error type of the storage layer.

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// A stored value does not satisfy the rules of the domain.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The write would break a uniqueness rule; the text says which.
    #[error("{0}")]
    Conflict(String),
    /// The resource the write is about does not exist; the text says what.
    #[error("{0}")]
    Missing(String),
    /// A value of the write refers to something that does not exist; the text says what.
    #[error("{0}")]
    Unknown(String),
}

/// Maps a unique-constraint violation (the same on SQLite and PostgreSQL) to `Conflict`.
pub(crate) fn conflict_on_unique(err: DbErr, message: impl FnOnce() -> String) -> StoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(message()),
        _ => StoreError::Database(err),
    }
}

/// `From<DbErr>` and `From<StoreError>` for a repository's own error enum, whose `Store`
/// variant carries what the storage layer met.
macro_rules! store_error_conversions {
    ($error:ty) => {
        impl From<sea_orm::DbErr> for $error {
            fn from(e: sea_orm::DbErr) -> Self {
                Self::Store(e.into())
            }
        }

        impl From<$crate::StoreError> for $error {
            fn from(e: $crate::StoreError) -> Self {
                Self::Store(e)
            }
        }
    };
}
pub(crate) use store_error_conversions;
