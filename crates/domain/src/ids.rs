//! Typed identifiers, so a group id can never be passed where a user id is expected.

use std::fmt;

use uuid::Uuid;

use crate::ValidationError;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses a UUID sent by a client; the error names `field`.
            pub fn parse_field(field: &str, raw: &str) -> Result<Self, ValidationError> {
                Uuid::parse_str(raw).map(Self).map_err(|_| {
                    ValidationError::single(field, "must be a UUID such as 0b7e9a4c-3f1d-4c2a-9d5e-1a2b3c4d5e6f")
                })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// An account.
    UserId
);
typed_id!(
    /// A volunteer group (comité).
    GroupId
);
typed_id!(
    /// One of 11.11.11's member organisations.
    MemberOrgId
);
typed_id!(
    /// A 4th-pillar citizen initiative.
    InitiativeId
);
