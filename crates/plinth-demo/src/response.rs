//! Building responses: every answer but `/metrics` is JSON.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

/// What every handler answers with.
pub(crate) type Reply = Response<Full<Bytes>>;

/// `body` as JSON with `status`.
pub(crate) fn json(status: StatusCode, body: &Value) -> Reply {
    let mut text = body.to_string();
    text.push('\n');
    with_type(status, "application/json", text)
}

/// `{"error": message}` with `status`.
pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Reply {
    json(status, &json!({ "error": message.into() }))
}

/// `text` with `status` and `content_type`.
pub(crate) fn with_type(status: StatusCode, content_type: &'static str, text: String) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
