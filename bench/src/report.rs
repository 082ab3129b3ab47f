//! How results leave the bench: figures and comments on standard output, exactly as
//! `bench: <name> = <value> <unit>` and `bench: # <text>`; progress on standard error.

use std::io::Write;

/// Prints one figure. `decimals` is chosen per figure: rates as whole numbers, ratios with
/// two decimals, so that the line says no more precision than the measurement has.
pub fn figure(name: &str, value: f64, decimals: usize, unit: &str) {
    line(&format!("bench: {name} = {value:.decimals$} {unit}"));
}

/// Prints a fact about the run (machine, databases, sizes) as a comment line.
pub fn comment(text: &str) {
    line(&format!("bench: # {text}"));
}

/// Says that a figure group could not be measured, and why.
pub fn failure(group: &str, error: &(dyn std::error::Error + Send + Sync)) {
    comment(&format!("FAILED: group {group}: {error}"));
    progress(&format!("group {group} failed: {error}"));
}

/// Progress for whoever watches the run; never part of the results.
pub fn progress(text: &str) {
    eprintln!("bench: {text}");
}

fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    // Flushed at once so that a run interrupted later still shows what it measured.
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}
