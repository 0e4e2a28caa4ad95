//! Volunteer groups (comités).

use crate::ValidationError;
use crate::user::parse_text;

/// A group's name: 1 to 120 characters.
pub fn group_name(raw: &str) -> Result<String, ValidationError> {
    parse_text("name", raw, 120)
}

/// Why a deactivated group's money write (an entry, a batch, a correction) is refused: it names
/// the group and the way out.
pub fn inactive_for_money(name: &str, id: impl std::fmt::Display) -> String {
    format!(
        "group {name} ({id}) is deactivated: it cannot log or correct money; staff can reactivate it with PATCH /api/v1/groups/{id} {{\"active\": true}}"
    )
}
