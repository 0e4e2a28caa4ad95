//! Volunteer groups (comités).

use crate::ValidationError;
use crate::user::parse_text;

/// A group's name: 1 to 120 characters.
pub fn group_name(raw: &str) -> Result<String, ValidationError> {
    parse_text("name", raw, 120)
}
