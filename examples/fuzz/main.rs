//! Fuzzing versus's parsers on stable Rust: structure-aware inputs for front matter, Markdown
//! with kramdown syntax, Liquid, matrices and `check`, each execution watched for panics,
//! aborts and hangs. See "Fuzzing" in README.md.
//!
//! ```text
//! cargo run --release --example fuzz -- <target|all> <executions> <seed> [--minutes M]
//!     [--chunk N] [--slice S] [--hang S] [--slow MS] [--out DIR]
//! cargo run --release --example fuzz -- replay <target> <case.json>
//! cargo run --release --example fuzz -- case <target> <seed> <index> <dir>
//! ```

mod engine;

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use engine::campaign::{self, Kind, Plan};
use engine::targets::{self, Context, Target};

const USAGE: &str = "usage: fuzz <all|frontmatter|markdown|liquid|matrices|check|sources> <executions> <seed> \
[--minutes M] [--chunk N] [--slice SECONDS] [--hang SECONDS] [--slow MS] [--out DIR]\n       fuzz replay <target> <case.json>\n       fuzz case <target> <seed> <index> <dir>";

fn main() -> ExitCode {
    if campaign::child_from_env() {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("replay") => replay(&args[1..]),
        Some("case") => write_case(&args[1..]),
        Some(_) => match parse_plan(&args) {
            Ok(plan) => fuzz(&plan),
            Err(message) => {
                eprintln!("{message}\n{USAGE}");
                ExitCode::from(2)
            }
        },
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse_plan(args: &[String]) -> Result<Plan, String> {
    let [which, executions, seed, options @ ..] = args else {
        return Err("missing arguments".into());
    };
    let number = |text: &str, what: &str| {
        text.replace('_', "")
            .parse::<u64>()
            .map_err(|_| format!("{what} must be a whole number, not `{text}`"))
    };
    let executions = number(executions, "executions")?;
    let targets = if which == "all" {
        Target::ALL.to_vec()
    } else {
        vec![Target::from_name(which).ok_or_else(|| format!("unknown target `{which}`"))?]
    };
    let mut plan = Plan {
        targets: targets.into_iter().map(|t| (t, executions)).collect(),
        seed: number(seed, "seed")?,
        chunk: 100_000,
        slice: Duration::from_secs(20),
        hang: Duration::from_secs(30),
        slow: Duration::from_secs(2),
        deadline: None,
        out: default_out(),
        verbose: true,
    };
    let mut rest = options.iter();
    while let Some(option) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{option} needs a value"))?;
        match option.as_str() {
            "--minutes" => {
                let minutes = number(value, "--minutes")?;
                plan.deadline = Some(Instant::now() + Duration::from_secs(minutes * 60));
            }
            "--chunk" => plan.chunk = number(value, "--chunk")?.max(1),
            "--slice" => plan.slice = Duration::from_secs(number(value, "--slice")?.max(1)),
            "--hang" => plan.hang = Duration::from_secs(number(value, "--hang")?.max(1)),
            "--slow" => plan.slow = Duration::from_millis(number(value, "--slow")?),
            "--out" => plan.out = PathBuf::from(value),
            _ => return Err(format!("unknown option `{option}`")),
        }
    }
    Ok(plan)
}

/// `<target dir>/fuzz`, beside the `release/` or `debug/` folder this program runs from.
fn default_out() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("fuzz")))
        .unwrap_or_else(|| std::env::temp_dir().join("versus-fuzz"))
}

fn fuzz(plan: &Plan) -> ExitCode {
    let exe = std::env::current_exe().expect("this program's path");
    let started = Instant::now();
    let summary = campaign::run(plan, &|| Command::new(&exe));
    print!("{}", summary.report());
    let total = summary.total_executions();
    let rate = total as f64 / started.elapsed().as_secs_f64().max(1e-9);
    println!(
        "{total} executions in {:.0} s, {rate:.0}/s overall; 5,000,000 would take {:.1} h at this rate",
        started.elapsed().as_secs_f64(),
        5e6 / rate.max(1e-9) / 3600.0
    );
    let failed = [Kind::Panic, Kind::Abort, Kind::Hang]
        .iter()
        .any(|&k| summary.count(k) > 0);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs a saved case once, in this process and without catching anything: the panic, abort
/// or hang shows as it would in versus, with `RUST_BACKTRACE=1` for a backtrace.
fn replay(args: &[String]) -> ExitCode {
    let [name, path] = args else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Some(target) = Target::from_name(name) else {
        eprintln!("unknown target `{name}`\n{USAGE}");
        return ExitCode::from(2);
    };
    let case = match campaign::read_case(path.as_ref()) {
        Ok(case) => case,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut ctx = Context::new();
    let began = Instant::now();
    targets::execute(target, &mut ctx, &case);
    println!("ran without panic in {} ms", began.elapsed().as_millis());
    ExitCode::SUCCESS
}

/// Writes input `index` of `target` under `seed` to `dir` (`case.json` and plain files), to
/// read it or replay it.
fn write_case(args: &[String]) -> ExitCode {
    let [name, seed, index, dir] = args else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (Some(target), Ok(seed), Ok(index)) =
        (Target::from_name(name), seed.parse(), index.parse())
    else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let case = targets::generate(target, &Context::new(), seed, index);
    match campaign::write_case(dir.as_ref(), &case) {
        Ok(()) => {
            println!(
                "{} bytes in {} files: {dir}/case.json",
                case.len(),
                case.parts.len()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{dir}: {err}");
            ExitCode::from(2)
        }
    }
}
