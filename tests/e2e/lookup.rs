//! Point-to-municipality lookup on the reference boundaries of Flanders and Brussels.

use poem::http::StatusCode;

use serde_json::json;

use crate::{Backend, TestApp, get, on_both_databases, post_as};

on_both_databases!(
    real_places_resolve_to_their_municipality,
    points_near_a_border_land_on_the_right_side,
    points_outside_flanders_and_brussels_are_404,
    bad_coordinates_are_named,
    lookup_without_boundaries_is_503,
    without_boundaries_places_outside_belgium_are_refused,
);

async fn lookup(app: &TestApp, lon: f64, lat: f64) -> Option<String> {
    let answer = get(app, &format!("/api/v1/municipalities/lookup?lon={lon}&lat={lat}")).await;
    if answer.status == StatusCode::NOT_FOUND {
        answer.expect_problem(StatusCode::NOT_FOUND);
        return None;
    }
    let body = answer.expect(StatusCode::OK);
    assert_eq!(body["has_boundary"], true);
    Some(body["nis_code"].as_str().unwrap().to_owned())
}

async fn real_places_resolve_to_their_municipality(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    let places = [
        ("Grote Markt, Brussel", 4.3525, 50.8467, "21004"),
        ("Grote Markt, Leuven", 4.7010, 50.8789, "24062"),
        ("Korenmarkt, Gent", 3.7210, 51.0546, "44021"),
        ("Groenplaats, Antwerpen", 4.4006, 51.2194, "11002"),
        ("Grote Markt, Hasselt", 5.3378, 50.9307, "71072"),
        ("Markt, Brugge", 3.2247, 51.2089, "31005"),
        ("Grote Markt, Mechelen", 4.4792, 51.0280, "12025"),
        ("Grote Markt, Kortrijk", 3.2650, 50.8278, "34022"),
        ("Wapenplein, Oostende", 2.9186, 51.2300, "35013"),
        ("Flageyplein, Elsene", 4.3720, 50.8275, "21009"),
        ("'s-Gravenvoeren", 5.7610, 50.7586, "73109"),
        ("Sint-Genesius-Rode", 4.3565, 50.7497, "23101"),
        // Merged on 1 January 2025.
        ("Borsbeek, now Antwerpen", 4.4862, 51.1927, "11002"),
        (
            "Zwijndrecht, now Beveren-Kruibeke-Zwijndrecht",
            4.3297,
            51.2183,
            "46030",
        ),
        // An enclave of Baarle-Hertog inside the Netherlands.
        ("Baarle-Hertog enclave", 4.89128, 51.40478, "13002"),
    ];
    for (place, lon, lat, code) in places {
        assert_eq!(lookup(&app, lon, lat).await.as_deref(), Some(code), "{place}");
    }
    let answer = get(&app, "/api/v1/municipalities/lookup?lon=3.7210&lat=51.0546").await;
    let gent = answer.expect(StatusCode::OK);
    assert_eq!(
        (gent["name_nl"].as_str(), gent["province"].as_str()),
        (Some("Gent"), Some("Oost-Vlaanderen"))
    );
}

async fn points_near_a_border_land_on_the_right_side(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    // Pairs of points about 30 m either side of a shared border.
    let pairs = [
        ((3.71413, 50.98236, "44021"), (3.71452, 50.98191, "44088")), // Gent | Merelbeke-Melle
        ((4.41166, 50.91181, "21004"), (4.41179, 50.91240, "23088")), // Brussel | Vilvoorde
        ((4.66388, 50.87900, "24062"), (4.66385, 50.87960, "24038")), // Leuven | Herent
    ];
    for ((lon_a, lat_a, a), (lon_b, lat_b, b)) in pairs {
        assert_eq!(
            lookup(&app, lon_a, lat_a).await.as_deref(),
            Some(a),
            "{a} side of the {a}/{b} border"
        );
        assert_eq!(
            lookup(&app, lon_b, lat_b).await.as_deref(),
            Some(b),
            "{b} side of the {a}/{b} border"
        );
    }
    // The language border: inside Voeren and Sint-Genesius-Rode, and just across in Wallonia.
    assert_eq!(lookup(&app, 5.82856, 50.75844).await.as_deref(), Some("73109"));
    assert_eq!(lookup(&app, 5.82862, 50.75904).await, None);
    assert_eq!(lookup(&app, 4.34439, 50.72606).await.as_deref(), Some("23101"));
    assert_eq!(lookup(&app, 4.34390, 50.72573).await, None);
}

async fn points_outside_flanders_and_brussels_are_404(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    for (place, lon, lat) in [
        ("Namur, Wallonia", 4.8670, 50.4669),
        ("Wavre, Wallonia", 4.6118, 50.7170),
        ("Maastricht, the Netherlands", 5.6909, 50.8514),
        ("the North Sea off Oostende", 2.6, 51.4),
        ("a Dutch enclave inside Baarle-Hertog", 4.87133, 51.41214),
        ("the other side of the world", -122.4194, 37.7749),
    ] {
        assert_eq!(lookup(&app, lon, lat).await, None, "{place}");
    }
    let answer = get(&app, "/api/v1/municipalities/lookup?lon=4.8670&lat=50.4669").await;
    let detail = answer.expect_problem(StatusCode::NOT_FOUND)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("outside Flanders and Brussels"), "{detail}");
}

async fn bad_coordinates_are_named(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    for (query, field) in [
        ("lat=51.05", "lon"),
        ("lon=3.72", "lat"),
        ("lon=abc&lat=51.05", "lon"),
        ("lon=3.72&lat=", "lat"),
        ("lon=181&lat=51.05", "lon"),
        ("lon=-180.5&lat=51.05", "lon"),
        ("lon=3.72&lat=91", "lat"),
        ("lon=3.72&lat=NaN", "lat"),
        ("lon=inf&lat=51.05", "lon"),
        ("lon=1e999&lat=51.05", "lon"),
    ] {
        get(&app, &format!("/api/v1/municipalities/lookup?{query}"))
            .await
            .expect_field_error(field);
    }
}

async fn lookup_without_boundaries_is_503(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let answer = get(&app, "/api/v1/municipalities/lookup?lon=3.7210&lat=51.0546").await;
    let detail = answer.expect_problem(StatusCode::SERVICE_UNAVAILABLE)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("import-boundaries"), "says how to fix it: {detail}");
    // Bad coordinates are still the caller's problem, not ours.
    get(&app, "/api/v1/municipalities/lookup?lon=500&lat=51")
        .await
        .expect_field_error("lon");
}

async fn without_boundaries_places_outside_belgium_are_refused(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let campaign = json!({ "year": 2026, "starts_on": "2026-10-01", "ends_on": "2026-12-31", "target_cents": 0 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &campaign)
        .await
        .expect(StatusCode::CREATED);
    let (group, volunteer) = app.new_volunteer().await; // a group of Gent
    let at = |lon: f64, lat: f64| {
        json!({ "kind": "quiz", "title": "Quiz", "starts_at": "2026-11-07T19:00:00+01:00",
                "ends_at": "2026-11-07T23:00:00+01:00", "public": true,
                "location": { "lon": lon, "lat": lat } })
    };
    let uri = format!("/api/v1/groups/{group}/activities");
    // Korenmarkt, Gent, with longitude and latitude swapped; and Paris.
    for (lon, lat) in [(51.0546, 3.7210), (2.35, 48.85)] {
        let answer = post_as(&app, &volunteer, &uri, &at(lon, lat)).await;
        let detail = answer.expect_problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(detail.contains("outside Belgium"), "{detail}");
    }
    let listed = get(&app, &format!("/api/v1/activities?group_id={group}")).await;
    assert_eq!(listed.expect(StatusCode::OK)["items"], json!([]), "nothing was stored");
    // A place in Belgium still falls back to the group's municipality without boundaries.
    let stored = post_as(&app, &volunteer, &uri, &at(3.7210, 51.0546)).await;
    assert_eq!(stored.expect(StatusCode::CREATED)["municipality_nis"], "44021");
}
