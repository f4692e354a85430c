//! Issue #11: the fuzz targets of `examples/fuzz` (front matter, Markdown with kramdown syntax,
//! Liquid, matrices, `check`) for a fixed budget of executions with a fixed seed. Each target
//! runs in a child process (this test binary again, running [`child`]), so a stack overflow or
//! a failed allocation is reported as a finding instead of ending the test run. The long
//! campaign is `cargo run --release --example fuzz` (README, "Fuzzing").

#[path = "../../examples/fuzz/engine/mod.rs"]
mod engine;

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use engine::campaign::{self, Kind, Plan};
use engine::targets::{self, Context, Target};

/// Executions per target: about 20 s in all in a debug build on two cores.
const BUDGET: [(Target, u64); 6] = [
    (Target::FrontMatter, 4_000),
    (Target::Markdown, 1_500),
    (Target::Liquid, 1_500),
    (Target::Matrices, 4_000),
    (Target::Check, 300),
    (Target::Sources, 2_000),
];
const SEED: u64 = 1;

#[test]
fn generated_inputs_never_panic_abort_or_hang() {
    let exe = std::env::current_exe().expect("this test binary");
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
    let _ = std::fs::remove_dir_all(&out);
    let plan = Plan {
        targets: BUDGET.to_vec(),
        seed: SEED,
        chunk: u64::MAX,
        slice: Duration::from_secs(3_600),
        // A child silent this long is stuck, not slow: even a debug build runs an input in
        // well under a second.
        hang: Duration::from_secs(60),
        slow: Duration::from_secs(10),
        deadline: None,
        out,
        verbose: false,
    };
    let summary = campaign::run(&plan, &|| {
        let mut command = Command::new(&exe);
        command.args(["--exact", "fuzz::child", "--ignored", "--nocapture"]);
        command
    });
    for (target, planned) in BUDGET {
        let (ran, _) = summary.executions[target.name()];
        assert_eq!(ran, planned, "{}: executions run", target.name());
    }
    let failed = summary.findings.iter().any(|f| f.kind != Kind::Slow);
    assert!(!failed, "fuzz findings:\n{}", summary.report());
}

/// A finding is reported as (target, seed, index): that must be enough to make its input again,
/// and the inputs of a run must differ from each other.
#[test]
fn inputs_are_made_again_from_seed_and_index() {
    let ctx = Context::new();
    for target in Target::ALL {
        for index in [0, 1, 4_321] {
            let first = targets::generate(target, &ctx, 7, index);
            assert_eq!(
                first,
                targets::generate(target, &ctx, 7, index),
                "{}",
                target.name()
            );
            assert_ne!(
                first,
                targets::generate(target, &ctx, 8, index),
                "{}",
                target.name()
            );
        }
        let distinct: HashSet<_> = (0..100)
            .map(|index| targets::generate(target, &ctx, 7, index))
            .collect();
        assert!(
            distinct.len() >= 90,
            "{}: {} distinct",
            target.name(),
            distinct.len()
        );
    }
}

/// One chunk of executions, in the child process the test above starts.
#[test]
#[ignore = "run by generated_inputs_never_panic_abort_or_hang in a child process"]
fn child() {
    assert!(
        campaign::child_from_env(),
        "started by generated_inputs_never_panic_abort_or_hang with {} set",
        campaign::CHILD_ENV
    );
}
