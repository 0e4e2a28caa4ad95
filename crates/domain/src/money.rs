//! Money: integer euro cents, never a float.

use crate::ValidationError;

/// An amount of money in euro cents.
pub type Cents = i64;

/// Checks that `value` lies in `min..=max` cents; the error names `field` and the bounds in euro.
pub fn cents_in_range(field: &str, value: i64, min: Cents, max: Cents) -> Result<Cents, ValidationError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ValidationError::single(
            field,
            format!(
                "{value} cents is out of range: give {min} to {max} cents (€{} to €{})",
                euros(min),
                euros(max)
            ),
        ))
    }
}

/// Formats cents as euro with two decimals, e.g. `1234` → `12.34`.
pub fn euros(cents: Cents) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_bounds() {
        assert_eq!(euros(0), "0.00");
        assert_eq!(euros(1234), "12.34");
        assert_eq!(euros(-5), "-0.05");
        assert_eq!(euros(i64::MIN), "-92233720368547758.08");
        assert!(cents_in_range("x", 5, 1, 10).is_ok());
        assert!(cents_in_range("x", 0, 1, 10).is_err());
        assert!(cents_in_range("x", 11, 1, 10).is_err());
    }
}
