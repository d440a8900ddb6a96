//! `./x bench`: s3-host against curl `--aws-sigv4` on the same embedded local
//! S3 endpoint and the same files, runs interleaved, each a whole process
//! timed from spawn to exit, with its peak RSS from `wait4`. Writes a table of
//! medians and ratios, with the machine's details, to `docs/benchmarks.md`.
//!
//! Usage: bench S3_HOST_BINARY OUT.md [--quick]

use s3_host::local_s3::LocalS3;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ACCESS: &str = "bench-access-key";
const SECRET: &str = "bench-secret-key";
const MIB: u64 = 1 << 20;

/// One finished process: wall time and peak resident memory.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    rss_kib: u64,
}

/// Run a command to completion, timing it and reading its peak RSS.
fn measure(cmd: &mut Command) -> Sample {
    measure_with(cmd.stdout(Stdio::null()))
}

/// [`measure`] with the command's stdin and stdout as the caller set them.
#[allow(unsafe_code, reason = "wait4 reports the child's rusage, which std does not expose")]
#[expect(clippy::zombie_processes, reason = "the child is reaped by wait4")]
fn measure_with(cmd: &mut Command) -> Sample {
    let started = Instant::now();
    let child = cmd.stderr(Stdio::piped()).spawn().expect("spawn");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value to be overwritten by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet reaped; both pointers are valid.
    let reaped = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    let wall = started.elapsed();
    assert_eq!(reaped, pid, "wait4 failed");
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let mut err = String::new();
        if let Some(mut e) = child.stderr {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        panic!("{cmd:?} failed ({status}): {err}");
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0)) + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Sample { wall, cpu: tv(usage.ru_utime) + tv(usage.ru_stime), rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0) }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

struct Case {
    name: String,
    bytes: u64,
    host: Vec<Sample>,
    curl: Vec<Sample>,
}

impl Case {
    fn row(&self, out: &mut String) {
        let secs = |s: &[Sample]| median(s.iter().map(|x| x.wall.as_secs_f64()).collect());
        let cpu = |s: &[Sample]| median(s.iter().map(|x| x.cpu.as_secs_f64()).collect());
        let rss = |s: &[Sample]| median(s.iter().map(|x| x.rss_kib as f64 / 1024.0).collect());
        let (h, c) = (secs(&self.host), secs(&self.curl));
        let mib = self.bytes as f64 / MIB as f64;
        let rate = |t: f64| if self.bytes == 0 { "-".to_owned() } else { format!("{:.0}", mib / t) };
        let _ = writeln!(
            out,
            "| {} | {} | {:.3} s | {} | {:.2} s | {:.1} MiB | {:.3} s | {} | {:.2} s | {:.1} MiB | **{:.2}x** |",
            self.name,
            self.host.len(),
            h,
            rate(h),
            cpu(&self.host),
            rss(&self.host),
            c,
            rate(c),
            cpu(&self.curl),
            rss(&self.curl),
            c / h
        );
    }
}

fn random_file(path: &Path, len: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; MIB as usize];
    let mut left = len;
    while left > 0 {
        for b in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(MIB) as usize;
        f.write_all(&block[..n]).expect("write");
        left -= n as u64;
    }
}

/// Whether two files hold the same bytes.
fn same_bytes(a: &Path, b: &Path) -> bool {
    use std::io::Read as _;
    let (Ok(mut a), Ok(mut b)) = (std::fs::File::open(a), std::fs::File::open(b)) else { return false };
    let (mut x, mut y) = (vec![0u8; MIB as usize], vec![0u8; MIB as usize]);
    loop {
        let n = a.read(&mut x).unwrap_or(0);
        if b.read_exact(&mut y[..n]).is_err() || x[..n] != y[..n] {
            return false;
        }
        if n == 0 {
            return b.read(&mut y).unwrap_or(1) == 0;
        }
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned()))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0) / 1024 / 1024))
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned();
    let curl = Command::new("curl")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem} GiB RAM, Linux {kernel}; {curl}")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (host_bin, out_md) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let quick = args.iter().any(|a| a == "--quick");
    let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let work = tempfile::tempdir_in(&base).expect("work dir");
    let store = work.path().join("store");
    std::fs::create_dir(&store).expect("store dir");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let server = rt.block_on(LocalS3::start(&store, SocketAddr::from(([127, 0, 0, 1], 0)), ACCESS, SECRET)).expect("local S3");
    let endpoint = server.endpoint();
    let cache = work.path().join("cache");
    eprintln!("bench: local S3 at {endpoint}, files in {}", work.path().display());

    let s3_host = |args: &[&str]| {
        let mut c = Command::new(&host_bin);
        c.args(args)
            .env("AWS_ACCESS_KEY_ID", ACCESS)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("S3_HOST_CACHE_DIR", &cache)
            .env_remove("AWS_PROFILE");
        c
    };
    let curl = |args: &[&str]| {
        let mut c = Command::new("curl");
        c.args([
            "-sS",
            "-f",
            "--aws-sigv4",
            "aws:amz:us-east-1:s3",
            "--user",
            &format!("{ACCESS}:{SECRET}"),
            "-H",
            "x-amz-content-sha256: UNSIGNED-PAYLOAD",
        ]);
        c.args(args);
        c
    };
    // Warm up: the bucket, and the compiled component in the cache.
    measure(&mut s3_host(&["call", "createBucket", "--input", r#"{"bucket":"bench"}"#]));

    let mut cases = Vec::new();
    let mut extra = Vec::new();
    let sizes: &[(&str, u64, usize)] =
        if quick { &[("64 MiB", 64 * MIB, 3)] } else { &[("64 MiB", 64 * MIB, 7), ("1 GiB", 1024 * MIB, 3)] };
    for &(label, len, runs) in sizes {
        let file = work.path().join(format!("in-{len}"));
        random_file(&file, len);
        let file_s = file.display().to_string();
        let down = work.path().join("down");
        let down_s = down.display().to_string();
        let key = format!("obj-{len}");
        let input = format!(r#"{{"bucket":"bench","objectKey":"{key}"}}"#);
        let url = format!("{endpoint}/bench/{key}");
        let curl_url = format!("{endpoint}/bench/curl-{key}");
        let mut put = Case { name: format!("put {label}"), bytes: len, host: vec![], curl: vec![] };
        let mut single = Case { name: format!("put {label} as one PUT (threshold raised)"), bytes: len, host: vec![], curl: vec![] };
        let single_input = format!(r#"{{"bucket":"bench","objectKey":"{key}","transfer":{{"multipartThresholdMib":2048}}}}"#);
        let mut get = Case { name: format!("get {label}"), bytes: len, host: vec![], curl: vec![] };
        for _ in 0..runs {
            put.curl.push(measure(&mut curl(&["-T", &file_s, &curl_url])));
            put.host.push(measure(&mut s3_host(&["call", "putObject", "--input", &input, "--file", &format!("fileContents={file_s}")])));
            if len <= 64 * MIB {
                single.curl.push(measure(&mut curl(&["-T", &file_s, &curl_url])));
                single.host.push(measure(&mut s3_host(&[
                    "call",
                    "putObject",
                    "--input",
                    &single_input,
                    "--file",
                    &format!("fileContents={file_s}"),
                ])));
            }
            get.curl.push(measure(&mut curl(&["-o", &down_s, &url])));
            assert_eq!(std::fs::metadata(&down).map(|m| m.len()).unwrap_or(0), len, "curl's download is short");
            get.host.push(measure(&mut s3_host(&["call", "getObject", "--input", &input, "--output", &down_s])));
            assert!(same_bytes(&file, &down), "s3-host's download differs from the file");
        }
        if len >= 1024 * MIB {
            // The same through pipes: stdin up, stdout down.
            let mut up = Case { name: format!("put {label} from stdin (curl: from the file)"), bytes: len, host: vec![], curl: vec![] };
            let mut down_case = Case { name: format!("get {label} to stdout (curl: to a file)"), bytes: len, host: vec![], curl: vec![] };
            let piped = format!(r#"{{"bucket":"bench","objectKey":"piped-{len}"}}"#);
            up.host.push(measure_with(
                s3_host(&["call", "putObject", "--input", &piped, "--file", "fileContents=-"])
                    .stdin(std::fs::File::open(&file).expect("open"))
                    .stdout(Stdio::null()),
            ));
            up.curl.push(measure(&mut curl(&["-T", &file_s, &curl_url])));
            down_case.host.push(measure_with(
                s3_host(&["call", "getObject", "--input", &piped, "--output", "-"]).stdout(std::fs::File::create(&down).expect("create")),
            ));
            assert!(same_bytes(&file, &down), "s3-host's download through stdout differs from the file");
            down_case.curl.push(measure_with(curl(&[&url]).stdout(std::fs::File::create(&down).expect("create"))));
            extra.push(up);
            extra.push(down_case);
        }
        cases.push(put);
        if !single.host.is_empty() {
            cases.push(single);
        }
        cases.push(get);
        cases.append(&mut extra);
        let _ = std::fs::remove_file(&file);
    }

    // Multipart 256 MiB (s3-host's default: 8 MiB parts, 4 in flight) beside curl's single PUT.
    let len = if quick { 32 * MIB } else { 256 * MIB };
    let file = work.path().join("in-mp");
    random_file(&file, len);
    let file_s = file.display().to_string();
    let mut mp = Case { name: format!("multipart {} MiB vs one PUT", len / MIB), bytes: len, host: vec![], curl: vec![] };
    for _ in 0..3 {
        mp.curl.push(measure(&mut curl(&["-T", &file_s, &format!("{endpoint}/bench/curl-mp")])));
        mp.host.push(measure(&mut s3_host(&[
            "call",
            "putObject",
            "--input",
            r#"{"bucket":"bench","objectKey":"mp"}"#,
            "--file",
            &format!("fileContents={file_s}"),
        ])));
    }
    cases.push(mp);

    // One small call: process start, cached component, one signed request.
    let mut head = Case { name: "headObject (one call)".into(), bytes: 0, host: vec![], curl: vec![] };
    for _ in 0..if quick { 3 } else { 11 } {
        head.curl.push(measure(&mut curl(&["-I", &format!("{endpoint}/bench/mp")])));
        head.host.push(measure(&mut s3_host(&["call", "headObject", "--input", r#"{"bucket":"bench","objectKey":"mp"}"#])));
    }
    cases.push(head);

    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(md, "Written by `./x bench` (do not edit by hand). Each figure is the median of the runs shown, every");
    let _ = writeln!(md, "run a whole process (spawn to exit) with its peak RSS from `wait4`; s3-host and curl runs are");
    let _ = writeln!(
        md,
        "interleaved against the same embedded s3s-fs endpoint (loopback, store on {}) and the same files.",
        if base == Path::new("/dev/shm") { "tmpfs" } else { "a temporary directory" }
    );
    let _ = writeln!(md, "s3-host is `target/debug/s3-host` as `./x build` makes it, with the compiled component cached;");
    let _ = writeln!(md, "curl is `curl --aws-sigv4` with `UNSIGNED-PAYLOAD` and no checksum. \"vs curl\" is curl's time over");
    let _ = writeln!(md, "s3-host's: above 1 means s3-host is faster.\n");
    let _ = writeln!(md, "Machine: {}\n", machine());
    let _ = writeln!(md, "| case | runs | s3-host | MiB/s | CPU | peak RSS | curl | MiB/s | CPU | peak RSS | vs curl |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|");
    for c in &cases {
        c.row(&mut md);
    }
    print!("{md}");
    std::fs::write(&out_md, md).expect("write the report");
    drop(server);
}
