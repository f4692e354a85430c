//! The oracle around the targets. A parent process runs each target in chunks, each chunk in a
//! child process (this same program, told what to run by [`CHILD_ENV`]): a panic is caught in
//! the child and reported with its location; an abort (stack overflow, failed allocation) ends
//! the child, and the parent knows which input from the last `start` line; a hang is a child
//! that reports nothing for `hang` seconds, which the parent kills. Every finding is saved with
//! its input, reproducible from `(target, seed, index)`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::targets::{self, Case, Context, Target};

/// Set in a child process: `<target> <seed> <first index> <count> <slow ms> <slice ms>`.
pub const CHILD_ENV: &str = "VERSUS_FUZZ_CHILD";
/// Set in a minimizing child: `<target> <case.json> <panic location>`.
pub const MINIMIZE_ENV: &str = "VERSUS_FUZZ_MINIMIZE";
/// Set in a child that runs one case and nothing else: `<target> <case.json>`.
pub const RUN_ENV: &str = "VERSUS_FUZZ_RUN";
/// Protocol lines start with this, so other output of a child (libtest's) is ignored.
const TAG: &str = "@fuzz ";
/// Address space of a child: an input that allocates without bound fails here, as an abort.
const MEMORY_LIMIT: u64 = 3 << 30;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Each target with its number of executions.
    pub targets: Vec<(Target, u64)>,
    pub seed: u64,
    /// Executions per child process, at most.
    pub chunk: u64,
    /// Time per child process, at most: targets share the time, not the executions.
    pub slice: Duration,
    /// A child silent this long is hung and killed.
    pub hang: Duration,
    /// An execution that takes this much CPU time is reported as slow.
    pub slow: Duration,
    /// No new chunk starts after this.
    pub deadline: Option<Instant>,
    /// Findings are saved here.
    pub out: PathBuf,
    /// Findings are printed as they come.
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Panic,
    Abort,
    Hang,
    Slow,
}

/// One distinct problem: its first and shortest input, and how often it came up.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: Kind,
    pub target: Target,
    /// What makes it distinct: the panic location, the abort message, or the kind alone.
    pub key: String,
    pub message: String,
    pub index: u64,
    pub input_len: usize,
    pub millis: u128,
    pub count: u64,
    /// The saved case (after the campaign).
    pub saved: Option<PathBuf>,
}

#[derive(Debug, Default)]
pub struct Summary {
    /// Per target: executions and time spent.
    pub executions: BTreeMap<&'static str, (u64, Duration)>,
    pub findings: Vec<Finding>,
}

impl Summary {
    pub fn total_executions(&self) -> u64 {
        self.executions.values().map(|(n, _)| n).sum()
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }

    /// A table of executions and findings, for the terminal and the README.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for (name, (runs, time)) in &self.executions {
            let rate = *runs as f64 / time.as_secs_f64().max(1e-9);
            out.push_str(&format!(
                "{name:12} {runs:>10} executions in {:>8.1} s ({rate:.0}/s)\n",
                time.as_secs_f64()
            ));
        }
        out.push_str(&format!(
            "total {} executions; distinct: {} panics, {} aborts, {} hangs, {} slow\n",
            self.total_executions(),
            self.count(Kind::Panic),
            self.count(Kind::Abort),
            self.count(Kind::Hang),
            self.count(Kind::Slow),
        ));
        for f in &self.findings {
            out.push_str(&format!(
                "{:?} in {} ({}x, first at index {}, shortest input {} bytes{}): {}\n    {}\n",
                f.kind,
                f.target.name(),
                f.count,
                f.index,
                f.input_len,
                if f.millis > 0 {
                    format!(", {} ms", f.millis)
                } else {
                    String::new()
                },
                f.key,
                f.saved
                    .as_ref()
                    .map(|p| format!("saved: {}", p.display()))
                    .unwrap_or_default()
            ));
            if f.message != f.key {
                out.push_str(&format!("    message: {}\n", f.message));
            }
        }
        out
    }
}

/// Runs the plan; `child` makes the command of a child process (the caller adds nothing: the
/// environment says what to run).
pub fn run(plan: &Plan, child: &dyn Fn() -> Command) -> Summary {
    let ctx = Context::new();
    let mut summary = Summary::default();
    let mut next: Vec<u64> = vec![0; plan.targets.len()];
    let mut findings: BTreeMap<(Kind, &'static str, String), Finding> = BTreeMap::new();
    // Round robin by chunk, so a deadline leaves every target a fair share.
    loop {
        let mut ran = false;
        for (slot, &(target, total)) in plan.targets.iter().enumerate() {
            if next[slot] >= total || plan.deadline.is_some_and(|d| Instant::now() >= d) {
                continue;
            }
            ran = true;
            // A child that aborts is replaced until the target's slice of this round is used.
            let round = Instant::now();
            while next[slot] < total && round.elapsed() < plan.slice {
                let start = next[slot];
                let count = plan.chunk.min(total - start);
                let started = Instant::now();
                let slice = plan.slice.saturating_sub(round.elapsed());
                let outcome = run_chunk(plan, child, target, start, count, slice);
                let entry = summary.executions.entry(target.name()).or_default();
                entry.0 += outcome.executed;
                entry.1 += started.elapsed();
                next[slot] = outcome.resume_at;
                for (kind, index, key, message, millis) in outcome.events {
                    let len = targets::generate(target, &ctx, plan.seed, index).len();
                    let id = (kind, target.name(), key.clone());
                    if plan.verbose && !findings.contains_key(&id) {
                        eprintln!(
                            "{kind:?} in {} at index {index} ({len} bytes): {key}",
                            target.name()
                        );
                    }
                    let finding = findings.entry(id).or_insert_with(|| Finding {
                        kind,
                        target,
                        key,
                        message: message.clone(),
                        index,
                        input_len: len,
                        millis,
                        count: 0,
                        saved: None,
                    });
                    finding.count += 1;
                    if len < finding.input_len {
                        finding.index = index;
                        finding.input_len = len;
                        finding.message = message;
                        finding.millis = millis;
                    }
                }
            }
        }
        if !ran {
            break;
        }
        if plan.verbose {
            eprintln!(
                "round done: {} executions, {} distinct findings",
                summary.total_executions(),
                findings.len()
            );
        }
    }
    for finding in findings.values_mut() {
        finding.saved = save(plan, &ctx, finding, child);
    }
    summary.findings = findings.into_values().collect();
    summary
}

type Event = (Kind, u64, String, String, u128);

struct ChunkOutcome {
    executed: u64,
    events: Vec<Event>,
    /// Where the next chunk starts: after the last input run, or after the one that aborted
    /// or hung.
    resume_at: u64,
}

fn run_chunk(
    plan: &Plan,
    child: &dyn Fn() -> Command,
    target: Target,
    start: u64,
    count: u64,
    slice: Duration,
) -> ChunkOutcome {
    let spec = format!(
        "{} {} {start} {count} {} {}",
        target.name(),
        plan.seed,
        plan.slow.as_millis(),
        slice.as_millis().max(1)
    );
    let mut process = child()
        .env(CHILD_ENV, spec)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a fuzz child process");
    let (lines_tx, lines) = mpsc::channel();
    let stdout = process.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find(TAG)
                && lines_tx.send(line[at + TAG.len()..].to_owned()).is_err()
            {
                break;
            }
        }
    });
    let mut stderr = process.stderr.take().expect("piped stderr");
    let stderr_text = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let mut outcome = ChunkOutcome {
        executed: 0,
        events: Vec::new(),
        resume_at: start,
    };
    let mut current = None;
    let mut done = false;
    loop {
        match lines.recv_timeout(plan.hang) {
            Ok(line) => {
                let (word, rest) = line.split_once(' ').unwrap_or((&line, ""));
                match word {
                    "start" => {
                        if current.is_some() {
                            outcome.executed += 1;
                        }
                        current = rest.parse::<u64>().ok();
                    }
                    "panic" => {
                        let mut fields = rest.splitn(3, '\t');
                        let index = fields.next().and_then(|i| i.parse().ok()).unwrap_or(start);
                        let location = fields.next().unwrap_or("").to_owned();
                        let message = fields.next().unwrap_or("").to_owned();
                        outcome
                            .events
                            .push((Kind::Panic, index, location, message, 0));
                    }
                    "slow" => {
                        let mut fields = rest.split(' ');
                        let index = fields.next().and_then(|i| i.parse().ok()).unwrap_or(start);
                        let millis = fields.next().and_then(|m| m.parse().ok()).unwrap_or(0);
                        let key = format!("over {} ms", plan.slow.as_millis());
                        outcome.events.push((
                            Kind::Slow,
                            index,
                            key,
                            format!("{millis} ms"),
                            millis,
                        ));
                    }
                    "done" => {
                        outcome.executed += u64::from(current.take().is_some());
                        done = true;
                    }
                    _ => {}
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Silent for `hang`: the input in progress is hung. Kill only this child.
                let _ = process.kill();
                let index = current.unwrap_or(start);
                let key = format!("no progress for {} s", plan.hang.as_secs());
                let millis = plan.hang.as_millis();
                outcome
                    .events
                    .push((Kind::Hang, index, key.clone(), key, millis));
                outcome.executed += 1;
                outcome.resume_at = index + 1;
                let _ = process.wait();
                return outcome;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = process.wait().expect("wait for the fuzz child");
    let stderr_text = stderr_text.join().unwrap_or_default();
    if !done || !status.success() {
        let index = current.unwrap_or(start);
        outcome.executed += u64::from(current.is_some());
        let key = abort_key(&stderr_text, &status.to_string());
        let message = stderr_text.lines().take(5).collect::<Vec<_>>().join(" / ");
        outcome.events.push((Kind::Abort, index, key, message, 0));
        outcome.resume_at = index + 1;
    } else {
        outcome.resume_at = start + outcome.executed;
    }
    outcome
}

/// What tells aborts apart: the runtime's last words with the numbers taken out, else the
/// exit status.
fn abort_key(stderr: &str, status: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| {
            l.contains("overflowed its stack")
                || l.contains("memory allocation of")
                || l.contains("fatal runtime error")
                || l.contains("panicked")
        })
        .unwrap_or(status);
    let mut key = String::new();
    for c in line.chars() {
        if !c.is_ascii_digit() {
            key.push(c);
        } else if !key.ends_with('N') {
            key.push('N');
        }
    }
    key
}

/// Saves a finding's shortest input as `case.json` (for `replay`) and as plain files, with a
/// note of how to reproduce it; panics are minimized first, in a child process.
fn save(plan: &Plan, ctx: &Context, f: &Finding, child: &dyn Fn() -> Command) -> Option<PathBuf> {
    let digest = blake3::hash(format!("{:?}{}{}", f.kind, f.target.name(), f.key).as_bytes());
    let dir = plan.out.join(format!(
        "{}-{:?}-{}",
        f.target.name(),
        f.kind,
        &digest.to_hex()[..8]
    ));
    let case = targets::generate(f.target, ctx, plan.seed, f.index);
    write_case(&dir, &case).ok()?;
    let mut note = format!(
        "{:?} in target {}: {}\nmessage: {}\nseed {} index {} ({} bytes), seen {} times\n\
         reproduce: cargo run --release --example fuzz -- replay {} {}\n",
        f.kind,
        f.target.name(),
        f.key,
        f.message,
        plan.seed,
        f.index,
        f.input_len,
        f.count,
        f.target.name(),
        dir.join("case.json").display(),
    );
    if f.kind == Kind::Panic {
        let spec = format!(
            "{} {} {}",
            f.target.name(),
            dir.join("case.json").display(),
            f.key
        );
        let minimized = child()
            .env(MINIMIZE_ENV, spec)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if minimized {
            note.push_str(&format!(
                "minimized: {}\n",
                dir.join("minimized/case.json").display()
            ));
        }
    }
    if f.kind == Kind::Abort {
        // An abort ends the process: each candidate runs in a child of its own.
        let began = Instant::now();
        let probe = dir.join("probe.json");
        let shrunk = shrink(case.clone(), |candidate| {
            began.elapsed() < Duration::from_secs(90)
                && aborts_alike(plan, child, f, candidate, &probe)
        });
        let _ = std::fs::remove_file(&probe);
        if shrunk != case && write_case(&dir.join("minimized"), &shrunk).is_ok() {
            note.push_str(&format!(
                "minimized ({} bytes): {}\n",
                shrunk.len(),
                dir.join("minimized/case.json").display()
            ));
        }
    }
    std::fs::write(dir.join("finding.txt"), note).ok()?;
    Some(dir)
}

/// Whether `candidate`, run alone in a child, aborts the way `f` did.
fn aborts_alike(
    plan: &Plan,
    child: &dyn Fn() -> Command,
    f: &Finding,
    candidate: &Case,
    probe: &Path,
) -> bool {
    let Ok(json) = serde_json::to_string(&candidate.parts) else {
        return false;
    };
    if std::fs::write(probe, json).is_err() {
        return false;
    }
    let spawned = child()
        .env(RUN_ENV, format!("{} {}", f.target.name(), probe.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut process) = spawned else {
        return false;
    };
    let mut stderr = process.stderr.take().expect("piped stderr");
    let text = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let began = Instant::now();
    let status = loop {
        match process.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if began.elapsed() < plan.hang => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => {
                let _ = process.kill();
                let _ = process.wait();
                return false;
            }
        }
    };
    let text = text.join().unwrap_or_default();
    !status.success() && abort_key(&text, &status.to_string()) == f.key
}

/// `dir/case.json` and each part as a file under `dir/files/`, to read.
pub fn write_case(dir: &Path, case: &Case) -> std::io::Result<()> {
    let files = dir.join("files");
    std::fs::create_dir_all(&files)?;
    std::fs::write(
        dir.join("case.json"),
        serde_json::to_string_pretty(&case.parts)?,
    )?;
    for (i, (name, text)) in case.parts.iter().enumerate() {
        let flat: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || ".-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        std::fs::write(files.join(format!("{i}-{flat}")), text)?;
    }
    Ok(())
}

pub fn read_case(path: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let parts = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Case { parts })
}

// ---------------------------------------------------------------------------------------
// The child side.

/// The last panic's `file:line:col` and message, kept by the panic hook.
type LastPanic = Arc<Mutex<Option<(String, String)>>>;

/// Keeps panics quiet and remembered: the parent wants their place, not a backtrace.
fn catch_panics() -> LastPanic {
    let last: LastPanic = Arc::default();
    let keep = Arc::clone(&last);
    panic::set_hook(Box::new(move |info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        *keep.lock().unwrap_or_else(|e| e.into_inner()) = Some((location, message));
    }));
    last
}

/// Bounds the address space, so unbounded allocation ends as an abort in this child.
fn limit_memory() {
    #[cfg(unix)]
    {
        let limit = libc::rlimit {
            rlim_cur: MEMORY_LIMIT,
            rlim_max: MEMORY_LIMIT,
        };
        // SAFETY: setrlimit only reads the struct passed; it lowers this process's own limit.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &limit);
        }
    }
}

/// Runs `f`, with the CPU time it took in this process (all threads): what an input costs,
/// whatever else runs on the machine. Wall time where CPU time cannot be read.
fn measured<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    #[cfg(unix)]
    fn cpu_time() -> Option<Duration> {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes only the timespec passed.
        let read = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
        (read == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
    }
    #[cfg(not(unix))]
    fn cpu_time() -> Option<Duration> {
        None
    }
    let (cpu, wall) = (cpu_time(), Instant::now());
    let result = f();
    let cost = match (cpu, cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => wall.elapsed(),
    };
    (result, cost)
}

/// Runs `case`, returning the panic (location, message) if it panicked.
fn execute_caught(
    target: Target,
    ctx: &mut Context,
    case: &Case,
    last: &LastPanic,
) -> Option<(String, String)> {
    let result = panic::catch_unwind(AssertUnwindSafe(|| targets::execute(target, ctx, case)));
    let caught = last.lock().unwrap_or_else(|e| e.into_inner()).take();
    result.err().map(|_| caught.unwrap_or_default())
}

/// The child's main: runs the chunk [`CHILD_ENV`] names, printing `start`, `panic`, `slow`
/// and `done` lines. Returns false if this process is not a child.
pub fn child_from_env() -> bool {
    if let Ok(spec) = std::env::var(MINIMIZE_ENV) {
        minimize(&spec);
        return true;
    }
    if let Ok(spec) = std::env::var(RUN_ENV) {
        let (name, path) = spec.split_once(' ').expect("`target case.json`");
        let target = Target::from_name(name).expect("known target");
        let case = read_case(Path::new(path)).expect("case to run");
        limit_memory();
        targets::execute(target, &mut Context::new(), &case);
        return true;
    }
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return false;
    };
    let fields: Vec<&str> = spec.split(' ').collect();
    let [name, seed, start, count, slow, slice] = fields[..] else {
        panic!("{CHILD_ENV}: expected `target seed start count slow_ms slice_ms`, got {spec:?}");
    };
    let target = Target::from_name(name).expect("known target");
    let parse = |s: &str| s.parse::<u64>().expect("a number");
    let (seed, start, count) = (parse(seed), parse(start), parse(count));
    let (slow, slice) = (parse(slow), Duration::from_millis(parse(slice)));
    limit_memory();
    let last = catch_panics();
    let mut ctx = Context::new();
    let mut out = std::io::stdout().lock();
    let chunk_began = Instant::now();
    for index in start..start + count {
        if chunk_began.elapsed() >= slice {
            break;
        }
        let case = targets::generate(target, &ctx, seed, index);
        let _ = writeln!(out, "{TAG}start {index}");
        let _ = out.flush();
        let (panicked, cost) = measured(|| execute_caught(target, &mut ctx, &case, &last));
        let millis = cost.as_millis();
        if let Some((location, message)) = panicked {
            let message = message.replace('\n', "\\n").replace('\t', " ");
            let _ = writeln!(out, "{TAG}panic {index}\t{location}\t{message}");
        }
        if millis >= u128::from(slow) {
            let _ = writeln!(out, "{TAG}slow {index} {millis}");
        }
    }
    let _ = writeln!(out, "{TAG}done");
    let _ = out.flush();
    true
}

/// Shrinks a panicking case while it still panics at the same place, in this process.
/// Writes `minimized/` beside the case.
fn minimize(spec: &str) {
    let mut fields = spec.splitn(3, ' ');
    let (Some(name), Some(path), Some(location)) = (fields.next(), fields.next(), fields.next())
    else {
        panic!("{MINIMIZE_ENV}: expected `target case.json location`");
    };
    let target = Target::from_name(name).expect("known target");
    let path = Path::new(path);
    let case = read_case(path).expect("case to minimize");
    limit_memory();
    let last = catch_panics();
    let mut ctx = Context::new();
    let began = Instant::now();
    let mut still_panics = |candidate: &Case| {
        began.elapsed() < Duration::from_secs(60)
            && execute_caught(target, &mut ctx, candidate, &last)
                .is_some_and(|(l, _)| l == location)
    };
    if !still_panics(&case) {
        std::process::exit(1);
    }
    let case = shrink(case, still_panics);
    let dir = path.parent().unwrap_or(Path::new(".")).join("minimized");
    write_case(&dir, &case).expect("write the minimized case");
}

/// Shrinks `case` while `still_fails` holds: drops whole parts, then ever smaller slices of
/// each part's text.
fn shrink(mut case: Case, mut still_fails: impl FnMut(&Case) -> bool) -> Case {
    let mut part = 0;
    while part < case.parts.len() && case.parts.len() > 1 {
        let mut fewer = case.clone();
        fewer.parts.remove(part);
        if still_fails(&fewer) {
            case = fewer;
        } else {
            part += 1;
        }
    }
    for part in 0..case.parts.len() {
        let mut size = case.parts[part].1.len() / 2;
        while size > 0 {
            let mut at = 0;
            while at < case.parts[part].1.len() {
                let text = &case.parts[part].1;
                let mut end = (at + size).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                let mut shorter = case.clone();
                shorter.parts[part].1.replace_range(at..end, "");
                if still_fails(&shorter) {
                    case = shorter;
                } else {
                    at = end;
                }
            }
            size /= 2;
        }
    }
    case
}
