//! Response compression: brotli or gzip by `Accept-Encoding`, for compressible content types above
//! a minimum size, never on already-encoded bodies.

use async_compression::Level;
use async_compression::tokio::bufread::{BrotliEncoder, GzipEncoder};
use futures_util::TryStreamExt;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Response, StatusCode};
use http_body_util::{BodyDataStream, BodyExt, StreamBody};
use hyper::body::{Body as _, Frame};
use tokio_util::io::{ReaderStream, StreamReader};

use crate::config::Compression;
use crate::upstream::Body;

/// A content coding the gateway produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
    Brotli,
    Gzip,
}

/// The preferred coding an `Accept-Encoding` value accepts (`q` > 0), brotli before gzip on ties.
fn negotiate(accept: &HeaderValue) -> Option<Coding> {
    let mut best: Option<(Coding, f32)> = None;
    for item in accept.to_str().unwrap_or_default().split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let coding = if name.eq_ignore_ascii_case("br") {
            Coding::Brotli
        } else if name.eq_ignore_ascii_case("gzip") {
            Coding::Gzip
        } else {
            continue;
        };
        let q =
            parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        let better = match best {
            None => true,
            Some((current, best_q)) => {
                q > best_q || (q == best_q && coding == Coding::Brotli && current != Coding::Brotli)
            }
        };
        if q > 0.0 && better {
            best = Some((coding, q));
        }
    }
    best.map(|(coding, _)| coding)
}

/// Whether a content type is worth compressing: text, JSON, JavaScript, SVG and XML.
fn compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().as_bytes();
    let starts = |prefix: &[u8]| essence.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    let ends = |suffix: &[u8]| {
        essence.len() >= suffix.len() && essence[essence.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    starts(b"text/") || ends(b"json") || ends(b"javascript") || ends(b"xml")
}

/// The request's `Accept-Encoding` (several lines joined), kept before the request is forwarded
/// and read only if the response qualifies; `None` when compression is off or none was sent.
pub(crate) fn accepted(config: &Compression, request_headers: &HeaderMap) -> Option<HeaderValue> {
    if !config.enabled {
        return None;
    }
    let mut values = request_headers.get_all(header::ACCEPT_ENCODING).iter();
    let first = values.next()?;
    let rest: Vec<&[u8]> = values.map(HeaderValue::as_bytes).collect();
    if rest.is_empty() {
        return Some(first.clone());
    }
    HeaderValue::from_bytes(&[first.as_bytes()].into_iter().chain(rest).collect::<Vec<_>>().join(&b", "[..])).ok()
}

/// Compresses `response` when the body qualifies, in the best coding `accepted` allows.
pub(crate) fn maybe_compress(
    config: &Compression,
    method: &Method,
    accepted: Option<&HeaderValue>,
    response: Response<Body>,
) -> Response<Body> {
    let headers = response.headers();
    let status = response.status();
    let Some(accepted) = accepted else { return response };
    let qualifies = method != Method::HEAD
        && !matches!(status, StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT)
        && !status.is_informational()
        && !headers.contains_key(header::CONTENT_ENCODING)
        && !headers.contains_key(header::CONTENT_RANGE)
        && headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .or_else(|| response.body().size_hint().exact())
            .is_none_or(|length| length >= config.min_size)
        && headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(compressible);
    let Some(coding) = qualifies.then(|| negotiate(accepted)).flatten() else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let reader = StreamReader::new(BodyDataStream::new(body).map_err(std::io::Error::other));
    let encoded = match coding {
        Coding::Brotli => stream(BrotliEncoder::with_quality(reader, Level::Precise(4))),
        Coding::Gzip => stream(GzipEncoder::new(reader)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::ACCEPT_RANGES);
    parts.headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(if coding == Coding::Brotli { "br" } else { "gzip" }),
    );
    parts.headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    Response::from_parts(parts, encoded)
}

fn stream(reader: impl tokio::io::AsyncRead + Send + 'static) -> Body {
    let frames = ReaderStream::new(reader).map_ok(Frame::data).map_err(Into::into);
    StreamBody::new(frames).boxed_unsync()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        }
        headers
    }

    fn negotiated(values: &[&'static str]) -> Option<Coding> {
        accepted(&Compression::default(), &accept(values)).and_then(|value| negotiate(&value))
    }

    #[test]
    fn negotiates_by_quality_preferring_brotli() {
        assert_eq!(negotiated(&["gzip, deflate, br"]), Some(Coding::Brotli));
        assert_eq!(negotiated(&["br;q=0.5, gzip"]), Some(Coding::Gzip));
        assert_eq!(negotiated(&["br;q=0.5", "GZIP"]), Some(Coding::Gzip), "several lines count together");
        assert_eq!(negotiated(&["gzip;q=0, identity"]), None);
        assert_eq!(negotiated(&[]), None);
        let off = Compression { enabled: false, ..Compression::default() };
        assert_eq!(accepted(&off, &accept(&["gzip"])), None);
    }

    fn response(headers: &[(&'static str, &'static str)]) -> Response<Body> {
        let mut response = Response::new(crate::upstream::full(vec![b'a'; 4096]));
        for (name, value) in headers {
            response.headers_mut().insert(*name, HeaderValue::from_static(value));
        }
        response
    }

    fn encoding(method: Method, headers: &[(&'static str, &'static str)]) -> Option<HeaderValue> {
        let config = Compression::default();
        let accepted = accepted(&config, &accept(&["gzip"]));
        let compressed = maybe_compress(&config, &method, accepted.as_ref(), response(headers));
        compressed.headers().get(header::CONTENT_ENCODING).cloned()
    }

    #[test]
    fn compresses_only_what_qualifies() {
        let json = ("content-type", "application/json");
        assert_eq!(encoding(Method::GET, &[json, ("content-length", "4096")]).unwrap(), "gzip");
        assert_eq!(encoding(Method::GET, &[json]).unwrap(), "gzip", "the body's own length counts");
        assert_eq!(encoding(Method::GET, &[json, ("content-length", "100")]), None, "below the minimum size");
        assert_eq!(encoding(Method::HEAD, &[json]), None);
        assert_eq!(encoding(Method::GET, &[json, ("content-encoding", "br")]).unwrap(), "br", "never twice");
        assert_eq!(encoding(Method::GET, &[("content-type", "image/png")]), None);
        assert_eq!(encoding(Method::GET, &[]), None, "no content type");
        let small = maybe_compress(
            &Compression::default(),
            &Method::GET,
            Some(&HeaderValue::from_static("gzip")),
            crate::proxy::answer(http::StatusCode::BAD_GATEWAY, "upstream unreachable"),
        );
        assert_eq!(small.headers().get(header::CONTENT_ENCODING), None, "a short answer without Content-Length");
    }

    #[test]
    fn compresses_text_like_types_only() {
        assert!(compressible("application/json; charset=utf-8"));
        assert!(compressible("text/html"));
        assert!(compressible("image/svg+xml"));
        assert!(compressible("application/javascript"));
        assert!(compressible("Text/CSS"));
        assert!(!compressible("image/png"));
        assert!(!compressible("application/octet-stream"));
    }
}
