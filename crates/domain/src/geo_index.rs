//! Point-to-municipality lookup: an R-tree of polygon envelopes, then an exact containment test.

use std::collections::{BTreeMap, BTreeSet};

use geo::{
    Area, Coord, CoordinatePosition, InteriorPoint, Intersects, MultiPolygon, Polygon, Rect,
    coordinate_position::CoordPos,
};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use crate::boundaries::Boundary;
use crate::municipality::NisCode;
use crate::point::LonLat;

type Envelope = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Answers which municipality contains a point. Built once from the loaded boundaries.
pub struct MunicipalityIndex {
    tree: RTree<Envelope>,
    /// One entry per polygon: a municipality with several parts (enclaves) has several.
    parts: Vec<(NisCode, Polygon<f64>)>,
    municipalities: usize,
}

impl MunicipalityIndex {
    pub fn new(boundaries: impl IntoIterator<Item = Boundary>) -> Self {
        let mut parts = Vec::new();
        let mut municipalities = 0;
        for boundary in boundaries {
            municipalities += 1;
            let MultiPolygon(polygons) = boundary.area;
            parts.extend(polygons.into_iter().map(|p| (boundary.nis_code, p)));
        }
        let envelopes = parts
            .iter()
            .enumerate()
            .filter_map(|(i, (_, polygon))| {
                let rect = geo::BoundingRect::bounding_rect(polygon)?;
                let corners = Rectangle::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
                Some(GeomWithData::new(corners, i))
            })
            .collect();
        Self {
            tree: RTree::bulk_load(envelopes),
            parts,
            municipalities,
        }
    }

    /// The municipality containing the point; a point on a shared border goes to one of the
    /// municipalities that share it.
    pub fn locate(&self, point: LonLat) -> Option<NisCode> {
        let coord = Coord {
            x: point.lon(),
            y: point.lat(),
        };
        let mut on_border = None;
        for candidate in self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([coord.x, coord.y]))
        {
            let (code, polygon) = &self.parts[candidate.data];
            match polygon.coordinate_position(&coord) {
                CoordPos::Inside => return Some(*code),
                CoordPos::OnBoundary => on_border = on_border.or(Some(*code)),
                CoordPos::Outside => {}
            }
        }
        on_border
    }

    /// A point inside the municipality, in the middle of its largest part where that lies inside
    /// it (a place to centre a map or a search on); `None` without a boundary.
    pub fn centre(&self, nis: NisCode) -> Option<LonLat> {
        let largest = self
            .parts
            .iter()
            .filter(|(code, _)| *code == nis)
            .map(|(_, polygon)| polygon)
            .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
        let point = largest.interior_point()?;
        LonLat::parse(point.x(), point.y()).ok()
    }

    /// The municipalities whose boundary meets the box from `min` to `max`, in NIS-code order,
    /// each with its whole boundary (every part, also those outside the box).
    pub fn within(&self, min: LonLat, max: LonLat) -> Vec<(NisCode, MultiPolygon<f64>)> {
        let window = Rect::new(
            Coord {
                x: min.lon(),
                y: min.lat(),
            },
            Coord {
                x: max.lon(),
                y: max.lat(),
            },
        );
        let envelope = AABB::from_corners([min.lon(), min.lat()], [max.lon(), max.lat()]);
        let meeting: BTreeSet<NisCode> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .filter_map(|candidate| {
                let (code, polygon) = &self.parts[candidate.data];
                polygon.intersects(&window).then_some(*code)
            })
            .collect();
        let mut areas: BTreeMap<NisCode, MultiPolygon<f64>> = BTreeMap::new();
        for (code, polygon) in self.parts.iter().filter(|(code, _)| meeting.contains(code)) {
            areas
                .entry(*code)
                .or_insert_with(|| MultiPolygon(Vec::new()))
                .0
                .push(polygon.clone());
        }
        areas.into_iter().collect()
    }

    /// How many municipalities have a boundary in the index.
    pub fn len(&self) -> usize {
        self.municipalities
    }

    pub fn is_empty(&self) -> bool {
        self.municipalities == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn boundary(code: &str, area: Polygon<f64>) -> Boundary {
        let nis_code = NisCode::parse(code).unwrap_or_else(|e| unreachable!("{e}"));
        Boundary {
            nis_code,
            area: MultiPolygon(vec![area]),
        }
    }

    fn at(lon: f64, lat: f64) -> LonLat {
        LonLat::parse(lon, lat).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn finds_the_containing_polygon_and_respects_holes() {
        let with_hole = Polygon::new(
            geo::LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]),
            vec![geo::LineString::from(vec![
                (1.0, 1.0),
                (2.0, 1.0),
                (2.0, 2.0),
                (1.0, 2.0),
                (1.0, 1.0),
            ])],
        );
        let neighbour =
            polygon![(x: 4.0, y: 0.0), (x: 8.0, y: 0.0), (x: 8.0, y: 4.0), (x: 4.0, y: 4.0), (x: 4.0, y: 0.0)];
        let index = MunicipalityIndex::new([boundary("44021", with_hole), boundary("44088", neighbour)]);
        let code = |lon, lat| index.locate(at(lon, lat)).map(|c| c.to_string());
        assert_eq!(code(0.5, 0.5).as_deref(), Some("44021"));
        assert_eq!(code(1.5, 1.5), None, "inside the hole");
        assert_eq!(code(5.0, 3.0).as_deref(), Some("44088"));
        assert!(
            code(4.0, 2.0).is_some(),
            "a point on the shared border belongs to one of them"
        );
        assert_eq!(code(9.0, 2.0), None);
        assert_eq!(index.len(), 2);
        let codes = |min: (f64, f64), max: (f64, f64)| -> Vec<String> {
            index
                .within(at(min.0, min.1), at(max.0, max.1))
                .iter()
                .map(|(c, _)| c.to_string())
                .collect()
        };
        assert_eq!(codes((0.5, 0.5), (0.6, 0.6)), ["44021"]);
        assert_eq!(codes((3.5, 0.5), (4.5, 0.6)), ["44021", "44088"]);
        assert_eq!(codes((1.2, 1.2), (1.8, 1.8)), Vec::<String>::new(), "inside the hole");
        assert_eq!(codes((9.0, 9.0), (9.5, 9.5)), Vec::<String>::new());
    }

    #[test]
    fn the_centre_lies_in_the_largest_part() {
        let small =
            polygon![(x: 10.0, y: 0.0), (x: 11.0, y: 0.0), (x: 11.0, y: 1.0), (x: 10.0, y: 1.0), (x: 10.0, y: 0.0)];
        let large = polygon![(x: 0.0, y: 0.0), (x: 6.0, y: 0.0), (x: 6.0, y: 6.0), (x: 0.0, y: 6.0), (x: 0.0, y: 0.0)];
        let nis = NisCode::parse("44021").unwrap_or_else(|e| unreachable!("{e}"));
        let index = MunicipalityIndex::new([Boundary {
            nis_code: nis,
            area: MultiPolygon(vec![small, large]),
        }]);
        let centre = index.centre(nis).unwrap_or_else(|| unreachable!("a centre"));
        assert!(centre.lon() > 0.0 && centre.lon() < 6.0, "{centre:?}");
        assert_eq!(index.locate(centre), Some(nis));
        let elsewhere = NisCode::parse("44088").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(index.centre(elsewhere), None);
    }
}
