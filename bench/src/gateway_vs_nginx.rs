//! plinth's gateway against nginx on loopback, measured as runtime-anchors §A.8 says: one upstream
//! (nginx `return 200` with a fixed body), three entry points (direct, nginx as reverse proxy,
//! plinth's gateway), an equal core budget (the proxy under test on CPU 1, upstream and load
//! generator on CPU 0), and on both proxies a JSON access log to a file, the same five security
//! headers and a per-client rate limit far above the offered load; plain HTTP and TLS 1.3 with
//! ECDSA P-256 leaves issued by one plinth `LocalCa`.
//!
//! `scripts/install-bench-tools.sh && cargo run --release -p plinth-bench --bin gateway-vs-nginx`
//!
//! Per scenario: `wrk -t1 -c64` at saturation (req/s); then `oha -c 64 -q R --latency-correction`
//! at R = half nginx's saturation rate (p50/p99/p99.9, the proxy processes' CPU time per request
//! from `/proc/<pid>/stat`); over TLS also `h2load -c16 -m10` (HTTP/2) when installed; RSS idle
//! and after load. `BENCH_WARMUP` (5 s), `BENCH_SECONDS` (10 s) and `BENCH_REPEATS` (3) set the
//! durations and the number of runs whose median is reported. Each run waits (up to
//! `BENCH_QUIET_WAIT`, 30 s) for a second in which other processes use under 0.1 CPU, and runs
//! again once when they used more meanwhile; the count of runs kept anyway is printed. `WRK`, `OHA`, `NGINX`, `H2LOAD`
//! override the tools. Exits non-zero when a validity gate fails: socket errors, non-2xx answers,
//! bodies or headers differing from what they should be, or direct not faster than both proxies.

use std::cell::Cell;
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use plinth_bench::{cores, env_number, kernel, machine, median, version};
use plinth_gateway::{
    AccessLog, Backend, Compression, Config, Gateway, HostPattern, Listeners, LocalCa, RateLimit, RatePeriod, Route,
    SecurityHeaders, ServerLimits, TlsConfig,
};

/// What the upstream answers, byte for byte, on every entry point.
const BODY: &str = "plinth-bench upstream: one fixed body, the same through every entry point.";
/// Client connections of every load generator run (and idle upstream connections kept by both proxies).
const CONNECTIONS: usize = 64;
/// Requests per second per client admitted by both rate limiters (and their burst): never reached.
const RATE_LIMIT: u32 = 1_000_000;
/// CPU (in cores) other processes may use during a run before it is run again.
const FOREIGN_LIMIT: f64 = 0.1;
/// Attempts at a run disturbed by other processes; the last one is kept and counted as noisy.
const ATTEMPTS: usize = 2;
/// The security headers both proxies add; HSTS only over TLS.
const SECURITY_HEADERS: [&str; 4] =
    ["x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy"];

/// The allocator the `plinth` binary uses, so that the gateway measured here is the one users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("serve-gateway") {
        serve_gateway(args);
        return;
    }
    let mut bench = Bench::new();
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    let ca_dir = dir.join("ca");
    nginx_certificate(&ca_dir, dir);

    let ports = Ports::free();
    let upstream = bench.nginx(0, dir, "upstream", &upstream_conf(dir, &ports));
    let proxy = bench.nginx(1, dir, "proxy", &proxy_conf(dir, &ports));
    let (gateway, gateway_http, gateway_https) =
        bench.gateway(SocketAddr::from((Ipv4Addr::LOCALHOST, ports.upstream)), &ca_dir, dir);
    wait_ready(&[
        ports.upstream,
        ports.upstream_tls,
        ports.proxy,
        ports.proxy_tls,
        gateway_http.port(),
        gateway_https.port(),
    ]);
    let targets = |tls: bool| {
        let scheme = if tls { "https" } else { "http" };
        let pick = |plain: u16, secure: u16| format!("{scheme}://127.0.0.1:{}/", if tls { secure } else { plain });
        [
            Target { name: "direct", url: pick(ports.upstream, ports.upstream_tls), pids: Vec::new() },
            Target { name: "nginx", url: pick(ports.proxy, ports.proxy_tls), pids: process_tree(proxy.id()) },
            Target { name: "plinth", url: pick(gateway_http.port(), gateway_https.port()), pids: vec![gateway.id()] },
        ]
    };
    bench.own = [process_tree(upstream.id()), process_tree(proxy.id()), vec![gateway.id()]].concat();
    let idle = [Vec::new(), process_tree(proxy.id()), vec![gateway.id()]].map(|pids| memory_kib(&pids));

    println!("# gateway-vs-nginx\n");
    println!("- machine: {} (kernel {})", machine(), kernel());
    println!(
        "- tools: {}; {}; {}; {}",
        version(&bench.tools.nginx, &["-v"]),
        version(&bench.tools.wrk, &["-v"]),
        version(&bench.tools.oha, &["--version"]),
        bench.tools.h2load.as_deref().map_or("h2load not installed".to_owned(), |h| version(h, &["--version"])),
    );
    println!(
        "- pinning: {}",
        if bench.pin { "proxy under test on CPU 1; upstream and load generator on CPU 0" } else { "none (one CPU)" }
    );
    println!(
        "- warm-up {} s per entry point; {} s per measurement; median of {} runs [min–max]; {CONNECTIONS} connections; body {} bytes\n",
        bench.warmup,
        bench.seconds,
        bench.repeats,
        BODY.len()
    );

    let mut failures = Vec::new();
    for tls in [false, true] {
        let targets = targets(tls);
        for target in &targets {
            failures.extend(check_response(target, tls));
        }
        let results = bench.scenario(&targets, tls, &mut failures);
        let after = [Vec::new(), process_tree(proxy.id()), vec![gateway.id()]].map(|pids| memory_kib(&pids));
        print_scenario(tls, &results, &idle, &after);
    }
    println!(
        "access-log lines: nginx {}, plinth {}",
        line_count(&dir.join("nginx-access.log")),
        line_count(&dir.join("plinth-access.log"))
    );
    drop((gateway, proxy, upstream));
    let (noisy, most) = bench.noisy.get();
    println!(
        "runs disturbed by other processes (> {FOREIGN_LIMIT} CPU after {ATTEMPTS} attempts): {noisy}{}",
        if noisy > 0 { format!(", at most {most:.2} CPU") } else { String::new() }
    );
    if failures.is_empty() {
        println!("\nvalidity gates: all passed");
    } else {
        eprintln!("\nvalidity gates FAILED:");
        for failure in &failures {
            eprintln!("- {failure}");
        }
        std::process::exit(1);
    }
}

/// Runs plinth's gateway for the benchmark on a single-threaded tokio runtime (one core, like one
/// nginx worker; `plinth up` runs it on a multi-threaded one over all cores), prints its HTTP and
/// HTTPS addresses, and serves until its stdin closes.
fn serve_gateway(mut args: impl Iterator<Item = String>) {
    let usage = "serve-gateway UPSTREAM CA_DIR ACCESS_LOG";
    let upstream: SocketAddr = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let ca_dir = PathBuf::from(args.next().expect(usage));
    let log = File::create(args.next().expect(usage)).expect("access log");
    let loopback = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    let config = Config {
        listeners: Listeners { http: loopback, https: loopback, admin: None },
        tls: Some(TlsConfig { ca_dir, extra_hosts: vec!["localhost".to_owned()] }),
        server: ServerLimits { upstream_max_idle_per_host: CONNECTIONS, ..ServerLimits::default() },
        routes: vec![Route {
            host: HostPattern::Exact("127.0.0.1".to_owned()),
            path_prefix: "/".to_owned(),
            backend: "bench".to_owned(),
        }],
        backends: vec![Backend::new("bench", vec![upstream])],
        rate_limit: Some(RateLimit { requests: RATE_LIMIT, per: RatePeriod::Second, burst: RATE_LIMIT }),
        security_headers: SecurityHeaders::default(),
        compression: Compression::default(),
        redirect_https: false,
        access_log: AccessLog::to_writer(log),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        let gateway = Gateway::start(config).await.expect("gateway starts");
        let addrs = gateway.addrs();
        println!("{} {}", addrs.http.expect("http listener"), addrs.https.expect("https listener"));
        let _ = tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink())).await;
    });
}

/// The external programs, found once.
struct Tools {
    wrk: String,
    oha: String,
    nginx: String,
    h2load: Option<String>,
}

/// Where a program is: environment variable `var`, else `PATH`, else one of `extra`.
fn find_tool(var: &str, name: &str, extra: &[PathBuf]) -> Option<String> {
    if let Ok(path) = std::env::var(var) {
        return Some(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .chain(extra.iter().cloned())
        .find(|candidate| candidate.is_file())
        .map(|found| found.display().to_string())
}

/// Settings and tools of a run.
struct Bench {
    tools: Tools,
    /// Pin processes with `taskset` (needs two CPUs).
    pin: bool,
    warmup: usize,
    seconds: usize,
    repeats: usize,
    /// Seconds to wait for the machine to be quiet before a run.
    quiet_wait: usize,
    /// The servers' processes (upstream and both proxies), whose CPU time is not foreign.
    own: Vec<u32>,
    /// Runs kept although other processes used more than [`FOREIGN_LIMIT`] meanwhile, and the most they used.
    noisy: Cell<(usize, f64)>,
}

/// An entry point under load and the processes serving it (none for direct).
struct Target {
    name: &'static str,
    url: String,
    pids: Vec<u32>,
}

/// A closed-loop run: throughput and what went wrong.
struct Saturation {
    rps: f64,
    errors: u64,
    non_2xx: u64,
}

/// An open-loop run: latency percentiles (ms), completed requests, what went wrong, and the CPU
/// time the serving processes used per completed request (µs).
struct FixedRate {
    p50: f64,
    p99: f64,
    p999: f64,
    completed: u64,
    errors: u64,
    non_2xx: u64,
    cpu_us: f64,
}

/// Everything measured on one entry point in one scenario; `fixed` at half nginx's and half
/// plinth's saturation rate.
#[derive(Default)]
struct Measured {
    saturation: Vec<f64>,
    fixed: [Vec<FixedRate>; 2],
    h2: Vec<f64>,
}

/// An entry point's name, the two fixed rates and what was measured.
type Scenario = (String, [u64; 2], Measured);

impl Bench {
    fn new() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let install = "install it with scripts/install-bench-tools.sh";
        let need = |var: &str, name: &str, extra: &[PathBuf]| {
            find_tool(var, name, extra).unwrap_or_else(|| panic!("{name} not found ({var} unset): {install}"))
        };
        let tools = Tools {
            wrk: need("WRK", "wrk", &[]),
            oha: need("OHA", "oha", &[root.join(".tools/cargo/bin/oha")]),
            nginx: need("NGINX", "nginx", &[PathBuf::from("/usr/sbin/nginx")]),
            h2load: find_tool("H2LOAD", "h2load", &[]),
        };
        let pin = cores() >= 2;
        if pin {
            find_tool("TASKSET", "taskset", &[]).expect("taskset not found (util-linux)");
        } else {
            eprintln!("only one CPU: processes run unpinned");
        }
        Self {
            tools,
            pin,
            warmup: env_number("BENCH_WARMUP", 5),
            seconds: env_number("BENCH_SECONDS", 10),
            repeats: env_number("BENCH_REPEATS", 3).max(1),
            quiet_wait: env_number("BENCH_QUIET_WAIT", 30),
            own: Vec::new(),
            noisy: Cell::new((0, 0.0)),
        }
    }

    /// `program` as a command, pinned to `cpu` when pinning.
    fn pinned(&self, cpu: u8, program: impl AsRef<std::ffi::OsStr>) -> Command {
        if self.pin {
            let mut command = Command::new("taskset");
            command.args(["-c", &cpu.to_string()]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    /// Starts an nginx (master and one worker) on `cpu` with configuration `conf`.
    fn nginx(&self, cpu: u8, dir: &Path, name: &str, conf: &str) -> Stopped {
        let conf_path = dir.join(format!("{name}.conf"));
        fs::write(&conf_path, conf).expect("write nginx.conf");
        let run = |extra: &[&str]| {
            let mut command = self.pinned(cpu, &self.tools.nginx);
            command.arg("-p").arg(dir).arg("-e").arg(dir.join(format!("{name}-error.log")));
            command.arg("-c").arg(&conf_path).args(extra);
            command
        };
        let test = run(&["-t", "-q"]).output().expect("run nginx -t");
        assert!(test.status.success(), "nginx -t ({name}): {}", String::from_utf8_lossy(&test.stderr));
        Stopped(run(&["-g", "daemon off;"]).stdin(Stdio::null()).spawn().expect("start nginx"))
    }

    /// Starts plinth's gateway in its own process (this binary, `serve-gateway`) on CPU 1.
    fn gateway(&self, upstream: SocketAddr, ca_dir: &Path, dir: &Path) -> (Stopped, SocketAddr, SocketAddr) {
        let exe = std::env::current_exe().expect("own path");
        let mut child = self
            .pinned(1, exe)
            .arg("serve-gateway")
            .arg(upstream.to_string())
            .arg(ca_dir)
            .arg(dir.join("plinth-access.log"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the gateway");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("gateway addresses");
        let mut addrs = line.split_whitespace().map(|a| a.parse::<SocketAddr>().expect("address"));
        let (http, https) = (addrs.next().expect("http address"), addrs.next().expect("https address"));
        (Stopped(child), http, https)
    }

    /// Warm-up, saturation, fixed-rate and (over TLS) HTTP/2 runs on the three entry points,
    /// repeats interleaved so drift hits all three alike.
    fn scenario(&self, targets: &[Target; 3], tls: bool, failures: &mut Vec<String>) -> Vec<Scenario> {
        let label = if tls { "TLS" } else { "plain" };
        let mut measured: Vec<Measured> = targets.iter().map(|_| Measured::default()).collect();
        for target in targets {
            self.wrk(&target.url, self.warmup);
        }
        for _ in 0..self.repeats {
            for (target, into) in targets.iter().zip(&mut measured) {
                let run = self.quiet(&format!("{label} {} wrk", target.name), || self.wrk(&target.url, self.seconds));
                gate(failures, label, target.name, "wrk", run.errors, run.non_2xx);
                into.saturation.push(run.rps);
            }
        }
        let sat: Vec<f64> = measured.iter().map(|m| median(&m.saturation)).collect();
        if !(sat[0] > sat[1] && sat[0] > sat[2]) {
            failures.push(format!("{label}: direct ({:.0} req/s) not faster than both proxies", sat[0]));
        }
        let rates = [sat[1], sat[2]].map(|s| (s / 2.0).round().max(1.0) as u64);
        for (i, rate) in rates.into_iter().enumerate() {
            for _ in 0..self.repeats {
                for (target, into) in targets.iter().zip(&mut measured) {
                    let run = self.quiet(&format!("{label} {} oha", target.name), || self.oha(target, rate));
                    gate(failures, label, target.name, "oha", run.errors, run.non_2xx);
                    into.fixed[i].push(run);
                }
            }
        }
        if let (true, Some(h2load)) = (tls, &self.tools.h2load) {
            for _ in 0..self.repeats {
                for (target, into) in targets.iter().zip(&mut measured) {
                    let run =
                        self.quiet(&format!("{label} {} h2load", target.name), || self.h2load(h2load, &target.url));
                    gate(failures, label, target.name, "h2load", run.errors, run.non_2xx);
                    into.h2.push(run.rps);
                }
            }
        }
        targets.iter().map(|t| t.name.to_owned()).zip(measured).map(|(name, m)| (name, rates, m)).collect()
    }

    /// Runs `run` when the machine is quiet, again (up to [`ATTEMPTS`] times) when processes other
    /// than the servers, this program and its load generator used more than [`FOREIGN_LIMIT`] CPU meanwhile.
    fn quiet<T>(&self, what: &str, run: impl Fn() -> T) -> T {
        let foreign_since = |busy: u64, own: u64, start: Instant| {
            let other = busy_ticks().saturating_sub(busy).saturating_sub(own_ticks(&self.own).saturating_sub(own));
            other as f64 / clock_ticks() as f64 / start.elapsed().as_secs_f64()
        };
        let mut attempt = 1;
        loop {
            // Wait (up to `BENCH_QUIET_WAIT` seconds) for a quiet second.
            for _ in 0..self.quiet_wait.max(1) {
                let (busy, own, start) = (busy_ticks(), own_ticks(&self.own), Instant::now());
                std::thread::sleep(Duration::from_secs(1));
                if foreign_since(busy, own, start) <= FOREIGN_LIMIT {
                    break;
                }
            }
            let (busy, own, start) = (busy_ticks(), own_ticks(&self.own), Instant::now());
            let result = run();
            let foreign = foreign_since(busy, own, start);
            if foreign <= FOREIGN_LIMIT {
                return result;
            }
            if attempt == ATTEMPTS {
                let (count, most) = self.noisy.get();
                self.noisy.set((count + 1, most.max(foreign)));
                return result;
            }
            eprintln!("{what}: other processes used {foreign:.2} CPU meanwhile; running it again");
            attempt += 1;
        }
    }

    /// `wrk -t1 -c64 --latency` for `seconds`.
    fn wrk(&self, url: &str, seconds: usize) -> Saturation {
        let output = self
            .pinned(0, &self.tools.wrk)
            .args(["-t1", &format!("-c{CONNECTIONS}"), &format!("-d{seconds}s"), "--latency", url])
            .output()
            .expect("run wrk");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "wrk {url}: {text}{}", String::from_utf8_lossy(&output.stderr));
        let after = |prefix: &str| text.lines().find_map(|l| l.trim().strip_prefix(prefix)).map(str::trim);
        let numbers =
            |s: &str| -> u64 { s.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse::<u64>().ok()).sum() };
        Saturation {
            rps: after("Requests/sec:").and_then(|r| r.parse().ok()).unwrap_or_else(|| panic!("wrk output: {text}")),
            errors: after("Socket errors:").map_or(0, numbers),
            non_2xx: after("Non-2xx or 3xx responses:").map_or(0, numbers),
        }
    }

    /// `oha -c 64 -q RATE --latency-correction` for the measurement time, with the CPU time the
    /// target's processes used meanwhile.
    fn oha(&self, target: &Target, rate: u64) -> FixedRate {
        let before = cpu_ticks(&target.pids);
        let output = self
            .pinned(0, &self.tools.oha)
            .args(["-z", &format!("{}s", self.seconds), "-c", &CONNECTIONS.to_string(), "-q", &rate.to_string()])
            .args(["--latency-correction", "--no-tui", "--insecure", "--output-format", "json", &target.url])
            .output()
            .expect("run oha");
        let ticks = cpu_ticks(&target.pids) - before;
        assert!(output.status.success(), "oha {}: {}", target.url, String::from_utf8_lossy(&output.stderr));
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("oha JSON");
        let ms = |p: &str| json["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN) * 1000.0;
        let counts = |key: &str, keep: &dyn Fn(&str) -> bool| -> u64 {
            json[key].as_object().map_or(0, |m| m.iter().filter(|(k, _)| keep(k)).filter_map(|(_, v)| v.as_u64()).sum())
        };
        let completed = counts("statusCodeDistribution", &|_| true);
        FixedRate {
            p50: ms("p50"),
            p99: ms("p99"),
            p999: ms("p99.9"),
            completed,
            // Requests still in flight when the time is up are cut off by oha itself, not failed.
            errors: counts("errorDistribution", &|k| !k.contains("deadline")),
            non_2xx: counts("statusCodeDistribution", &|k| !k.starts_with('2')),
            cpu_us: ticks as f64 * 1e6 / clock_ticks() as f64 / completed.max(1) as f64,
        }
    }

    /// `h2load -c16 -m10` (HTTP/2 over TLS) for the measurement time.
    fn h2load(&self, h2load: &str, url: &str) -> Saturation {
        let output = self
            .pinned(0, h2load)
            .args(["-c16", "-m10", "-D", &self.seconds.to_string(), url])
            .output()
            .expect("run h2load");
        let text = String::from_utf8_lossy(&output.stdout);
        let line =
            |prefix: &str| text.lines().find_map(|l| l.trim().strip_prefix(prefix)).unwrap_or_default().to_owned();
        // "finished in 10.00s, 12345.67 req/s, 1.23MB/s"
        let rps = line("finished in").split(", ").nth(1).and_then(|r| r.strip_suffix(" req/s")?.parse().ok());
        // "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout"
        let requests = line("requests:");
        let field = |name: &str| {
            requests.split(", ").find_map(|f| f.trim().strip_suffix(name)?.trim().parse::<u64>().ok()).unwrap_or(0)
        };
        // "status codes: N 2xx, N 3xx, N 4xx, N 5xx"
        let codes = line("status codes:");
        let non_2xx = codes
            .split(", ")
            .filter(|c| !c.ends_with("2xx"))
            .filter_map(|c| c.split_whitespace().next()?.parse::<u64>().ok())
            .sum();
        Saturation {
            rps: rps.unwrap_or_else(|| panic!("h2load output: {text}")),
            errors: field(" errored") + field(" failed") + field(" timeout"),
            non_2xx,
        }
    }
}

/// Records a failed validity gate.
fn gate(failures: &mut Vec<String>, scenario: &str, target: &str, tool: &str, errors: u64, non_2xx: u64) {
    if errors > 0 || non_2xx > 0 {
        failures.push(format!("{scenario} {target} ({tool}): {errors} errors, {non_2xx} non-2xx"));
    }
}

/// A child process sent SIGTERM and waited for when dropped (nginx's master then stops its worker).
struct Stopped(Child);

impl Stopped {
    fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

/// The loopback ports of the nginx instances.
struct Ports {
    upstream: u16,
    upstream_tls: u16,
    proxy: u16,
    proxy_tls: u16,
}

impl Ports {
    /// Four ports free right now (bound together, then released).
    fn free() -> Self {
        let listeners: Vec<TcpListener> =
            (0..4).map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("free port")).collect();
        let port = |i: usize| listeners[i].local_addr().expect("local address").port();
        Self { upstream: port(0), upstream_tls: port(1), proxy: port(2), proxy_tls: port(3) }
    }
}

/// Waits until every port accepts connections.
fn wait_ready(ports: &[u16]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    for &port in ports {
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < deadline, "nothing listens on port {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Creates plinth's local CA in `ca_dir` and issues nginx's leaf from it (`localhost`, ECDSA
/// P-256 like the gateway's own), written to `dir/leaf.{cert,key}.pem`.
fn nginx_certificate(ca_dir: &Path, dir: &Path) {
    let ca = LocalCa::load_or_create(ca_dir).expect("local CA");
    let ca_key = fs::read_to_string(ca_dir.join("ca.key.pem")).expect("CA key");
    let issuer = rcgen::Issuer::from_ca_cert_pem(ca.cert_pem(), rcgen::KeyPair::from_pem(&ca_key).expect("CA key"))
        .expect("CA certificate");
    let key = rcgen::KeyPair::generate().expect("leaf key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("leaf parameters");
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &issuer).expect("leaf certificate");
    fs::write(dir.join("leaf.cert.pem"), cert.pem()).expect("write leaf certificate");
    fs::write(dir.join("leaf.key.pem"), key.serialize_pem()).expect("write leaf key");
}

/// Settings both nginx instances share: one worker, their files in `dir`, TLS 1.3 with the leaf.
fn nginx_common(dir: &Path, name: &str) -> String {
    let d = dir.display();
    format!(
        "worker_processes 1;\npid {d}/{name}.pid;\nevents {{ worker_connections 4096; }}\n\
         http {{\n  client_body_temp_path {d}/{name}-body;\n  proxy_temp_path {d}/{name}-proxy;\n  \
         fastcgi_temp_path {d}/{name}-fastcgi;\n  uwsgi_temp_path {d}/{name}-uwsgi;\n  scgi_temp_path {d}/{name}-scgi;\n  \
         keepalive_requests 1000000;\n  ssl_certificate {d}/leaf.cert.pem;\n  ssl_certificate_key {d}/leaf.key.pem;\n  \
         ssl_protocols TLSv1.3;\n"
    )
}

/// The upstream: `return 200` with [`BODY`], no log, plain and TLS (HTTP/1.1 and h2).
fn upstream_conf(dir: &Path, ports: &Ports) -> String {
    format!(
        "{}  access_log off;\n  default_type text/plain;\n  server {{\n    listen 127.0.0.1:{};\n    \
         listen 127.0.0.1:{} ssl http2;\n    location / {{ return 200 \"{BODY}\"; }}\n  }}\n}}\n",
        nginx_common(dir, "upstream"),
        ports.upstream,
        ports.upstream_tls
    )
}

/// The nginx proxy, configured as §A.8 step 3 asks plus the gateway's features: upstream
/// keep-alive, the gateway's access-log fields as JSON, its forwarding and security headers, a
/// per-client rate limit, gzip from 1 KiB (the body is smaller: neither proxy compresses).
fn proxy_conf(dir: &Path, ports: &Ports) -> String {
    let d = dir.display();
    let log = r#"'{"time":$msec,"request_id":"$request_id","route":"127.0.0.1/","client":"$remote_addr","method":"$request_method","host":"$host","path":"$uri","status":$status,"bytes":$bytes_sent,"duration_ms":$request_time,"backend":"bench","version":"stable","upstream":"$upstream_addr"}'"#;
    let security = SecurityHeaders::default();
    format!(
        "{common}  log_format plinth escape=json {log};\n  access_log {d}/nginx-access.log plinth;\n  \
         gzip on;\n  gzip_min_length 1024;\n  gzip_types *;\n  \
         limit_req_zone $binary_remote_addr zone=ip:10m rate={RATE_LIMIT}r/s;\n  limit_req_status 429;\n  \
         map $https $hsts {{ on \"{hsts}\"; default \"\"; }}\n  \
         upstream up {{ server 127.0.0.1:{upstream}; keepalive {CONNECTIONS}; }}\n  \
         server {{\n    listen 127.0.0.1:{plain};\n    listen 127.0.0.1:{tls} ssl http2;\n    location / {{\n      \
         limit_req zone=ip burst={RATE_LIMIT} nodelay;\n      proxy_pass http://up;\n      proxy_http_version 1.1;\n      \
         proxy_set_header Connection \"\";\n      proxy_set_header Host $http_host;\n      \
         proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n      proxy_set_header X-Forwarded-Proto $scheme;\n      \
         proxy_set_header X-Forwarded-Host $http_host;\n      proxy_set_header X-Request-Id $request_id;\n      \
         add_header X-Request-Id $request_id always;\n      add_header X-Content-Type-Options nosniff always;\n      \
         add_header X-Frame-Options DENY always;\n      add_header Referrer-Policy {referrer} always;\n      \
         add_header Content-Security-Policy \"{csp}\" always;\n      add_header Strict-Transport-Security $hsts always;\n    \
         }}\n  }}\n}}\n",
        common = nginx_common(dir, "proxy"),
        hsts = security.hsts.unwrap_or_default(),
        csp = security.content_security_policy.unwrap_or_default(),
        referrer = security.referrer_policy,
        upstream = ports.upstream,
        plain = ports.proxy,
        tls = ports.proxy_tls,
    )
}

/// Fetches `target` once with curl (TLS 1.3 only over TLS): the body must be [`BODY`], and a
/// proxy must add the security headers. Returns what is wrong.
fn check_response(target: &Target, tls: bool) -> Vec<String> {
    let output = Command::new("curl")
        .args(["-sSik", "--tlsv1.3", "--max-time", "5", &target.url])
        .output()
        .expect("run curl (needed once to compare bodies)");
    let text = String::from_utf8_lossy(&output.stdout);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let head = head.to_ascii_lowercase();
    let mut wrong = Vec::new();
    if body != BODY {
        wrong.push(format!("{}: body differs: {body:?}", target.url));
    }
    if target.name != "direct" {
        let hsts = tls.then_some("strict-transport-security");
        for name in SECURITY_HEADERS.into_iter().chain(hsts).chain(["x-request-id"]) {
            if !head.lines().any(|l| l.starts_with(&format!("{name}:"))) {
                wrong.push(format!("{}: no {name} header", target.url));
            }
        }
    }
    wrong
}

/// `pid` and its descendants.
fn process_tree(pid: u32) -> Vec<u32> {
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        for entry in fs::read_dir("/proc").expect("/proc").flatten() {
            let Some(child) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            if stat_fields(child).get(1).and_then(|p| p.parse::<u32>().ok()) == Some(parent) {
                tree.push(child);
            }
        }
        i += 1;
    }
    tree
}

/// The fields of `/proc/<pid>/stat` after the command name (so index 0 is field 3, the state).
fn stat_fields(pid: u32) -> Vec<String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')').map_or_else(Vec::new, |(_, rest)| rest.split_whitespace().map(str::to_owned).collect())
}

/// User plus system CPU time of `pids` in clock ticks (fields 14 and 15).
fn cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .map(|&pid| stat_fields(pid).iter().skip(11).take(2).filter_map(|t| t.parse::<u64>().ok()).sum::<u64>())
        .sum()
}

/// Busy CPU ticks of the whole machine since boot (`/proc/stat`: user, nice and system; interrupt
/// time is left out, as loopback traffic's softirq time is charged there rather than to a process).
fn busy_ticks() -> u64 {
    let stat = fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<u64> =
        stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    cpu.iter().take(3).sum()
}

/// CPU ticks of `pids`, of this process and of its waited-for children (the load generators).
fn own_ticks(pids: &[u32]) -> u64 {
    let me = stat_fields(std::process::id());
    cpu_ticks(pids) + me.iter().skip(11).take(4).filter_map(|t| t.parse::<u64>().ok()).sum::<u64>()
}

/// Clock ticks per second (`getconf CLK_TCK`).
fn clock_ticks() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        let output = Command::new("getconf").arg("CLK_TCK").output().expect("run getconf");
        String::from_utf8_lossy(&output.stdout).trim().parse().expect("CLK_TCK")
    })
}

/// Summed `VmRSS` and `VmHWM` of `pids`, in KiB.
fn memory_kib(pids: &[u32]) -> (u64, u64) {
    pids.iter().fold((0, 0), |(rss, hwm), pid| {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name)?.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0)
        };
        (rss + field("VmRSS:"), hwm + field("VmHWM:"))
    })
}

fn line_count(path: &Path) -> usize {
    fs::read_to_string(path).map_or(0, |text| text.lines().count())
}

/// `median [min–max]` of `values` formatted with `digits` decimals.
fn spread(values: &[f64], digits: usize) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{:.digits$} [{min:.digits$}–{max:.digits$}]", median(values))
}

/// Reads one latency percentile of a run.
type Percentile = fn(&FixedRate) -> f64;

/// The latency percentiles reported.
const PERCENTILES: [(&str, Percentile); 3] = [("p50", |f| f.p50), ("p99", |f| f.p99), ("p99.9", |f| f.p999)];

/// One markdown table for a scenario.
fn print_scenario(tls: bool, results: &[Scenario], idle: &[(u64, u64); 3], after: &[(u64, u64); 3]) {
    let label = if tls { "TLS 1.3, HTTP/1.1" } else { "plain HTTP/1.1" };
    let column =
        |f: &dyn Fn(&Measured) -> Vec<f64>| -> Vec<Vec<f64>> { results.iter().map(|(_, _, m)| f(m)).collect() };
    let ratio = |values: &[Vec<f64>]| format!("{:.2}×", median(&values[2]) / median(&values[1]));
    let row = |name: &str, values: &[Vec<f64>], digits: usize| {
        let cell = |i: usize| if values[i].is_empty() { "–".to_owned() } else { spread(&values[i], digits) };
        println!("| {name} | {} | {} | {} | {} |", cell(0), cell(1), cell(2), ratio(values));
    };
    println!("\n### {label}\n");
    println!("| | direct | nginx | plinth | plinth/nginx |\n|---|---:|---:|---:|---:|");
    row("req/s at saturation (wrk)", &column(&|m| m.saturation.clone()), 0);
    for (i, rate) in results[0].1.into_iter().enumerate() {
        let who = if i == 0 { "nginx's" } else { "plinth's" };
        let at = format!("at {rate} req/s (half {who} saturation)");
        let fixed = |get: fn(&FixedRate) -> f64| column(&|m| m.fixed[i].iter().map(get).collect());
        let completed = fixed(|f| f.completed as f64);
        row(&format!("requests completed {at}"), &completed, 0);
        let cpu = fixed(|f| f.cpu_us);
        row(&format!("proxy CPU µs/request {at}"), &[Vec::new(), cpu[1].clone(), cpu[2].clone()], 1);
        for (name, get) in PERCENTILES {
            let values = fixed(get);
            let added = |i: usize| median(&values[i]) - median(&values[0]);
            let ratio = if added(1) > 0.0 && added(2) > 0.0 {
                format!("{:.2}× added", added(2) / added(1))
            } else {
                "–".to_owned()
            };
            println!(
                "| {name} ms {at} (added vs direct) | {} | {} ({:+.3}) | {} ({:+.3}) | {ratio} |",
                spread(&values[0], 3),
                spread(&values[1], 3),
                added(1),
                spread(&values[2], 3),
                added(2),
            );
        }
    }
    let h2 = column(&|m| m.h2.clone());
    if h2.iter().all(|v| !v.is_empty()) {
        row("req/s HTTP/2 over TLS (h2load -c16 -m10)", &h2, 0);
    }
    let mib = |(rss, hwm): (u64, u64)| format!("{:.1} / {:.1}", rss as f64 / 1024.0, hwm as f64 / 1024.0);
    println!(
        "| VmRSS / VmHWM MiB: idle → after this scenario | – | {} → {} | {} → {} | |",
        mib(idle[1]),
        mib(after[1]),
        mib(idle[2]),
        mib(after[2])
    );
}
