//! Response compression: brotli or gzip by `Accept-Encoding`, for compressible content types above
//! a minimum size, never on already-encoded bodies.

use async_compression::Level;
use async_compression::tokio::bufread::{BrotliEncoder, GzipEncoder};
use futures_util::TryStreamExt;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Response, StatusCode};
use http_body_util::{BodyDataStream, BodyExt, StreamBody};
use hyper::body::Frame;
use tokio_util::io::{ReaderStream, StreamReader};

use crate::config::Compression;
use crate::upstream::Body;

/// A content coding the gateway produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
    Brotli,
    Gzip,
}

/// The preferred coding the client accepts (`q` > 0), brotli before gzip on ties.
fn negotiate(accept: &HeaderMap) -> Option<Coding> {
    let mut best: Option<(Coding, f32)> = None;
    for item in
        accept.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','))
    {
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
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("json")
        || essence.ends_with("javascript")
        || essence.ends_with("xml")
        || essence == "image/svg+xml"
}

/// The coding to answer a request with these headers in, when compression is on: read before the
/// request is forwarded, so that its headers need not be kept.
pub(crate) fn requested(config: &Compression, request_headers: &HeaderMap) -> Option<Coding> {
    if config.enabled { negotiate(request_headers) } else { None }
}

/// Compresses `response` in the `requested` coding when the body qualifies.
pub(crate) fn maybe_compress(
    config: &Compression,
    method: &Method,
    requested: Option<Coding>,
    response: Response<Body>,
) -> Response<Body> {
    let headers = response.headers();
    let status = response.status();
    let Some(coding) = requested else { return response };
    let qualifies = method != Method::HEAD
        && !matches!(status, StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT)
        && !status.is_informational()
        && !headers.contains_key(header::CONTENT_ENCODING)
        && !headers.contains_key(header::CONTENT_RANGE)
        && headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(compressible)
        && headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .is_none_or(|length| length >= config.min_size);
    if !qualifies {
        return response;
    }
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

    fn accept(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn negotiates_by_quality_preferring_brotli() {
        assert_eq!(negotiate(&accept("gzip, deflate, br")), Some(Coding::Brotli));
        assert_eq!(negotiate(&accept("br;q=0.5, gzip")), Some(Coding::Gzip));
        assert_eq!(negotiate(&accept("gzip;q=0, identity")), None);
        assert_eq!(negotiate(&HeaderMap::new()), None);
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
        let compressed = maybe_compress(&config, &method, requested(&config, &accept("gzip")), response(headers));
        compressed.headers().get(header::CONTENT_ENCODING).cloned()
    }

    #[test]
    fn compresses_only_what_qualifies() {
        let json = ("content-type", "application/json");
        assert_eq!(encoding(Method::GET, &[json, ("content-length", "4096")]).unwrap(), "gzip");
        assert_eq!(encoding(Method::GET, &[json]).unwrap(), "gzip", "unknown length is compressed");
        assert_eq!(encoding(Method::GET, &[json, ("content-length", "100")]), None, "below the minimum size");
        assert_eq!(encoding(Method::HEAD, &[json]), None);
        assert_eq!(encoding(Method::GET, &[json, ("content-encoding", "br")]).unwrap(), "br", "never twice");
        assert_eq!(encoding(Method::GET, &[("content-type", "image/png")]), None);
        assert_eq!(encoding(Method::GET, &[]), None, "no content type");
    }

    #[test]
    fn compresses_text_like_types_only() {
        assert!(compressible("application/json; charset=utf-8"));
        assert!(compressible("text/html"));
        assert!(compressible("image/svg+xml"));
        assert!(compressible("application/javascript"));
        assert!(!compressible("image/png"));
        assert!(!compressible("application/octet-stream"));
    }
}
