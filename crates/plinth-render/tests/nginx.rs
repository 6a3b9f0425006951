//! The nginx edge against the real nginx. Every rendered configuration passes `nginx -t` with only
//! its address includes swapped (certificate paths to a self-signed certificate made with openssl,
//! upstream hosts to 127.0.0.1); and company-directory's development edge, run with ephemeral
//! loopback ports in front of small HTTP responders, redirects to HTTPS (all but the compose
//! healthcheck's `/healthz`), completes a TLS handshake with the certificate, sends the security
//! headers, compresses, passes the tenant and request id, guards admin paths, proxies health
//! checks, falls back to `index.html` for client-side routes, and answers 429 once the spec's rate
//! is exceeded. Requests go through curl (`--resolve`).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The nginx directories of every rendered example and variant: `(label, directory)`.
fn nginx_dirs(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for (spec, artifacts) in common::render_all_to(root) {
        for (path, _) in artifacts.iter() {
            if path.starts_with("environments/") && path.ends_with("/nginx/nginx.conf") {
                let dir = root.join(&spec).join(path).parent().unwrap().to_owned();
                out.push((format!("{spec}/{path}"), dir));
            }
        }
    }
    out
}

/// Writes a self-signed certificate for `names` into `dir`; returns the certificate path.
fn certificate(dir: &Path, names: &[&str]) -> PathBuf {
    let alt: Vec<String> = names.iter().map(|name| format!("DNS:{name}")).collect();
    let output = Command::new(common::tool("openssl").unwrap())
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", &format!("/CN={}", names[0])])
        .arg("-addext")
        .arg(format!("subjectAltName={}", alt.join(",")))
        .arg("-keyout")
        .arg(dir.join("test.key"))
        .arg("-out")
        .arg(dir.join("test.crt"))
        .output()
        .unwrap();
    assert!(output.status.success(), "openssl: {}", String::from_utf8_lossy(&output.stderr));
    std::fs::write(
        dir.join("certificates.conf"),
        format!("ssl_certificate {0}/test.crt;\nssl_certificate_key {0}/test.key;\n", dir.display()),
    )
    .unwrap();
    dir.join("test.crt")
}

/// Rewrites the `server host:port` lines of `upstreams.conf` to `127.0.0.1:<port_of(upstream)>`.
fn point_upstreams(dir: &Path, port_of: impl Fn(&str, u16) -> u16) {
    let path = dir.join("upstreams.conf");
    let mut upstream = String::new();
    let mut out = String::new();
    for line in std::fs::read_to_string(&path).unwrap().lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["upstream", name, "{"] => upstream = (*name).to_owned(),
            ["server", address] => {
                let port: u16 = address.trim_end_matches(';').rsplit_once(':').unwrap().1.parse().unwrap();
                out.push_str(&format!("    server 127.0.0.1:{};\n", port_of(&upstream, port)));
                continue;
            }
            _ => {}
        }
        out.push_str(line);
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn nginx_command(nginx: &Path, dir: &Path) -> Command {
    let mut command = Command::new(nginx);
    command
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-g")
        .arg(format!("pid {}; daemon off; master_process off;", dir.join("nginx.pid").display()));
    command
}

#[test]
fn nginx_accepts_every_rendered_config() {
    let Some(nginx) = common::tool("nginx") else { return };
    let Some(_) = common::tool("openssl") else { return };
    let root = tempfile::tempdir().unwrap();
    let dirs = nginx_dirs(root.path());
    assert!(dirs.len() >= 4, "expected the examples' local edges, found {}", dirs.len());
    for (label, dir) in dirs {
        certificate(&dir, &["localhost"]);
        point_upstreams(&dir, |_, port| port);
        let output = nginx_command(&nginx, &dir).arg("-t").output().unwrap();
        assert!(output.status.success(), "{label}: nginx -t:\n{}", String::from_utf8_lossy(&output.stderr));
    }
}

/// A free loopback port (bound, then released for nginx to take).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A keep-alive HTTP/1.1 responder on loopback. `/index.html` is an HTML page, `/static/…` a
/// script (with `Cache-Control: no-store`, which the edge must replace), paths starting `/missing`
/// and `/people` are 404s (a client-side route the SPA fallback must catch), and everything else
/// answers 200 with the request head it received, padded to 8 KiB of text so gzip applies.
fn responder() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

fn serve(stream: TcpStream) {
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let (status, content_type, extra, body) = if path == "/index.html" {
            ("200 OK", "text/html", "", "<!doctype html><title>INDEX</title>".to_owned())
        } else if path.starts_with("/static/") {
            ("200 OK", "application/javascript", "Cache-Control: no-store\r\n", "console.log(1);".to_owned())
        } else if path.starts_with("/missing") || path.starts_with("/people") {
            ("404 Not Found", "text/plain", "", "not found".to_owned())
        } else {
            let mut body = head.to_lowercase();
            while body.len() < 8192 {
                body.push_str("padding padding padding padding\n");
            }
            ("200 OK", "text/plain", "", body)
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// nginx running on a prepared directory, killed when dropped (also when a test panics).
struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
    http: u16,
    https: u16,
    cert: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const HOST: &str = "acme.directory.example.com";

/// company-directory's development edge on ephemeral ports, upstreams on local responders.
fn start_edge(nginx: &Path) -> Nginx {
    let root = tempfile::tempdir().unwrap();
    let rendered = nginx_dirs(root.path())
        .into_iter()
        .find(|(label, _)| label.starts_with("company-directory/environments/development/"))
        .expect("company-directory development renders an edge")
        .1;
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&rendered).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let cert = certificate(dir.path(), &["directory.example.com", "*.directory.example.com"]);
    let responders: BTreeMap<&str, u16> = [("backend", responder()), ("frontend", responder())].into();
    point_upstreams(dir.path(), |name, _| responders[name]);
    let (http, https) = (free_port(), free_port());
    std::fs::write(dir.path().join("listen-http.conf"), format!("listen 127.0.0.1:{http};\n")).unwrap();
    std::fs::write(dir.path().join("listen-https.conf"), format!("listen 127.0.0.1:{https} ssl http2;\n")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("nginx.conf")).unwrap(),
        std::fs::read_to_string(rendered.join("nginx.conf")).unwrap(),
        "nginx.conf itself runs unchanged"
    );
    let child = nginx_command(nginx, dir.path()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let edge = Nginx { child, dir, http, https, cert };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", https)).is_err() {
        let log = std::fs::read_to_string(edge.dir.path().join("error.log")).unwrap_or_default();
        assert!(Instant::now() < deadline, "nginx did not start listening:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    edge
}

/// A response: status, headers (lower-case names), body.
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

/// One HTTPS (or, with `https: false`, HTTP) request to `HOST` through the edge, verifying the
/// certificate against the self-signed one.
fn get(edge: &Nginx, https: bool, path: &str, headers: &[&str]) -> Response {
    let (scheme, port) = if https { ("https", edge.https) } else { ("http", edge.http) };
    let mut command = Command::new(common::tool("curl").unwrap());
    command
        .args(["-sS", "--max-time", "5", "-D", "-", "-o", "-"])
        .arg("--cacert")
        .arg(&edge.cert)
        .arg("--resolve")
        .arg(format!("{HOST}:{port}:127.0.0.1"));
    for header in headers {
        command.args(["-H", header]);
    }
    let output = command.arg(format!("{scheme}://{HOST}:{port}{path}")).output().unwrap();
    assert!(output.status.success(), "curl {path}: {}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_lowercase(), value.trim().to_owned()))
        .collect();
    Response { status, headers, body: body.to_owned() }
}

fn company_directory_development() -> plinth_spec::model::Platform {
    let (_, platforms) = common::examples().into_iter().find(|(name, _)| name == "company-directory").unwrap();
    platforms.into_iter().find(|p| p.environment.name == "development").unwrap()
}

#[test]
fn the_edge_serves_company_directory() {
    let Some(nginx) = common::tool("nginx") else { return };
    let (Some(_), Some(_)) = (common::tool("openssl"), common::tool("curl")) else { return };
    let edge = start_edge(&nginx);

    let redirect = get(&edge, false, "/people?x=1", &[]);
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.headers["location"], format!("https://{HOST}/people?x=1"));
    let healthz = get(&edge, false, "/healthz", &[]);
    assert_eq!(healthz.status, 200, "the compose healthcheck's path is answered on HTTP, not redirected");
    assert_eq!(get(&edge, false, "/healthz/more", &[]).status, 301, "only the exact path");

    let echo = get(&edge, true, "/api/echo", &["X-Tenant: evil", "X-Request-Id: req-123"]);
    assert_eq!(echo.status, 200, "{}", echo.body);
    for header in ["strict-transport-security", "content-security-policy", "x-content-type-options", "referrer-policy"]
    {
        assert!(echo.headers.contains_key(header), "missing {header}: {:?}", echo.headers);
    }
    assert_eq!(echo.headers["x-frame-options"], "DENY");
    assert_eq!(echo.headers["x-request-id"], "req-123");
    assert!(echo.body.contains("x-tenant: acme\r\n"), "tenant not passed:\n{}", echo.body);
    assert!(!echo.body.contains("evil"), "the client chose the tenant:\n{}", echo.body);
    assert!(echo.body.contains("x-request-id: req-123\r\n"), "{}", echo.body);
    assert!(echo.body.contains("x-forwarded-proto: https\r\n"), "{}", echo.body);

    let generated = get(&edge, true, "/api/echo", &[]);
    assert!(generated.headers["x-request-id"].len() >= 16, "no generated request id");

    let compressed = get(&edge, true, "/api/echo", &["Accept-Encoding: gzip"]);
    assert_eq!(compressed.headers.get("content-encoding").map(String::as_str), Some("gzip"));

    let health = get(&edge, true, "/health/backend", &[]);
    assert_eq!(health.status, 200);
    assert!(health.body.starts_with("get /health http/1.1"), "{}", health.body);

    let admin = get(&edge, true, "/api/admin/users", &[]);
    assert_eq!(admin.status, 403, "127.0.0.1 is outside security.admin_allow");
    assert!(admin.headers.contains_key("strict-transport-security"), "headers are sent `always`");

    let route = get(&edge, true, "/people/42", &[]);
    assert_eq!(route.status, 200, "client-side route");
    assert!(route.body.contains("INDEX"), "{}", route.body);
    assert_eq!(route.headers["cache-control"], "no-cache");

    let asset = get(&edge, true, "/static/main.3f2a1b4c.js", &[]);
    assert_eq!(asset.status, 200);
    assert_eq!(asset.headers["cache-control"], "public, max-age=31536000, immutable");
    let missing_asset = get(&edge, true, "/missing/main.3f2a1b4c.js", &[]);
    assert_eq!(missing_asset.status, 404, "a missing asset must not turn into index.html");
}

#[test]
fn the_edge_limits_each_client_to_the_spec_rate() {
    let Some(nginx) = common::tool("nginx") else { return };
    let (Some(_), Some(curl)) = (common::tool("openssl"), common::tool("curl")) else { return };
    let rate = company_directory_development().security.rate_limit.expect("seed 004 sets 100/min");
    let edge = start_edge(&nginx);
    let conf = std::fs::read_to_string(edge.dir.path().join("nginx.conf")).unwrap();
    assert!(conf.contains(&format!("rate={}r/m", rate.requests * 60 / rate.per_seconds)), "rendered rate");
    let burst: u32 = conf.split("burst=").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    assert!(burst < rate.requests, "burst {burst} is below the window's {} requests", rate.requests);

    // One curl, one connection: burst + 10 requests in far less than the rate's interval.
    let count = burst + 11;
    let url = format!("https://{HOST}:{}/api/echo", edge.https);
    let started = Instant::now();
    let output = Command::new(curl)
        .args(["-sS", "--max-time", "10", "-w", "%{http_code}\\n"])
        .arg("--cacert")
        .arg(&edge.cert)
        .arg("--resolve")
        .arg(format!("{HOST}:{}:127.0.0.1", edge.https))
        .args(std::iter::repeat_n([url.as_str(), "-o", "/dev/null"], count as usize).flatten())
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let statuses: Vec<u16> = String::from_utf8_lossy(&output.stdout).lines().map(|s| s.parse().unwrap()).collect();
    assert_eq!(statuses.len(), count as usize, "{}", String::from_utf8_lossy(&output.stderr));
    assert!(statuses[..=burst as usize].iter().all(|&s| s == 200), "the first {} pass: {statuses:?}", burst + 1);
    let interval = Duration::from_secs(u64::from(rate.per_seconds)) / rate.requests;
    let refilled = u32::try_from(elapsed.as_nanos() / interval.as_nanos()).unwrap();
    let passed = u32::try_from(statuses.iter().filter(|&&s| s == 200).count()).unwrap();
    assert!(passed <= burst + 1 + refilled, "{passed} passed in {elapsed:?}: {statuses:?}");
    assert!(statuses.contains(&429), "no 429 after the burst: {statuses:?}");
}
