//! The crate graph of ARCHITECTURE.md, checked on what Cargo resolves: which crates may
//! reach the database driver, the HTTP server, the templates and the server itself. A
//! dependency added against these arrows fails here, not in review.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde::Deserialize;

/// The parts of `cargo metadata`'s output this test reads.
#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_members: Vec<String>,
    resolve: Resolve,
}

#[derive(Deserialize)]
struct Package {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct Resolve {
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    deps: Vec<NodeDep>,
}

#[derive(Deserialize)]
struct NodeDep {
    pkg: String,
    dep_kinds: Vec<DepKind>,
}

#[derive(Deserialize)]
struct DepKind {
    /// `None` for a normal dependency, `"dev"` or `"build"` otherwise.
    kind: Option<String>,
}

/// The resolved graph of normal (non-dev, non-build) dependencies, by crate name.
struct Graph {
    /// Direct normal dependencies of each crate.
    deps: BTreeMap<String, BTreeSet<String>>,
    /// The workspace's own crates.
    members: BTreeSet<String>,
}

fn host() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8(out.stdout)
        .expect("rustc -vV prints UTF-8")
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc -vV names the host")
}

fn graph() -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--manifest-path",
            manifest,
        ])
        .args(["--filter-platform", &host()])
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Metadata = serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON");
    let names: BTreeMap<&str, &str> = metadata
        .packages
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let name = |id: &str| names[id].to_owned();
    let mut graph = Graph {
        deps: BTreeMap::new(),
        members: metadata
            .workspace_members
            .iter()
            .map(|id| name(id))
            .collect(),
    };
    for node in &metadata.resolve.nodes {
        let normal = node
            .deps
            .iter()
            .filter(|d| d.dep_kinds.iter().any(|k| k.kind.is_none()))
            .map(|d| name(&d.pkg));
        graph.deps.entry(name(&node.id)).or_default().extend(normal);
    }
    graph
}

impl Graph {
    /// Every crate `from` needs to build, itself excluded.
    fn reach(&self, from: &str) -> BTreeSet<String> {
        self.reach_around(from, &[])
    }

    /// Every crate `from` needs to build, not counting what it needs only through the
    /// crates of `around`.
    fn reach_around(&self, from: &str, around: &[&str]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_owned()];
        while let Some(next) = todo.pop() {
            for dep in self.deps.get(&next).into_iter().flatten() {
                if around.contains(&dep.as_str()) {
                    seen.insert(dep.clone());
                    continue;
                }
                if seen.insert(dep.clone()) {
                    todo.push(dep.clone());
                }
            }
        }
        seen
    }

    /// The workspace crates whose build pulls in `target`.
    fn members_reaching(&self, target: &str) -> BTreeSet<String> {
        self.members
            .iter()
            .filter(|m| m.as_str() != target && self.reach(m).contains(target))
            .cloned()
            .collect()
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|&n| n.to_owned()).collect()
    }
}

/// The workspace crates that name `target` among their own (normal) dependencies.
fn direct_users(graph: &Graph, target: &str) -> BTreeSet<String> {
    graph
        .members
        .iter()
        .filter(|m| graph.deps[*m].contains(target))
        .cloned()
        .collect()
}

/// Only `allowed` may name `target` as a dependency of their own.
#[track_caller]
fn only_these_use(graph: &Graph, target: &str, allowed: &[&str]) {
    let users = direct_users(graph, target);
    let allowed_set = Graph::set(allowed);
    let extra: Vec<_> = users.difference(&allowed_set).collect();
    assert!(
        extra.is_empty(),
        "{extra:?} depend on {target}, which ARCHITECTURE.md allows only to {allowed:?}"
    );
}

/// None of `crates` may need `forbidden` to build, directly or not.
#[track_caller]
fn never_reach(graph: &Graph, crates: &[&str], forbidden: &[&str], why: &str) {
    for name in crates {
        let reach = graph.reach(name);
        for f in forbidden {
            assert!(
                !reach.contains(*f),
                "{name} depends (directly or not) on {f}: {why}"
            );
        }
    }
}

/// The test suite and the benchmark may reach into anything.
const HARNESSES: &[&str] = &["e2e", "bench"];

#[test]
fn only_the_store_speaks_sql() {
    let graph = graph();
    only_these_use(&graph, "sqlx", &["store", "e2e", "bench"]);
    // The pool is private; `raw-pool` opens it, for the test suite and the benchmark only.
    for member in &graph.members {
        if HARNESSES.contains(&member.as_str()) {
            continue;
        }
        let path = format!(
            "{}/../{}/Cargo.toml",
            env!("CARGO_MANIFEST_DIR"),
            folder(member)
        );
        let manifest = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let asks = manifest.lines().any(|l| {
            l.contains("raw-pool")
                && !l.trim_start().starts_with(['#', '['])
                && !l.starts_with("raw-pool")
        });
        assert!(
            !asks,
            "{member} turns on the store's raw-pool feature, which is for tests only"
        );
    }
}

/// The folder of a workspace crate (the `sijill` binary's package lives in `cli/`).
fn folder(name: &str) -> &str {
    match name {
        "sijill" => "cli",
        "e2e" => "tests",
        other => other,
    }
}

#[test]
fn http_servers_templates_and_the_command_line_stay_at_the_edges() {
    let graph = graph();
    only_these_use(
        &graph,
        "axum",
        &["api", "portal", "witness", "connections", "e2e", "bench"],
    );
    only_these_use(&graph, "askama", &["portal"]);
    only_these_use(&graph, "clap", &["sijill", "bench"]);
    never_reach(
        &graph,
        &["engine", "demo"],
        &["axum", "askama", "clap", "api", "portal"],
        "the engine answers typed results and refusals, the edges render them",
    );
    never_reach(
        &graph,
        &["api"],
        &["portal", "askama", "demo"],
        "the JSON API renders no pages",
    );
    never_reach(
        &graph,
        &["portal"],
        &["api", "demo"],
        "the pages render the engine's results, not the JSON API's",
    );
}

#[test]
fn only_the_server_programs_use_the_engine() {
    let graph = graph();
    let users = graph.members_reaching("engine");
    assert_eq!(
        users,
        Graph::set(&["api", "portal", "demo", "sijill", "e2e", "bench"]),
        "who depends on the engine"
    );
}

#[test]
fn the_auditor_needs_nothing_of_the_server() {
    let graph = graph();
    never_reach(
        &graph,
        &["ledger", "domain", "projections", "audit", "client", "keys"],
        &[
            "sijill",
            "engine",
            "store",
            "sqlx",
            "axum",
            "askama",
            "connections",
            "witness",
            "api",
            "portal",
        ],
        "an auditor's build must not link the server",
    );
}

#[test]
fn the_pure_crates_do_no_io() {
    let graph = graph();
    for pure in ["ledger", "domain", "projections", "audit"] {
        // cqrs-es, the aggregates' framework, brings tokio for its own stores; the domain
        // uses its traits only.
        let reach = graph.reach_around(pure, &["cqrs-es"]);
        for io in ["tokio", "reqwest", "sqlx", "axum", "indicatif"] {
            assert!(
                !reach.contains(io),
                "{pure} depends (directly or not) on {io}; it must do no I/O"
            );
        }
    }
}

#[test]
fn the_witness_knows_the_ledger_and_an_http_server_only() {
    let graph = graph();
    let ours: BTreeSet<_> = graph
        .reach("witness")
        .intersection(&graph.members)
        .cloned()
        .collect();
    assert_eq!(ours, Graph::set(&["ledger", "keys", "connections"]));
}
