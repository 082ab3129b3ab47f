//! A real browser for the portal's tests: Debian's headless Chromium driven through
//! chromedriver (WebDriver), as a reader's browser would load the pages, run
//! `verify.js` and its WebCrypto, and submit the forms.
//!
//! The binaries come from `SIJILL_CHROMIUM` and `SIJILL_CHROMEDRIVER`, else
//! `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`, which `.ci/run` installs). A missing browser fails the test with
//! the command that installs it: it never skips.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long a page element, or the verifier's verdict, may take to appear.
pub const PATIENCE: Duration = Duration::from_secs(90);

fn binary(variable: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} not found: the browser tests need Debian's chromium and chromium-driver \
         (apt-get install -y chromium chromium-driver; .ci/run installs them), or {variable} \
         pointing at the binary",
        path.display()
    );
    path
}

/// A headless Chromium session; chromedriver is killed when it is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Killing chromedriver leaves its Chromium running (a dozen processes per
        // session): end every process started on this session's own profile folder.
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(format!("user-data-dir={}", self.profile.path().display()))
            .status();
    }
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session.
    pub async fn start() -> Self {
        let chromium = binary("SIJILL_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = binary("SIJILL_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port for chromedriver")
            .port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let profile = tempfile::tempdir().expect("a profile folder");
        // The flags a root user in a sandboxed machine with no outside network needs:
        // no sandbox, no GPU, and none of Chromium's own background connections.
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1280,1000".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({"binary": chromium, "args": args}),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if started.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("chromedriver did not open a Chromium session: {e}"),
            }
        };
        Self {
            client,
            driver,
            profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let url = self.client.current_url().await.map(|u| u.to_string());
                panic!("no element {css} on {url:?}: {e}")
            }
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css)
            .await
            .attr(name)
            .await
            .expect("element attribute")
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Follows the link matching `css` and waits until the browser is on its page, so that
    /// nothing is read from the page being left.
    pub async fn follow(&self, css: &str) {
        let href = self
            .attr(css, "href")
            .await
            .unwrap_or_else(|| panic!("{css} is not a link"));
        self.click(css).await;
        self.wait_for_url(|url| url.ends_with(&href)).await;
    }

    /// Waits until the browser's address satisfies `arrived` (a form sent, a link followed).
    pub async fn wait_for_url(&self, arrived: impl Fn(&str) -> bool) {
        let started = Instant::now();
        loop {
            let url = self
                .client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            if arrived(&url) {
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "still on {url} after {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `(lang, dir)` of the page's `<html>` element.
    pub async fn lang_dir(&self) -> (String, String) {
        (
            self.attr("html", "lang").await.unwrap_or_default(),
            self.attr("html", "dir").await.unwrap_or_default(),
        )
    }

    /// Clicks Verify and waits for the verifier's verdict: `(green, message)`.
    pub async fn verify(&self) -> (bool, String) {
        self.click("#verify").await;
        let started = Instant::now();
        loop {
            let output = self.find("#verify-result").await;
            let class = output
                .attr("class")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if class == "verified" || class == "failed" {
                let message = output.text().await.unwrap_or_default();
                return (class == "verified", message);
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the verifier gave no verdict in {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot as `DIR/NAME.png` when `SIJILL_SCREENSHOTS=DIR` is set (the
    /// pictures of docs/portal.md are made so); otherwise still takes it, so a page that cannot be
    /// drawn fails the test.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot of {name}");
        if let Some(dir) = std::env::var_os("SIJILL_SCREENSHOTS") {
            let dir = Path::new(&dir);
            std::fs::create_dir_all(dir).expect("screenshot folder");
            std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
        }
    }
}
