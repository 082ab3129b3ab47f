//! An export folder on disk as the auditor reads it ([`audit::export::ExportFiles`]), with
//! a progress bar on an interactive standard error: `import` verifies the folder it is about
//! to write through the same auditor as `sijill verify`.

use std::fs::File;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use audit::export::{ExportFiles, Opened, Progress, VerifyOutcome};
use indicatif::{ProgressBar, ProgressStyle};

/// The export folder being imported.
pub(super) struct ExportDir(PathBuf);

impl ExportFiles for ExportDir {
    fn open(&self, name: &str) -> io::Result<Option<Opened<'_>>> {
        match File::open(self.0.join(name)) {
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

/// Bytes of entries verified, as a bar.
struct VerifyBar(ProgressBar);

impl Progress for VerifyBar {
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

/// Verifies the export in `dir` under `log_key` only.
pub(super) fn verify(dir: &Path, log_key: &str, progress: bool) -> VerifyOutcome {
    let bar = if progress && io::stderr().is_terminal() {
        // The bar `sijill verify` draws: the import verifies exactly as it does.
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template(
            "verifying {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    audit::export::verify_export(
        &ExportDir(dir.to_path_buf()),
        Some(log_key),
        &VerifyBar(bar),
    )
}
