//! The admin API's client, for `plinth status`, `scale`, `reload`, `down` and `logs`.

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

use super::files::Admin;
use crate::error::{Error, Result};

/// Talks to one running environment.
#[derive(Debug, Clone)]
pub struct AdminClient {
    admin: Admin,
}

impl AdminClient {
    /// A client for `admin`.
    pub fn new(admin: Admin) -> Self {
        Self { admin }
    }

    /// Sends a request and returns the JSON answer; a non-2xx answer is an [`Error::Admin`] with
    /// the server's message.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let response = self.send(method, path, body).await?;
        let status = response.status();
        let bytes = response.into_body().collect().await.map_err(admin_error)?.to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(Error::Admin(failure(status, &value)));
        }
        Ok(value)
    }

    /// Sends a GET and hands each chunk of the answer to `sink` as it arrives (streamed logs).
    pub async fn stream(&self, path: &str, mut sink: impl FnMut(&[u8])) -> Result<()> {
        let response = self.send(Method::GET, path, None).await?;
        let status = response.status();
        let mut body = response.into_body();
        if !status.is_success() {
            let bytes = body.collect().await.map_err(admin_error)?.to_bytes();
            return Err(Error::Admin(failure(status, &serde_json::from_slice(&bytes).unwrap_or(Value::Null))));
        }
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.map_err(admin_error)?.into_data() {
                sink(&data);
            }
        }
        Ok(())
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<http::Response<Incoming>> {
        let address = self.admin.address;
        let stream = TcpStream::connect(address)
            .await
            .map_err(|err| Error::Admin(format!("cannot reach the admin API at {address}: {err}")))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(admin_error)?;
        tokio::spawn(connection);
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, address.to_string())
            .header(header::AUTHORIZATION, format!("Bearer {}", self.admin.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(admin_error)?;
        sender.send_request(request).await.map_err(admin_error)
    }
}

fn failure(status: StatusCode, value: &Value) -> String {
    match value["error"].as_str() {
        Some(message) => format!("{message} ({status})"),
        None => format!("the admin API answered {status}"),
    }
}

fn admin_error(err: impl std::fmt::Display) -> Error {
    Error::Admin(err.to_string())
}
