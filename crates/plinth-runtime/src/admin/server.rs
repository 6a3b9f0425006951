//! The admin API's HTTP/1.1 server (hyper): authentication, then one handler per endpoint.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use super::files::constant_time_eq;
use crate::environment::Environment;
use crate::supervisor::LogLine;

type Body = BoxBody<Bytes, Infallible>;

/// Largest request body accepted.
const MAX_BODY: usize = 64 * 1024;

/// Serves the admin API for `environment` on `listener` (bind it to loopback) until aborted.
pub fn serve(listener: TcpListener, token: String, environment: Arc<Environment>) -> JoinHandle<()> {
    let token: Arc<str> = token.into();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let (token, environment) = (Arc::clone(&token), Arc::clone(&environment));
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let (token, environment) = (Arc::clone(&token), Arc::clone(&environment));
                    async move { Ok::<_, Infallible>(handle(request, &token, &environment).await) }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    })
}

async fn handle(request: Request<Incoming>, token: &str, environment: &Environment) -> Response<Body> {
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "))
        .is_some_and(|given| constant_time_eq(given, token.as_bytes()));
    if !authorized {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token (see the environment's admin.token)");
    }
    let query = request.uri().query().unwrap_or_default().to_owned();
    match (request.method().clone(), request.uri().path()) {
        (Method::GET, "/v1/status") => reply(StatusCode::OK, &environment.status()),
        (Method::POST, "/v1/scale") => scale(request, environment).await,
        (Method::POST, "/v1/reload") => match environment.reload().await {
            Ok(outcome) => reply(StatusCode::OK, &outcome),
            Err(err) => error(StatusCode::BAD_REQUEST, &err.to_string()),
        },
        (Method::POST, "/v1/down") => {
            environment.request_down();
            reply(StatusCode::ACCEPTED, &json!({ "stopping": true, "pid": std::process::id() }))
        }
        (Method::GET, "/v1/logs") => logs(&query, environment),
        _ => error(StatusCode::NOT_FOUND, "no such endpoint: /v1/status, /v1/scale, /v1/reload, /v1/down, /v1/logs"),
    }
}

async fn scale(request: Request<Incoming>, environment: &Environment) -> Response<Body> {
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(body) => body.to_bytes(),
        Err(err) => return error(StatusCode::BAD_REQUEST, &format!("cannot read the body: {err}")),
    };
    let parsed: Option<(String, u32)> = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        let replicas = u32::try_from(v["replicas"].as_u64()?).ok()?;
        Some((v["service"].as_str()?.to_owned(), replicas))
    });
    let Some((service, replicas)) = parsed else {
        return error(StatusCode::BAD_REQUEST, "expected {\"service\": \"name\", \"replicas\": N}");
    };
    match environment.scale(&service, replicas).await {
        Ok(()) => reply(StatusCode::OK, &json!({ "service": service, "replicas": replicas })),
        Err(err @ crate::Error::UnknownProcess(_)) => error(StatusCode::NOT_FOUND, &err.to_string()),
        Err(err) => error(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
    }
}

/// Recent lines (of one service, or all), then new ones when following.
fn logs(query: &str, environment: &Environment) -> Response<Body> {
    let param = |name: &str| query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='));
    let service = param("service").filter(|s| !s.is_empty()).map(str::to_owned);
    let follow = param("follow").is_some_and(|v| v == "1" || v == "true");
    let supervisor = environment.supervisor();
    let mut processes: Vec<String> = supervisor.snapshot().into_iter().map(|s| s.process).collect();
    processes.dedup();
    if let Some(service) = &service
        && !processes.contains(service)
    {
        return error(StatusCode::NOT_FOUND, &format!("no process named `{service}`"));
    }
    // Subscribed before reading the buffers, so no line falls between them.
    let subscription = supervisor.subscribe_logs();
    let mut recent: Vec<LogLine> = match &service {
        Some(service) => supervisor.recent_logs(service),
        None => processes.iter().flat_map(|p| supervisor.recent_logs(p)).collect(),
    };
    recent.sort_by_key(|line| line.time);
    let recent = futures_util::stream::iter(recent.into_iter().map(|line| Ok(frame(&line))));
    let response = Response::builder().status(StatusCode::OK).header(header::CONTENT_TYPE, "application/x-ndjson");
    if !follow {
        return response.body(BodyExt::boxed(StreamBody::new(recent))).expect("a valid response");
    }
    let live = futures_util::stream::unfold((subscription, service), |(mut rx, service)| async move {
        loop {
            match rx.recv().await {
                Ok(line) if service.as_ref().is_none_or(|s| s == &line.process) => {
                    return Some((Ok(frame(&line)), (rx, service)));
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            }
        }
    });
    response.body(BodyExt::boxed(StreamBody::new(recent.chain(live)))).expect("a valid response")
}

fn frame(line: &LogLine) -> Frame<Bytes> {
    Frame::data(Bytes::from(format!("{}\n", line.to_json())))
}

fn reply(status: StatusCode, value: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(value.to_string())).boxed())
        .expect("a valid response")
}

fn error(status: StatusCode, message: &str) -> Response<Body> {
    reply(status, &json!({ "error": message }))
}
