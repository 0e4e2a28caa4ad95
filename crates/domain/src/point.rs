//! Geographic points in WGS84 longitude/latitude, as GPS and GeoJSON give them.

use crate::ValidationError;

/// Longitude envelope of Belgium with a margin: a point or boundary outside it is misplaced.
pub const BELGIUM_LON: (f64, f64) = (2.3, 6.5);
/// Latitude envelope of Belgium with a margin.
pub const BELGIUM_LAT: (f64, f64) = (49.4, 51.6);

/// A WGS84 point: longitude in [-180, 180], latitude in [-90, 90], both finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

impl LonLat {
    /// Checks both coordinates and reports each bad one under its own field name.
    pub fn parse(lon: f64, lat: f64) -> Result<Self, ValidationError> {
        let mut errors = Vec::new();
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            errors.push(crate::FieldError::new(
                "lon",
                format!("longitude {lon} is out of range: give decimal degrees between -180 and 180 (Flanders lies around 2.5 to 6)"),
            ));
        }
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            errors.push(crate::FieldError::new(
                "lat",
                format!("latitude {lat} is out of range: give decimal degrees between -90 and 90 (Flanders lies around 50.7 to 51.5)"),
            ));
        }
        if errors.is_empty() {
            Ok(Self { lon, lat })
        } else {
            Err(ValidationError { errors })
        }
    }

    /// Whether the point lies in Belgium's envelope (a margin around the country): a point
    /// outside it cannot be a place of the campaign, and longitude and latitude given the
    /// wrong way round land there.
    pub fn in_belgium_envelope(&self) -> bool {
        (BELGIUM_LON.0..=BELGIUM_LON.1).contains(&self.lon) && (BELGIUM_LAT.0..=BELGIUM_LAT.1).contains(&self.lat)
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_world_and_refuses_the_rest() {
        assert!(LonLat::parse(3.7210, 51.0546).is_ok());
        assert!(LonLat::parse(-180.0, 90.0).is_ok());
        let err = LonLat::parse(181.0, -91.0).err().map(|e| e.errors.len());
        assert_eq!(err, Some(2));
        let err = LonLat::parse(f64::NAN, 51.0).err().map(|e| e.errors[0].field.clone());
        assert_eq!(err.as_deref(), Some("lon"));
        assert!(LonLat::parse(4.0, f64::INFINITY).is_err());
    }

    #[test]
    fn swapped_coordinates_fall_outside_belgium() {
        let gent = LonLat::parse(3.7210, 51.0546).map(|p| p.in_belgium_envelope());
        assert_eq!(gent, Ok(true));
        let swapped = LonLat::parse(51.0546, 3.7210).map(|p| p.in_belgium_envelope());
        assert_eq!(swapped, Ok(false));
        let paris = LonLat::parse(2.35, 48.85).map(|p| p.in_belgium_envelope());
        assert_eq!(paris, Ok(false));
    }
}
