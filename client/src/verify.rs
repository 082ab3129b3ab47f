//! `sijill verify DIR [--log-key VKEY]`: the auditor of the `audit` crate over an export
//! folder or a mirror on disk, with a progress bar, reporting as docs/spec/api.md says.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use audit::export::{ExportFiles, Opened, Progress};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use audit::export::VerifyOutcome;

/// An export folder or a mirror on disk, as the auditor reads it.
#[derive(Debug, Clone)]
pub struct Folder(PathBuf);

impl Folder {
    pub fn new(dir: &Path) -> Self {
        Folder(dir.to_path_buf())
    }
}

impl ExportFiles for Folder {
    fn open(&self, name: &str) -> io::Result<Option<Opened<'_>>> {
        let path = self.0.join(name);
        match File::open(&path) {
            // A folder where a file should be is no file: reading it would fail anyway.
            Ok(file) => {
                let metadata = file.metadata()?;
                Ok((!metadata.is_dir()).then(|| Opened {
                    reader: Box::new(file),
                    len: metadata.len(),
                }))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn show(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

/// A progress bar by bytes of entries, drawn only on an interactive standard error so that
/// scripts and logs never see it.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(enabled: bool) -> Self {
        if !enabled || !io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "verifying {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
        ) {
            bar.set_style(style);
        }
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }

    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Verifies the export folder or mirror `dir`, trusting `log_key` (a note verifier key
/// string) if given, else the keys listed in `DIR/log.pub`. With `progress`, a progress bar
/// is drawn on standard error when it is a terminal.
pub fn verify_export(dir: &Path, log_key: Option<&str>, progress: bool) -> VerifyOutcome {
    audit::export::verify_export(&Folder::new(dir), log_key, &Bar::new(progress))
}

/// Whether `dir` holds a mirror (`sijill mirror`) rather than an export; a folder that
/// cannot be read is taken for an export, whose verification then says what is wrong.
pub fn is_mirror(dir: &Path) -> bool {
    audit::export::is_mirror(&Folder::new(dir)).unwrap_or(false)
}

/// What `sijill verify` prints on standard error when no `--log-key` is given.
pub fn unpinned_key_warning(dir: &Path) -> String {
    audit::export::unpinned_key_warning(&Folder::new(dir))
}

/// `sijill verify`: runs [`verify_export`] and reports as `docs/spec/api.md` fixes it: on
/// standard output `verified N entries, root <base64>` (exit 0) or `index I: <reason>`
/// (exit 1); usage and I/O errors on standard error (exit 2).
pub fn run(dir: &Path, log_key: Option<&str>) -> ExitCode {
    // Write errors (a closed pipe) are ignored rather than panicking: the exit code still
    // carries the verdict.
    match verify_export(dir, log_key, true) {
        VerifyOutcome::Verified { size, root } => {
            let root = BASE64.encode(root);
            let _ = writeln!(io::stdout(), "verified {size} entries, root {root}");
            ExitCode::SUCCESS
        }
        VerifyOutcome::Failed(failure) => {
            let _ = writeln!(io::stdout(), "{failure}");
            ExitCode::from(1)
        }
        VerifyOutcome::Usage(message) => {
            let _ = writeln!(io::stderr(), "sijill verify: {message}");
            ExitCode::from(2)
        }
    }
}
