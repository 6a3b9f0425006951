//! The request path: rate limit, host check, HTTPS redirect, route, pick a replica, forward with
//! retries and passive ejection, then headers, compression, metrics and the access log.

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::uri::PathAndQuery;
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};
use hyper::upgrade::OnUpgrade;

use crate::access_log::{LoggedBody, Record};
use crate::balance::Pick;
use crate::compress::{self, maybe_compress};
use crate::gateway::Shared;
use crate::headers::{self, REQUEST_ID};
use crate::metrics::{BackendLabels, RequestLabels, UpstreamErrorLabels, VersionHandles};
use crate::route;
use crate::state::{BackendState, Live};
use crate::upgrade;
use crate::upstream::{Body, SendError, full};

/// Largest request body buffered so that an idempotent request can be retried.
const MAX_REPLAY_BODY: u64 = 1024 * 1024;

/// The connection a request arrived on.
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    pub client: SocketAddr,
    /// The client's address as header text, formatted once per connection.
    pub client_ip: HeaderValue,
    pub https: bool,
    /// Set on an internal listener: every request goes to its backend.
    pub internal: Option<Arc<Internal>>,
}

impl Conn {
    pub(crate) fn new(client: SocketAddr, https: bool, internal: Option<Arc<Internal>>) -> Self {
        Self { client, client_ip: headers::client_ip(client.ip()), https, internal }
    }
}

/// An internal listener's target: calls between services, like a Kubernetes Service's cluster
/// address — one backend, no host routing, rate limit or HTTPS redirect.
#[derive(Debug)]
pub(crate) struct Internal {
    /// The backend's name.
    pub backend: Arc<str>,
    /// The `route` label of its requests: `internal/<backend>`.
    pub label: Arc<str>,
}

impl Internal {
    pub(crate) fn new(backend: &str) -> Self {
        Self { backend: backend.into(), label: format!("internal/{backend}").into() }
    }
}

/// Serves one client request.
pub(crate) async fn handle(shared: Arc<Shared>, conn: Conn, request: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let live = shared.live.load_full();
    let request_id = headers::request_id(request.headers());
    let method = request.method().clone();
    let accepted = compress::accepted(&live.config.compression, request.headers());
    let mut record = Record::new(request_id.clone(), conn.client_ip.clone(), method.clone(), request.uri().clone());
    let mut response = serve(&shared, &live, &conn, request, &request_id, &mut record, started).await;
    record.status = response.status().as_u16();
    count(&shared, &live, &record);
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID, request_id);
    live.security.add(headers, conn.https);
    let response = maybe_compress(&live.config.compression, &method, accepted.as_ref(), response);
    let access_log = live.config.access_log.clone();
    response.map(|body| LoggedBody::new(body, access_log, record, started).boxed_unsync())
}

/// Counts the answer in the request counter, through the route's cached counter when a route and
/// a version answered.
fn count(shared: &Shared, live: &Live, record: &Record) {
    let class = usize::from(record.status / 100);
    let labels = || RequestLabels {
        route: record.route.clone().unwrap_or_else(unset),
        backend: record.backend.clone().unwrap_or_else(unset),
        version: record.version.clone().unwrap_or_else(unset),
        class: status_class(class),
    };
    match (record.route_index, record.version_index) {
        (Some(route), Some(version)) if (1..=5).contains(&class) => {
            live.routes[route].requests(version, class, &shared.metrics, labels).inc()
        }
        _ => shared.metrics.requests.get_or_create(&labels()).inc(),
    };
}

/// The empty label value of a request that reached no route, backend or version.
fn unset() -> Arc<str> {
    static UNSET: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(""));
    UNSET.clone()
}

/// The `class` label of a status whose first digit is `class`: `2xx`, `4xx`…
fn status_class(class: usize) -> &'static str {
    const CLASSES: [&str; 10] = ["0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"];
    CLASSES[class.min(9)]
}

/// A plain-text answer from the gateway itself.
pub(crate) fn answer(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(full(format!("{text}\n")));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

async fn serve(
    shared: &Shared,
    live: &Live,
    conn: &Conn,
    request: Request<Incoming>,
    request_id: &HeaderValue,
    record: &mut Record,
    started: Instant,
) -> Response<Body> {
    if conn.internal.is_none()
        && let Some(limiter) = &live.limiter
        && let Err(wait) = limiter.check(conn.client.ip())
    {
        shared.metrics.rate_limited.inc();
        let mut response = answer(StatusCode::TOO_MANY_REQUESTS, "too many requests");
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return response;
    }
    let raw_host = match request.uri().authority() {
        Some(authority) => HeaderValue::from_str(authority.as_str()).ok(),
        None => request.headers().get(header::HOST).cloned(),
    };
    let Some((raw_host, host)) =
        raw_host.as_ref().and_then(|raw| Some((raw, route::normalize_host(raw.to_str().ok()?)?)))
    else {
        return answer(StatusCode::BAD_REQUEST, "missing or invalid Host");
    };
    record.host = Some(raw_host.clone());
    let (backend, tenant) = match &conn.internal {
        Some(internal) => {
            let Some(backend) = live.backends.get(&*internal.backend) else {
                return answer(StatusCode::SERVICE_UNAVAILABLE, "no such service");
            };
            record.route = Some(internal.label.clone());
            (backend, None)
        }
        None => {
            if !conn.https
                && live.config.redirect_https
                && let Some(port) = shared.https_port
            {
                return redirect(&host, port, request.uri());
            }
            let Some(matched) = route::find(&live.config.routes, &host, request.uri().path()) else {
                return if conn.https && !route::host_known(&live.config.routes, &host) {
                    answer(StatusCode::MISDIRECTED_REQUEST, "this host is not served here")
                } else {
                    answer(StatusCode::NOT_FOUND, "no route")
                };
            };
            let route = &live.routes[matched.index];
            record.route = Some(route.label.clone());
            record.route_index = Some(matched.index);
            (
                &live.backends[&live.config.routes[matched.index].backend],
                route.tenant_header.as_ref().zip(matched.tenant),
            )
        }
    };
    record.backend = Some(backend.balancer.backend.clone());

    let sticky = backend.config.sticky.as_ref();
    let sticky_pick = sticky
        .and_then(|s| headers::cookie(request.headers(), &s.cookie))
        .and_then(|value| backend.balancer.pick_sticky(value, &[]));
    let had_sticky = sticky_pick.is_some();
    let Some(pick) = sticky_pick.or_else(|| backend.balancer.pick(&[])) else {
        return answer(StatusCode::SERVICE_UNAVAILABLE, "no healthy replica");
    };

    let (mut parts, body) = request.into_parts();
    // An HTTP/1.1 upgrade keeps its two headers; the client side's upgraded connection is kept.
    let upgrade = (parts.version == Version::HTTP_11)
        .then(|| upgrade::requested(&parts.headers))
        .flatten()
        .and_then(|protocol| Some((protocol, parts.extensions.remove::<OnUpgrade>()?)));
    headers::strip_hop_by_hop(&mut parts.headers);
    if let Some((protocol, _)) = &upgrade {
        upgrade::restore(&mut parts.headers, protocol.clone());
    }
    headers::set_forwarded(&mut parts.headers, &conn.client_ip, conn.https, raw_host);
    parts.headers.insert(header::HOST, raw_host.clone());
    parts.headers.insert(REQUEST_ID, request_id.clone());
    if let Some((name, tenant)) = tenant {
        match HeaderValue::from_str(tenant) {
            Ok(value) => parts.headers.insert(name.clone(), value),
            Err(_) => parts.headers.remove(name),
        };
    }
    let idempotent =
        matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE);
    let replay =
        if idempotent && backend.config.retries > 0 && body.size_hint().upper().is_some_and(|n| n <= MAX_REPLAY_BODY) {
            match body.collect().await {
                Ok(collected) => Payload::Replayable(collected.to_bytes()),
                Err(_) => return answer(StatusCode::BAD_REQUEST, "could not read the request body"),
            }
        } else {
            Payload::Once(Some(body.map_err(Into::into).boxed_unsync()))
        };
    let path_and_query = parts.uri.path_and_query().cloned().unwrap_or_else(|| PathAndQuery::from_static("/"));
    let forward = Forward { shared, backend, parts, path_and_query, payload: replay, started };
    let (pick, mut response) = forward.run(pick, record).await;
    if response.status() == StatusCode::SWITCHING_PROTOCOLS {
        let upstream = response.extensions_mut().remove::<OnUpgrade>();
        match (upgrade, upstream) {
            (Some((_, client)), Some(upstream)) => shared.tunnels.open(client, upstream),
            _ => return answer(StatusCode::BAD_GATEWAY, "the upstream switched protocols unasked"),
        }
    }
    if let (Some(sticky), Some(pick)) = (sticky, pick.filter(|_| !had_sticky)) {
        let cookie =
            format!("{}={}; Path=/; HttpOnly; SameSite=Lax", sticky.cookie, backend.balancer.sticky_value(&pick));
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn redirect(host: &str, https_port: u16, uri: &Uri) -> Response<Body> {
    let authority = if https_port == 443 { host.to_owned() } else { format!("{host}:{https_port}") };
    let path = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut response = answer(StatusCode::PERMANENT_REDIRECT, "use HTTPS");
    if let Ok(location) = HeaderValue::from_str(&format!("https://{authority}{path}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Why an upstream attempt produced no response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// Refused, reset or closed before a response: nothing was processed, another replica may retry.
    Connection,
    /// The connection was not established in time; also retryable.
    ConnectTimeout,
    /// No response head within the backend's response timeout; not retried.
    ResponseTimeout,
}

impl Failure {
    fn of(error: &SendError) -> Self {
        match error {
            SendError::ConnectTimeout => Self::ConnectTimeout,
            SendError::Connection(_) => Self::Connection,
        }
    }

    /// The `kind` label of `plinth_gateway_upstream_errors_total`.
    fn label(self) -> &'static str {
        match self {
            Self::Connection => "connection",
            Self::ConnectTimeout => "connect_timeout",
            Self::ResponseTimeout => "response_timeout",
        }
    }
}

/// The request body: buffered (retries possible) or streamed once.
enum Payload {
    Replayable(Bytes),
    Once(Option<Body>),
}

/// One request being forwarded to a backend.
struct Forward<'a> {
    shared: &'a Shared,
    backend: &'a BackendState,
    parts: http::request::Parts,
    path_and_query: PathAndQuery,
    payload: Payload,
    started: Instant,
}

impl Forward<'_> {
    /// Sends to `pick`, retrying idempotent requests on another replica after connection
    /// failures; returns the replica that answered (if any) and the response.
    async fn run(mut self, mut pick: Pick, record: &mut Record) -> (Option<Pick>, Response<Body>) {
        let config = &self.backend.config;
        let balancer = &self.backend.balancer;
        // Replicas that failed this request; empty (no allocation) on the usual path.
        let mut tried = Vec::new();
        loop {
            let handles = balancer.handles(pick.version, &self.shared.metrics, &self.shared.stats);
            record.version = Some(handles.labels.version.clone());
            record.version_index = Some(pick.version);
            record.upstream = Some(pick.replica.authority.clone());
            // Without a retry left, this attempt may take the headers instead of cloning them.
            let last = !matches!(self.payload, Payload::Replayable(_)) || tried.len() >= config.retries as usize;
            let Some(request) = self.request(last) else {
                return (None, answer(StatusCode::BAD_GATEWAY, "upstream unreachable"));
            };
            let upstream = &self.shared.upstream;
            let sent = tokio::time::timeout(
                config.response_timeout,
                upstream.send(pick.replica.addr, &pick.replica.idle, request),
            )
            .await;
            let failure = match sent {
                Ok(Ok(response)) => {
                    let error = response.status().is_server_error();
                    if error {
                        self.record_failure(&pick);
                    } else {
                        pick.replica.record_success();
                    }
                    self.observe(handles, error);
                    let (mut parts, body) = response.into_parts();
                    // A 101's `Connection` and `Upgrade` are the switch itself.
                    if parts.status != StatusCode::SWITCHING_PROTOCOLS {
                        headers::strip_hop_by_hop(&mut parts.headers);
                    }
                    parts.version = Version::HTTP_11;
                    return (Some(pick), Response::from_parts(parts, body));
                }
                Ok(Err(error)) => {
                    tracing::debug!(upstream = %pick.replica.authority, %error, "upstream exchange failed");
                    Failure::of(&error)
                }
                Err(_) => Failure::ResponseTimeout,
            };
            self.shared
                .metrics
                .upstream_errors
                .get_or_create(&UpstreamErrorLabels {
                    backend: handles.labels.backend.clone(),
                    version: handles.labels.version.clone(),
                    kind: failure.label(),
                })
                .inc();
            self.record_failure(&pick);
            tried.push(pick.replica.addr);
            let retry = match (&self.payload, failure) {
                (Payload::Replayable(_), Failure::Connection | Failure::ConnectTimeout)
                    if tried.len() <= config.retries as usize =>
                {
                    balancer.pick_in(pick.version, &tried).or_else(|| balancer.pick(&tried))
                }
                _ => None,
            };
            match retry {
                Some(next) => {
                    self.shared
                        .metrics
                        .retries
                        .get_or_create(&BackendLabels { backend: balancer.backend.clone() })
                        .inc();
                    pick = next;
                }
                None => {
                    self.observe(handles, true);
                    let response = if failure != Failure::Connection {
                        answer(StatusCode::GATEWAY_TIMEOUT, "upstream timed out")
                    } else {
                        answer(StatusCode::BAD_GATEWAY, "upstream unreachable")
                    };
                    return (None, response);
                }
            }
        }
    }

    /// The upstream request (origin-form); `None` when a streamed body was already spent. The
    /// headers are moved rather than cloned when this is the `last` attempt.
    fn request(&mut self, last: bool) -> Option<Request<Body>> {
        let body = match &mut self.payload {
            Payload::Replayable(bytes) => full(bytes.clone()),
            Payload::Once(body) => body.take()?,
        };
        let mut request = Request::new(body);
        *request.method_mut() = self.parts.method.clone();
        *request.uri_mut() = Uri::from(self.path_and_query.clone());
        *request.version_mut() = Version::HTTP_11;
        *request.headers_mut() =
            if last { std::mem::take(&mut self.parts.headers) } else { self.parts.headers.clone() };
        Some(request)
    }

    fn record_failure(&self, pick: &Pick) {
        if pick.replica.record_failure(&self.backend.config.ejection) {
            self.shared
                .metrics
                .ejections
                .get_or_create(&BackendLabels { backend: self.backend.balancer.backend.clone() })
                .inc();
        }
    }

    fn observe(&self, handles: &VersionHandles, error: bool) {
        let latency = self.started.elapsed();
        handles.duration.observe(latency.as_secs_f64());
        handles.stats.record(error, latency);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes() {
        let class = |status: u16| status_class(usize::from(StatusCode::from_u16(status).unwrap().as_u16() / 100));
        assert_eq!(class(200), "2xx");
        assert_eq!(class(502), "5xx");
        assert_eq!(class(999), "9xx");
    }
}
