//! Choosing a representation by the weights of the `Accept` header (RFC 9110 §12.5.1).
//!
//! Each media type the server offers gets the weight of the most specific range that matches it
//! (`text/csv` before `text/*` before `*/*`); `q=0` means "not acceptable". The offer with the
//! highest weight above 0 wins; a tie keeps the server's order, so the first offer (JSON) is the
//! default. Without an `Accept` header, or when nothing offered is acceptable, the server ignores
//! the header (RFC 9110 allows this instead of 406) and answers its default.

use mime::Mime;
use poem::Request;
use poem::http::header;

/// Media types whose answers are negotiated.
pub const JSON: &str = "application/json";
pub const CSV: &str = "text/csv";
pub const GEO_JSON: &str = "application/geo+json";

/// The one of `offered` (the server's default first) that the request prefers.
pub fn preferred<'a>(req: &Request, offered: &[&'a str]) -> &'a str {
    let ranges: Vec<(Mime, u16)> = req
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(parse_range)
        .collect();
    choose(&ranges, offered)
}

/// A media range and its weight in thousandths; `None` for a range that does not parse.
fn parse_range(raw: &str) -> Option<(Mime, u16)> {
    let range: Mime = raw.trim().parse().ok()?;
    let weight = match range.get_param("q") {
        None => 1000,
        Some(q) => {
            let q: f32 = q.as_str().parse().ok()?;
            if !(0.0..=1.0).contains(&q) {
                return None;
            }
            (q * 1000.0).round() as u16
        }
    };
    Some((range, weight))
}

fn choose<'a>(ranges: &[(Mime, u16)], offered: &[&'a str]) -> &'a str {
    let default = offered.first().copied().unwrap_or(JSON);
    let mut best: Option<(&'a str, u16)> = None;
    for offer in offered {
        let Ok(offer_mime) = offer.parse::<Mime>() else {
            continue;
        };
        let weight = weight_of(ranges, &offer_mime);
        if weight > 0 && best.is_none_or(|(_, w)| weight > w) {
            best = Some((offer, weight));
        }
    }
    best.map_or(default, |(offer, _)| offer)
}

/// The weight of the most specific range matching `offer` (0 when none matches).
fn weight_of(ranges: &[(Mime, u16)], offer: &Mime) -> u16 {
    let specificity = |range: &Mime| -> Option<u8> {
        if range.type_() == mime::STAR && range.subtype() == mime::STAR {
            Some(0)
        } else if range.type_() != offer.type_() {
            None
        } else if range.subtype() == mime::STAR {
            Some(1)
        } else if range.essence_str() == offer.essence_str() {
            Some(2)
        } else {
            None
        }
    };
    ranges
        .iter()
        .filter_map(|(range, weight)| specificity(range).map(|s| (s, *weight)))
        .max_by_key(|(s, _)| *s)
        .map_or(0, |(_, weight)| weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(accept: Option<&str>, offered: &[&'static str]) -> &'static str {
        let mut req = Request::builder();
        if let Some(accept) = accept {
            req = req.header(header::ACCEPT, accept);
        }
        preferred(&req.finish(), offered)
    }

    #[test]
    fn csv_only_when_preferred() {
        let offered = [JSON, CSV];
        assert_eq!(pick(None, &offered), JSON);
        assert_eq!(pick(Some("*/*"), &offered), JSON);
        assert_eq!(pick(Some("text/csv"), &offered), CSV);
        assert_eq!(pick(Some("application/json, text/csv;q=0"), &offered), JSON);
        assert_eq!(pick(Some("text/csv;q=0, application/json"), &offered), JSON);
        assert_eq!(pick(Some("application/json;q=0.5, text/csv"), &offered), CSV);
        assert_eq!(pick(Some("application/json;q=0.9, text/csv;q=0.8"), &offered), JSON);
        // A tie keeps the server's default.
        assert_eq!(pick(Some("text/csv, application/json"), &offered), JSON);
        // The most specific range decides: text/csv is refused although text/* is welcome.
        assert_eq!(pick(Some("text/*, text/csv;q=0"), &offered), JSON);
        assert_eq!(pick(Some("text/*;q=0.9, */*;q=0.1"), &offered), CSV);
        assert_eq!(pick(Some("*/*;q=0.1, text/csv;q=0.2"), &offered), CSV);
        // Nothing acceptable, or nothing parseable: the default.
        assert_eq!(pick(Some("text/html"), &offered), JSON);
        assert_eq!(pick(Some("application/json;q=0, text/csv;q=0"), &offered), JSON);
        assert_eq!(pick(Some("garbage, text/csv;q=2"), &offered), JSON);
    }

    #[test]
    fn geojson_only_when_preferred() {
        let offered = [JSON, GEO_JSON];
        assert_eq!(pick(Some("application/geo+json"), &offered), GEO_JSON);
        assert_eq!(pick(Some("application/json, application/geo+json;q=0"), &offered), JSON);
        assert_eq!(pick(Some("application/geo+json;q=0, application/*"), &offered), JSON);
        assert_eq!(pick(Some("application/*"), &offered), JSON);
        assert_eq!(
            pick(Some("application/json;q=0.1, application/geo+json"), &offered),
            GEO_JSON
        );
    }
}
