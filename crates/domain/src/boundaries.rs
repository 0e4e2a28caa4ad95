//! Municipal boundaries read from GeoJSON: every feature is checked before anything is kept.
//!
//! A boundary file is trusted by nobody: a wrong property name, a projected coordinate system,
//! swapped longitude and latitude, a self-intersecting ring or an unknown NIS code are all
//! reported together, so an operator can fix the file in one go. Nothing is returned unless
//! every feature is good.

use std::collections::HashSet;
use std::fmt;

use geo::{BoundingRect, MultiPolygon, Validation};
use geojson::{GeoJson, Value};

use crate::municipality::NisCode;

use crate::point::{BELGIUM_LAT, BELGIUM_LON};

/// The 2025 boundaries of the 304 municipalities of Flanders and Brussels (Statbel open data),
/// embedded in the binary so that lookups and maps work on a fresh installation. Their source,
/// licence and attribution are in `crates/domain/data/SOURCE.md`.
pub const EMBEDDED_2025: &str = include_str!("../data/boundaries-2025.geojson");

/// The attribution the licence of [`EMBEDDED_2025`] asks for, shown wherever the boundaries are.
pub const EMBEDDED_2025_ATTRIBUTION: &str = "Municipal boundaries: Statbel (Algemene Directie Statistiek), \
    statistische sectoren 01/01/2025; simplified by Data & Analyse van de Vlaamse provincies \
    (github.com/provinciesincijfers/gebiedsniveaus)";

/// The property that holds the NIS code: in [`EMBEDDED_2025`], and by default in imported files.
pub const DEFAULT_CODE_PROPERTY: &str = "nis_code";

/// The area of one municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    pub nis_code: NisCode,
    pub area: MultiPolygon<f64>,
}

impl Boundary {
    /// The geometry as a GeoJSON geometry object, the form in which it is stored.
    pub fn to_geojson(&self) -> String {
        geojson::Geometry::new(Value::from(&self.area)).to_string()
    }

    /// Reads back a stored geometry (a GeoJSON Polygon or MultiPolygon).
    pub fn from_geojson(nis_code: NisCode, stored: &str) -> Result<Self, String> {
        let geometry: geojson::Geometry = stored
            .parse::<geojson::Geometry>()
            .map_err(|e| format!("stored boundary of {nis_code} is not GeoJSON: {e}"))?;
        let area = to_multi_polygon(geometry.value)
            .ok_or_else(|| format!("stored boundary of {nis_code} is not a (multi)polygon"))?;
        Ok(Self { nis_code, area })
    }
}

/// Every problem found in a boundary file, one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryProblems(pub Vec<String>);

impl fmt::Display for BoundaryProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the boundary file has {} problem(s); nothing was imported:",
            self.0.len()
        )?;
        for problem in &self.0 {
            writeln!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BoundaryProblems {}

/// Refuses a set of boundaries that leaves municipalities of the registry without one, listing
/// them; `allow_partial` accepts such a set on purpose (their points then resolve to nothing).
pub fn check_coverage<'a>(
    boundaries: &[Boundary],
    registry: impl IntoIterator<Item = &'a NisCode>,
    allow_partial: bool,
) -> Result<(), BoundaryProblems> {
    if allow_partial {
        return Ok(());
    }
    let covered: HashSet<&NisCode> = boundaries.iter().map(|b| &b.nis_code).collect();
    let mut missing: Vec<&NisCode> = registry.into_iter().filter(|c| !covered.contains(c)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    missing.sort();
    let listed: Vec<String> = missing.iter().map(ToString::to_string).collect();
    Err(BoundaryProblems(vec![format!(
        "the file has no boundary for {} municipalit{} of the registry: {}; add them, or import a partial set on purpose with --allow-partial",
        missing.len(),
        if missing.len() == 1 { "y" } else { "ies" },
        listed.join(", ")
    )]))
}

/// Reads a GeoJSON FeatureCollection whose features carry the NIS code in `code_property`.
///
/// `is_known` tells whether a NIS code is in the municipality registry. `progress` is called
/// with (features checked, features in total) so a long import can show how far it is.
pub fn parse_feature_collection(
    json: &str,
    code_property: &str,
    is_known: impl Fn(&NisCode) -> bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<Boundary>, BoundaryProblems> {
    let parsed: GeoJson = json
        .parse()
        .map_err(|e| BoundaryProblems(vec![format!("the file is not valid GeoJSON: {e}")]))?;
    let GeoJson::FeatureCollection(collection) = parsed else {
        return Err(BoundaryProblems(vec![
            "the file must be a GeoJSON FeatureCollection with one feature per municipality".to_owned(),
        ]));
    };
    let total = collection.features.len();
    if total == 0 {
        return Err(BoundaryProblems(vec![
            "the FeatureCollection has no features".to_owned(),
        ]));
    }

    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut boundaries = Vec::with_capacity(total);
    for (index, feature) in collection.features.into_iter().enumerate() {
        let label = format!("feature {}", index + 1);
        match check_feature(feature, code_property, &label, &is_known, &mut seen) {
            Ok(boundary) => boundaries.push(boundary),
            Err(mut found) => problems.append(&mut found),
        }
        progress(index + 1, total);
    }
    if problems.is_empty() {
        Ok(boundaries)
    } else {
        Err(BoundaryProblems(problems))
    }
}

fn check_feature(
    feature: geojson::Feature,
    code_property: &str,
    label: &str,
    is_known: &impl Fn(&NisCode) -> bool,
    seen: &mut HashSet<NisCode>,
) -> Result<Boundary, Vec<String>> {
    let mut problems = Vec::new();
    let code = match feature.property(code_property) {
        None | Some(serde_json::Value::Null) => {
            problems.push(format!(
                "{label} has no `{code_property}` property; name the property that holds the NIS code with --code-property"
            ));
            None
        }
        Some(serde_json::Value::String(s)) => parse_code(label, s, &mut problems),
        Some(serde_json::Value::Number(n)) => parse_code(label, &format!("{n:0>5}"), &mut problems),
        Some(other) => {
            problems.push(format!(
                "{label}: `{code_property}` must be a string such as \"44021\", not {other}"
            ));
            None
        }
    };
    let label = match &code {
        Some(code) => format!("{label} (NIS {code})"),
        None => label.to_owned(),
    };
    if let Some(code) = &code {
        if !is_known(code) {
            problems.push(format!(
                "{label}: NIS code {code} is not a municipality of Flanders or Brussels"
            ));
        }
        if !seen.insert(*code) {
            problems.push(format!("{label}: NIS code {code} appears more than once"));
        }
    }

    let area = match feature.geometry {
        None => {
            problems.push(format!("{label} has no geometry"));
            None
        }
        Some(geometry) => {
            let kind = geometry.value.type_name();
            let area = to_multi_polygon(geometry.value);
            if area.is_none() {
                problems.push(format!(
                    "{label} is a {kind}; a boundary must be a Polygon or MultiPolygon"
                ));
            }
            area
        }
    };
    if let Some(area) = &area {
        check_area(&label, area, &mut problems);
    }

    match (code, area) {
        (Some(nis_code), Some(area)) if problems.is_empty() => Ok(Boundary { nis_code, area }),
        _ => Err(problems),
    }
}

fn parse_code(label: &str, raw: &str, problems: &mut Vec<String>) -> Option<NisCode> {
    match NisCode::parse(raw) {
        Ok(code) => Some(code),
        Err(e) => {
            let message = e.errors.first().map(|e| e.message.clone()).unwrap_or_default();
            problems.push(format!("{label}: {message}"));
            None
        }
    }
}

fn to_multi_polygon(value: Value) -> Option<MultiPolygon<f64>> {
    match value {
        Value::Polygon(_) => geo::Polygon::<f64>::try_from(value).ok().map(|p| MultiPolygon(vec![p])),
        Value::MultiPolygon(_) => MultiPolygon::<f64>::try_from(value).ok(),
        _ => None,
    }
}

fn check_area(label: &str, area: &MultiPolygon<f64>, problems: &mut Vec<String>) {
    if area.0.is_empty() {
        problems.push(format!("{label} has an empty geometry"));
        return;
    }
    let Some(rect) = area.bounding_rect() else {
        problems.push(format!("{label} has no coordinates"));
        return;
    };
    let (min, max) = (rect.min(), rect.max());
    if min.x < -180.0 || max.x > 180.0 || min.y < -90.0 || max.y > 90.0 {
        problems.push(format!(
            "{label}: coordinates such as ({}, {}) are not longitude/latitude; convert the file to WGS84 (EPSG:4326)",
            min.x, min.y
        ));
        return;
    }
    let inside = |v: f64, (lo, hi): (f64, f64)| (lo..=hi).contains(&v);
    if !(inside(min.x, BELGIUM_LON)
        && inside(max.x, BELGIUM_LON)
        && inside(min.y, BELGIUM_LAT)
        && inside(max.y, BELGIUM_LAT))
    {
        problems.push(format!(
            "{label} lies outside Belgium (lon {:.3} to {:.3}, lat {:.3} to {:.3}); are longitude and latitude swapped?",
            min.x, max.x, min.y, max.y
        ));
        return;
    }
    for error in area.validation_errors().into_iter().take(3) {
        problems.push(format!("{label}: invalid geometry: {error}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str, x: f64, y: f64, size: f64) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"nis_code":{code}}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x2},{y}],[{x2},{y2}],[{x},{y2}],[{x},{y}]]]}}}}"#,
            x2 = x + size,
            y2 = y + size
        )
    }

    fn collection(features: &[String]) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
    }

    fn known(code: &NisCode) -> bool {
        code.province().is_some()
    }

    #[test]
    fn reads_a_good_file_and_reports_progress() {
        let file = collection(&[square("\"44021\"", 3.7, 51.0, 0.1), square("24062", 4.7, 50.8, 0.1)]);
        let mut calls = Vec::new();
        let result = parse_feature_collection(&file, "nis_code", known, |done, total| calls.push((done, total)));
        let codes: Vec<String> = result
            .unwrap_or_default()
            .iter()
            .map(|b| b.nis_code.to_string())
            .collect();
        assert_eq!(codes, ["44021", "24062"]);
        assert_eq!(calls, [(1, 2), (2, 2)]);
    }

    #[test]
    fn lists_every_problem_at_once() {
        let bowtie = r#"{"type":"Feature","properties":{"nis_code":"11002"},"geometry":{"type":"Polygon","coordinates":[[[4.3,51.2],[4.4,51.3],[4.4,51.2],[4.3,51.3],[4.3,51.2]]]}}"#;
        let file = collection(&[
            square("\"92094\"", 4.8, 50.4, 0.1),                           // Namur: not ours
            square("\"44021\"", 3.7, 51.0, 0.1),
            square("\"44021\"", 3.8, 51.0, 0.1),                           // twice
            square("\"31005\"", 51.2, 3.2, 0.1),                           // swapped
            square("\"71072\"", 104000.0, 190000.0, 100.0),                // Lambert 72
            square("null", 4.0, 51.0, 0.1),                                // no code
            bowtie.to_owned(),                                             // self-intersection
            r#"{"type":"Feature","properties":{"nis_code":"24062"},"geometry":{"type":"Point","coordinates":[4.7,50.8]}}"#.to_owned(),
        ]);
        let problems = parse_feature_collection(&file, "nis_code", known, |_, _| {})
            .err()
            .map(|p| p.0)
            .unwrap_or_default();
        let expect = [
            "feature 1 (NIS 92094): NIS code 92094 is not a municipality",
            "feature 3 (NIS 44021): NIS code 44021 appears more than once",
            "feature 4 (NIS 31005) lies outside Belgium",
            "feature 5 (NIS 71072): coordinates such as (104000, 190000) are not longitude/latitude",
            "feature 6 has no `nis_code` property",
            "feature 7 (NIS 11002): invalid geometry",
            "feature 8 (NIS 24062) is a Point",
        ];
        for needle in expect {
            assert!(
                problems.iter().any(|p| p.contains(needle)),
                "missing {needle:?} in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    }

    #[test]
    fn refuses_what_is_not_a_feature_collection() {
        for file in [
            "not json",
            r#"{"type":"Point","coordinates":[4,51]}"#,
            r#"{"type":"FeatureCollection","features":[]}"#,
        ] {
            assert!(
                parse_feature_collection(file, "nis_code", known, |_, _| {}).is_err(),
                "{file}"
            );
        }
    }

    #[test]
    fn other_property_names_work() {
        let file = collection(&[square("\"44021\"", 3.7, 51.0, 0.1)]).replace("nis_code", "geoitem");
        assert!(parse_feature_collection(&file, "geoitem", known, |_, _| {}).is_ok());
        let problems = parse_feature_collection(&file, "nis_code", known, |_, _| {}).err();
        assert!(problems.is_some_and(|p| p.0[0].contains("--code-property")));
    }

    #[test]
    fn the_embedded_boundaries_are_the_304_municipalities() {
        let parsed = parse_feature_collection(EMBEDDED_2025, DEFAULT_CODE_PROPERTY, known, |_, _| {});
        let parsed = parsed.unwrap_or_default();
        assert_eq!(parsed.len(), 304);
        let brussels = parsed
            .iter()
            .filter(|b| b.nis_code.province() == Some(crate::municipality::Province::BrusselsCapital))
            .count();
        assert_eq!(brussels, 19);
        assert!(
            !EMBEDDED_2025.contains("postal"),
            "postal codes stay out of the project"
        );
    }

    #[test]
    fn a_partial_set_is_refused_unless_asked_for() {
        let file = collection(&[square("\"44021\"", 3.7, 51.0, 0.1)]);
        let parsed = parse_feature_collection(&file, "nis_code", known, |_, _| {}).unwrap_or_default();
        let gent = NisCode::parse("44021").ok();
        let leuven = NisCode::parse("24062").ok();
        let aalst = NisCode::parse("41002").ok();
        let registry: Vec<NisCode> = [gent, leuven, aalst].into_iter().flatten().collect();
        let problems = check_coverage(&parsed, registry.iter(), false)
            .err()
            .map(|p| p.0.join(""));
        let problems = problems.unwrap_or_default();
        assert!(
            problems.contains("2 municipalities")
                && problems.contains("24062, 41002")
                && problems.contains("--allow-partial"),
            "{problems}"
        );
        assert_eq!(check_coverage(&parsed, registry.iter(), true), Ok(()));
    }

    #[test]
    fn stored_form_round_trips() {
        let file = collection(&[square("\"44021\"", 3.7, 51.0, 0.1)]);
        let parsed = parse_feature_collection(&file, "nis_code", known, |_, _| {}).unwrap_or_default();
        let boundary = &parsed[0];
        let back = Boundary::from_geojson(boundary.nis_code, &boundary.to_geojson());
        assert_eq!(back.as_ref(), Ok(boundary));
    }
}
