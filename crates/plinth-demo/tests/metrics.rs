//! `/metrics` over real sockets: the exposition parses, and counts requests by method, route
//! template and status, injected errors included.

mod common;

use std::collections::BTreeMap;

/// The samples of an exposition: series (name and labels as written) → value. Panics on a line
/// that is neither a comment nor `series value`.
fn samples(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("unparsable line {line:?}"));
        let value = value.parse().unwrap_or_else(|_| panic!("bad value in {line:?}"));
        assert!(out.insert(series.to_owned(), value).is_none(), "duplicate series {series}");
    }
    out
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status() {
    let demo = common::start(common::config()).await;
    for path in ["/status/503", "/status/503", "/status/418", "/", "/nope", "/also/nope"] {
        demo.get(path).await;
    }
    demo.post("/chaos", r#"{"error_rate": 1}"#).await;
    demo.get("/version").await;

    let answer = demo.get("/metrics").await;
    assert_eq!(answer.status, 200);
    assert!(answer.header("content-type").unwrap().starts_with("application/openmetrics-text"));
    assert!(answer.body.ends_with("# EOF\n"), "{}", answer.body);
    let samples = samples(&answer.body);
    let count = |labels: &str| samples.get(&format!("http_requests_total{{{labels}}}")).copied();
    assert_eq!(count(r#"method="GET",route="/status/{code}",status="503""#), Some(2.0));
    assert_eq!(count(r#"method="GET",route="/status/{code}",status="418""#), Some(1.0));
    assert_eq!(count(r#"method="GET",route="/",status="200""#), Some(1.0));
    assert_eq!(count(r#"method="GET",route="unmatched",status="404""#), Some(2.0), "raw paths stay out of labels");
    assert_eq!(count(r#"method="POST",route="/chaos",status="200""#), Some(1.0));
    assert_eq!(count(r#"method="GET",route="/version",status="500""#), Some(1.0), "injected errors are counted");

    let histogram = r#"method="GET",route="/status/{code}",status="503""#;
    assert_eq!(samples.get(&format!("http_request_duration_seconds_count{{{histogram}}}")), Some(&2.0));
    let inf = format!(r#"http_request_duration_seconds_bucket{{le="+Inf",{histogram}}}"#);
    assert_eq!(samples.get(&inf), Some(&2.0));
    assert!(samples.contains_key(&format!("http_request_duration_seconds_sum{{{histogram}}}")));
    assert!(answer.body.contains("# TYPE http_request_duration_seconds histogram"));
    assert!(answer.body.contains("# TYPE http_requests counter"));
    demo.stop().await;
}
