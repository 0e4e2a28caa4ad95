//! Importing boundaries: the reference file goes in whole; a bad file changes nothing.

use std::path::Path;

use campaign_api::commands::import_boundaries::{BoundarySource, ensure_boundaries, import_boundaries};
use campaign_domain::boundaries::EMBEDDED_2025;
use campaign_persistence::municipalities::MunicipalityRepo;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Backend, TestApp, get, on_both_databases};

on_both_databases!(
    the_reference_file_imports_and_a_reimport_replaces,
    a_partial_file_is_refused_unless_asked_for,
    a_bad_file_changes_nothing,
    start_up_loads_the_embedded_boundaries_when_none_are_loaded,
);

fn file(path: &Path, code_property: &str) -> BoundarySource {
    BoundarySource::File {
        path: path.to_owned(),
        code_property: code_property.to_owned(),
    }
}

fn write_temp(value: &Value) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), value.to_string()).unwrap();
    file
}

async fn the_reference_file_imports_and_a_reimport_replaces(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let repo = MunicipalityRepo::new(app.db.clone());
    let reference_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(reference_file.path(), EMBEDDED_2025).unwrap();
    let path = reference_file.path();

    assert_eq!(
        import_boundaries(&app.db, &file(path, "nis_code"), false)
            .await
            .unwrap(),
        304
    );
    assert_eq!(repo.boundary_count().await.unwrap(), 304);
    let gent = get(&app, "/api/v1/municipalities/44021").await;
    assert_eq!(gent.expect(StatusCode::OK)["has_boundary"], true);

    // A second import replaces the first: here with Gent alone (on purpose), under another
    // property name.
    let mut reference: Value = serde_json::from_str(EMBEDDED_2025).unwrap();
    let gent_feature = reference["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["properties"]["nis_code"] == "44021")
        .map(|f| {
            f["properties"] = json!({ "geoitem": 44021 });
            f.clone()
        })
        .unwrap();
    let gent_only = write_temp(&json!({ "type": "FeatureCollection", "features": [gent_feature] }));
    assert_eq!(
        import_boundaries(&app.db, &file(gent_only.path(), "geoitem"), true)
            .await
            .unwrap(),
        1
    );
    assert_eq!(repo.boundary_count().await.unwrap(), 1);
    let leuven = get(&app, "/api/v1/municipalities/24062").await;
    assert_eq!(leuven.expect(StatusCode::OK)["has_boundary"], false);
}

async fn a_bad_file_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    let repo = MunicipalityRepo::new(app.db.clone());
    assert_eq!(repo.boundary_count().await.unwrap(), 304);

    let square = |code: Value, x: f64, y: f64| {
        json!({ "type": "Feature", "properties": { "nis_code": code }, "geometry": { "type": "Polygon",
            "coordinates": [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]] } })
    };
    let bowtie = json!({ "type": "Feature", "properties": { "nis_code": "24062" }, "geometry": { "type": "Polygon",
        "coordinates": [[[4.7, 50.8], [4.8, 50.9], [4.8, 50.8], [4.7, 50.9], [4.7, 50.8]]] } });
    let bad = write_temp(&json!({ "type": "FeatureCollection", "features": [
        square(json!("44021"), 3.7, 51.0),
        square(json!("92094"), 4.8, 50.4),
        square(json!("31005"), 51.2, 3.2),
        bowtie,
    ]}));
    let error = import_boundaries(&app.db, &file(bad.path(), "nis_code"), true)
        .await
        .unwrap_err();
    let message = format!("{error:#}");
    for needle in [
        "92094",
        "31005",
        "swapped",
        "24062",
        "invalid geometry",
        "nothing was imported",
    ] {
        assert!(message.contains(needle), "the error should mention {needle}: {message}");
    }
    assert_eq!(
        repo.boundary_count().await.unwrap(),
        304,
        "a bad file leaves the boundaries as they were"
    );

    let missing = import_boundaries(&app.db, &file(Path::new("/no/such/file.geojson"), "nis_code"), true)
        .await
        .unwrap_err();
    assert!(format!("{missing:#}").contains("/no/such/file.geojson"));
    let not_geojson = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(not_geojson.path(), "nis_code;geometry\n44021;POLYGON(...)").unwrap();
    assert!(
        import_boundaries(&app.db, &file(not_geojson.path(), "nis_code"), true)
            .await
            .is_err()
    );
    assert_eq!(repo.boundary_count().await.unwrap(), 304);
}

async fn a_partial_file_is_refused_unless_asked_for(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    let repo = MunicipalityRepo::new(app.db.clone());
    // The embedded set without Gent and Leuven.
    let mut reference: Value = serde_json::from_str(EMBEDDED_2025).unwrap();
    reference["features"]
        .as_array_mut()
        .unwrap()
        .retain(|f| !matches!(f["properties"]["nis_code"].as_str(), Some("44021" | "24062")));
    let partial = write_temp(&reference);

    let error = import_boundaries(&app.db, &file(partial.path(), "nis_code"), false)
        .await
        .unwrap_err();
    let message = format!("{error:#}");
    for needle in [
        "2 municipalities",
        "24062, 44021",
        "--allow-partial",
        "nothing was imported",
    ] {
        assert!(message.contains(needle), "the error should mention {needle}: {message}");
    }
    assert_eq!(repo.boundary_count().await.unwrap(), 304, "nothing changed");
    let gent = get(&app, "/api/v1/municipalities/44021").await;
    assert_eq!(gent.expect(StatusCode::OK)["has_boundary"], true);

    // On purpose, it goes in.
    assert_eq!(
        import_boundaries(&app.db, &file(partial.path(), "nis_code"), true)
            .await
            .unwrap(),
        302
    );
    assert_eq!(repo.boundary_count().await.unwrap(), 302);
}

async fn start_up_loads_the_embedded_boundaries_when_none_are_loaded(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let repo = MunicipalityRepo::new(app.db.clone());
    assert_eq!(repo.boundary_count().await.unwrap(), 0);
    ensure_boundaries(&app.db, None).await.unwrap();
    assert_eq!(repo.boundary_count().await.unwrap(), 304);
    // Their licence asks for the attribution: the API documentation carries it.
    let spec = get(&app, "/api/v1/openapi.json").await;
    let description = spec.expect(StatusCode::OK)["info"]["description"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        description.contains("Statbel") && description.contains("01/01/2025"),
        "{description}"
    );

    // Loaded boundaries are kept: neither the embedded set nor a file replaces them at start-up.
    let gent_only = write_temp(&json!({ "type": "FeatureCollection", "features": [] }));
    ensure_boundaries(&app.db, Some(gent_only.path())).await.unwrap();
    ensure_boundaries(&app.db, None).await.unwrap();
    assert_eq!(repo.boundary_count().await.unwrap(), 304);
    // Their licence asks for the attribution: the API documentation carries it.
    let spec = get(&app, "/api/v1/openapi.json").await;
    let description = spec.expect(StatusCode::OK)["info"]["description"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        description.contains("Statbel") && description.contains("01/01/2025"),
        "{description}"
    );
}
