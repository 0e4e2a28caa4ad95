//! Page sizes of list endpoints: `?limit=` defaults to 50 and is at most 500.

use crate::ValidationError;

/// How many items one page of a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(u16);

impl PageLimit {
    pub const DEFAULT: u16 = 50;
    pub const MAX: u16 = 500;

    pub fn parse(raw: Option<i64>) -> Result<Self, ValidationError> {
        Self::parse_at_most(raw, Self::MAX)
    }

    /// A page of at most `max` items (a list with a tighter bound than `MAX`).
    pub fn parse_at_most(raw: Option<i64>, max: u16) -> Result<Self, ValidationError> {
        match raw {
            None => Ok(Self(Self::DEFAULT.min(max))),
            Some(n) if (1..=i64::from(max)).contains(&n) => Ok(Self(n as u16)),
            Some(n) => Err(ValidationError::single(
                "limit",
                format!("limit {n} is out of range: ask for 1 to {max} items per page"),
            )),
        }
    }

    pub fn get(self) -> u64 {
        u64::from(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(PageLimit::parse(None).map(PageLimit::get), Ok(50));
        assert_eq!(PageLimit::parse(Some(500)).map(PageLimit::get), Ok(500));
        assert_eq!(PageLimit::parse(Some(1)).map(PageLimit::get), Ok(1));
        assert!(PageLimit::parse(Some(0)).is_err());
        assert!(PageLimit::parse(Some(501)).is_err());
        assert!(PageLimit::parse(Some(-3)).is_err());
        assert_eq!(PageLimit::parse_at_most(Some(100), 100).map(PageLimit::get), Ok(100));
        assert_eq!(PageLimit::parse_at_most(None, 20).map(PageLimit::get), Ok(20));
        assert!(PageLimit::parse_at_most(Some(101), 100).is_err_and(|e| e.to_string().contains("1 to 100")));
    }
}
