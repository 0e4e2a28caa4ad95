//! Municipal outlines for a map drawn without a tile server: which municipalities a box on the
//! map shows, and their boundaries as compact GeoJSON.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Value, json};

use crate::ValidationError;
use crate::activity::BoundingBox;

/// The widest and highest box of outlines one request may ask for, in degrees (about 100 km by
/// 165 km in Belgium: a province, never the whole map at once).
pub const MAX_OUTLINE_BOX_DEGREES: f64 = 1.5;

/// Decimals kept in outline coordinates: 5 is about a metre, plenty for a map.
pub const OUTLINE_DECIMALS: i32 = 5;

/// Parses `bbox` (`minlon,minlat,maxlon,maxlat`) and checks it is at most
/// [`MAX_OUTLINE_BOX_DEGREES`] wide and high.
pub fn outline_box(raw: &str) -> Result<BoundingBox, ValidationError> {
    let bbox = BoundingBox::parse(raw)?;
    let width = bbox.max.lon() - bbox.min.lon();
    let height = bbox.max.lat() - bbox.min.lat();
    if width > MAX_OUTLINE_BOX_DEGREES || height > MAX_OUTLINE_BOX_DEGREES {
        return Err(ValidationError::single(
            "bbox",
            format!(
                "the box is {width:.3}° wide and {height:.3}° high; ask for at most \
                 {MAX_OUTLINE_BOX_DEGREES}° each way (zoom in, or ask for several boxes)"
            ),
        ));
    }
    Ok(bbox)
}

fn round(x: f64) -> f64 {
    let scale = 10f64.powi(OUTLINE_DECIMALS);
    (x * scale).round() / scale
}

/// A ring with rounded coordinates and the points that rounding made repeat dropped; `None`
/// when too few points are left to enclose anything.
fn ring(line: &LineString<f64>) -> Option<Value> {
    let mut points: Vec<Coord<f64>> = Vec::with_capacity(line.0.len());
    for c in &line.0 {
        let rounded = Coord {
            x: round(c.x),
            y: round(c.y),
        };
        if points.last() != Some(&rounded) {
            points.push(rounded);
        }
    }
    if points.first() != points.last()
        && let Some(first) = points.first().copied()
    {
        points.push(first);
    }
    (points.len() >= 4).then(|| Value::Array(points.iter().map(|c| json!([c.x, c.y])).collect()))
}

fn polygon(p: &Polygon<f64>) -> Option<Value> {
    let mut rings = vec![ring(p.exterior())?];
    rings.extend(p.interiors().iter().filter_map(ring));
    Some(Value::Array(rings))
}

/// The area as a GeoJSON MultiPolygon geometry, coordinates rounded to [`OUTLINE_DECIMALS`]
/// decimals (parts that rounding shrinks to nothing are left out).
pub fn rounded_geometry(area: &MultiPolygon<f64>) -> Value {
    let polygons: Vec<Value> = area.0.iter().filter_map(polygon).collect();
    json!({ "type": "MultiPolygon", "coordinates": polygons })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn boxes_are_bounded() {
        assert!(outline_box("3.6,51.0,3.8,51.1").is_ok());
        assert!(outline_box("3.0,50.5,4.5,52.0").is_ok(), "1.5° each way");
        let wide = outline_box("2.5,50.7,4.1,51.0").err().map(|e| e.to_string());
        assert!(wide.is_some_and(|e| e.contains("bbox") && e.contains("1.5")));
        assert!(outline_box("3.6,51.0,3.8").is_err());
        assert!(outline_box("3.8,51.0,3.6,51.1").is_err());
        assert!(outline_box("nan,51.0,3.6,51.1").is_err());
    }

    #[test]
    fn coordinates_are_rounded_and_repeats_dropped() {
        let square = polygon![
            (x: 3.123_456_7, y: 51.0),
            (x: 3.2, y: 51.0),
            (x: 3.200_000_1, y: 51.0),
            (x: 3.2, y: 51.1),
            (x: 3.123_456_7, y: 51.0),
        ];
        let speck = polygon![(x: 3.0, y: 51.0), (x: 3.000_001, y: 51.0), (x: 3.0, y: 51.000_001), (x: 3.0, y: 51.0)];
        let geometry = rounded_geometry(&MultiPolygon(vec![square, speck]));
        assert_eq!(
            geometry,
            json!({ "type": "MultiPolygon", "coordinates": [[[[3.12346, 51.0], [3.2, 51.0], [3.2, 51.1], [3.12346, 51.0]]]] })
        );
    }
}
