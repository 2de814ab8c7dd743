//! Serving the built console: precompressed brotli and gzip files chosen by
//! `Accept-Encoding`, long-lived caching for Trunk's hashed files, `no-store`
//! for the HTML and `no-cache` for the rest, and a Content-Security-Policy that allows this origin only,
//! with index.html's inline scripts allowed by hash. index.html carries the
//! gateway's environments as a JSON data block, so the console starts
//! knowing them, with no request before its first page.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use numbers_core::models::gateway::EnvironmentList;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::ServeDir;

#[derive(Debug, thiserror::Error)]
pub enum StaticError {
    #[error("the console folder {0} has no index.html: build it with `trunk build --release`, or pass --dist")]
    MissingIndex(PathBuf),
    #[error("cannot read the console folder {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Files worth compressing (what a browser downloads that is not already
/// compressed).
const COMPRESSIBLE: [&str; 9] = [
    "html", "js", "wasm", "css", "svg", "json", "csv", "txt", "map",
];
const MIN_COMPRESS: u64 = 512;

/// The built console, ready to serve.
#[derive(Debug, Clone)]
pub struct Statics {
    pub dist: PathBuf,
    /// The CSP header value, with index.html's inline scripts by hash.
    pub csp: HeaderValue,
    /// Names of Trunk's content-hashed files (cached for a year).
    hashed: HashSet<String>,
    /// The files served, as paths under `dist` (`public/x.csv`): found at
    /// start, without following links; nothing else under `dist` is.
    served: std::sync::Arc<HashSet<String>>,
    index: std::sync::Arc<Index>,
}

/// index.html with the environments in it, in each encoding, and its ETag.
#[derive(Debug)]
struct Index {
    plain: Vec<u8>,
    br: Vec<u8>,
    gzip: Vec<u8>,
    etag: HeaderValue,
}

/// The element id of the data block the console reads at start.
pub const ENVIRONMENTS_ELEMENT: &str = "numbers-gateway";

/// `html` with `environments` as a JSON data block at the end of `<head>`
/// (a data block is never run, so the CSP needs no hash for it).
pub fn with_environments(html: &str, environments: &EnvironmentList) -> String {
    // `<` escaped so no value can close the element.
    let json = serde_json::to_string(environments)
        .unwrap_or_else(|_| "{\"environments\":[]}".into())
        .replace('<', "\\u003c");
    let block =
        format!("<script id=\"{ENVIRONMENTS_ELEMENT}\" type=\"application/json\">{json}</script>");
    match html.find("</head>") {
        Some(at) => format!("{}{block}{}", &html[..at], &html[at..]),
        None => format!("{block}{html}"),
    }
}

impl Index {
    fn new(html: String) -> std::io::Result<Self> {
        let plain = html.into_bytes();
        let digest = Sha256::digest(&plain);
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..12]);
        Ok(Self {
            br: brotli(&plain)?,
            gzip: gzip(&plain)?,
            etag: HeaderValue::from_str(&format!("\"{tag}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("\"index\"")),
            plain,
        })
    }

    /// The best encoding the browser takes; 304 when it has this version.
    fn respond(&self, request: &HeaderMap) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if request.get(header::IF_NONE_MATCH) == Some(&self.etag) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let accepts = |coding: &str| {
            request
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|c| {
                    let mut parts = c.split(';').map(str::trim);
                    let name = parts.next();
                    let weight = parts
                        .find_map(|p| p.strip_prefix("q="))
                        .and_then(|q| q.parse::<f32>().ok())
                        .unwrap_or(1.0);
                    name == Some(coding) && weight > 0.0
                })
        };
        let body = if accepts("br") {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            self.br.clone()
        } else if accepts("gzip") {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            self.gzip.clone()
        } else {
            self.plain.clone()
        };
        (headers, body).into_response()
    }
}

/// Whether a file name carries Trunk's content hash (`name-<hex>` before
/// the extension, e.g. `numbers-console-1a2b3c4d5e6f7a8b_bg.wasm`).
///
/// Trunk writes its 64-bit hash with `{:x}`, so without leading zeros: one
/// build in 16 has 15 digits, one in 256 has 14. Taking 12 to 16 digits
/// misses one build in 16^5, and no word of a file name has 12 hex digits.
fn is_hashed(name: &str) -> bool {
    name.split(['-', '_', '.'])
        .any(|part| (12..=16).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `'sha256-…'` sources of every inline `<script>` in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let open = &rest[..open_end];
        let body_start = open_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else {
            break;
        };
        let body = &rest[body_start..body_start + close];
        if !open.contains(" src=") && !body.trim().is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &rest[body_start + close..];
    }
    hashes
}

pub fn csp(script_hashes: &[String]) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        script_hashes.join(" ")
    )
}

/// The console's files under `dir`. A link is never followed: it could
/// lead anywhere on the machine (a folder of secrets, `/`), and whatever
/// it points at would be served and compressed beside its target.
fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            tracing::warn!(
                "{} is a link: it is not served (copy the file into the console folder instead)",
                path.display()
            );
        } else if kind.is_dir() {
            files(&path, out)?;
        } else if kind.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(ext);
    PathBuf::from(name)
}

/// Whether `compressed` must be written again: missing, older than its
/// source, or a link (replaced, never followed).
fn stale(source: &Path, compressed: &Path) -> bool {
    let modified = |p: &Path| {
        std::fs::symlink_metadata(p)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
    };
    match (modified(source), modified(compressed)) {
        (Some(s), Some(c)) => c < s,
        _ => true,
    }
}

fn brotli(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 3);
    {
        // Quality 11 with a 16 MiB window: slow once, smallest on every visit.
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 24);
        w.write_all(data)?;
    }
    Ok(out)
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(data)?;
    w.finish()
}

/// Writes `file.br` and `file.gz` beside every compressible file that lacks
/// a current one. Returns how many were written; a folder that cannot be
/// written to is served compressed on the fly instead.
fn precompress(all: &[PathBuf]) -> usize {
    let mut written = 0;
    for path in all {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !COMPRESSIBLE.contains(&ext)
            || std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < MIN_COMPRESS
        {
            continue;
        }
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        for (suffix, compress) in [
            (".br", brotli as fn(&[u8]) -> std::io::Result<Vec<u8>>),
            (".gz", gzip),
        ] {
            let target = sibling(path, suffix);
            if !stale(path, &target) {
                continue;
            }
            match compress(&data).and_then(|c| crate::files::write_atomically(&target, &c)) {
                Ok(()) => written += 1,
                Err(e) => tracing::warn!(
                    "cannot write {}: {e}; it will be compressed on each request instead",
                    target.display()
                ),
            }
        }
    }
    written
}

impl Statics {
    /// Reads the console folder and precompresses what needs it (blocking:
    /// run before serving).
    pub fn prepare(dist: &Path, environments: &EnvironmentList) -> Result<Self, StaticError> {
        let index = dist.join("index.html");
        let html = std::fs::read_to_string(&index)
            .map_err(|_| StaticError::MissingIndex(dist.to_path_buf()))?;
        let mut all = Vec::new();
        files(dist, &mut all).map_err(|source| StaticError::Read {
            path: dist.to_path_buf(),
            source,
        })?;
        all.retain(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
            !matches!(ext, "br" | "gz" | "tmp")
        });
        let written = precompress(&all);
        if written > 0 {
            tracing::info!("precompressed {written} files of {}", dist.display());
        }
        let hashed = all
            .iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()))
            .filter(|n| is_hashed(n))
            .map(str::to_string)
            .collect();
        let served = all
            .iter()
            .filter_map(|p| p.strip_prefix(dist).ok())
            .filter_map(|p| p.to_str())
            .map(str::to_string)
            .collect();
        let csp = HeaderValue::from_str(&csp(&inline_script_hashes(&html)))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
        let index = Index::new(with_environments(&html, environments)).map_err(|source| {
            StaticError::Read {
                path: dist.join("index.html"),
                source,
            }
        })?;
        Ok(Self {
            dist: dist.to_path_buf(),
            csp,
            hashed,
            served: std::sync::Arc::new(served),
            index: std::sync::Arc::new(index),
        })
    }

    /// `/` and every console route serve index.html; files serve themselves.
    pub fn router(&self) -> Router {
        let index = self.index.clone();
        let shell = move |request: Request| {
            let index = index.clone();
            async move { index.respond(request.headers()) }
        };
        let fallback = self.index.clone();
        // Named for the log: the path is the client's, not the console's.
        let spa = move |request: Request| {
            let index = fallback.clone();
            async move {
                // A missing file (a dot in the last segment) is 404, not the
                // app shell: a stale hashed name must not be cached as HTML.
                let last = request.uri().path().rsplit('/').next().unwrap_or_default();
                let (mut response, name) = if last.contains('.') {
                    (StatusCode::NOT_FOUND.into_response(), "/{missing file}")
                } else {
                    (index.respond(request.headers()), "/{console page}")
                };
                response
                    .extensions_mut()
                    .insert(crate::access_log::RouteName(name.into()));
                response
            }
        };
        let dir = ServeDir::new(&self.dist)
            .precompressed_br()
            .precompressed_gzip();
        let served = self.served.clone();
        let root = self.dist.clone();
        // Only a file is served: one found at start, or one put there since
        // (a deploy in progress) that is no link and under no link; never
        // a folder (ServeDir would redirect `//public` to the
        // protocol-relative `//public/`).
        let files = move |request: Request| {
            let (dir, served, spa, root) = (dir.clone(), served.clone(), spa.clone(), root.clone());
            async move {
                let path = percent_encoding::percent_decode_str(request.uri().path())
                    .decode_utf8_lossy()
                    .trim_start_matches('/')
                    .to_string();
                if served.contains(&path) || plain_file_under(&root, &path) {
                    match dir.oneshot(request).await {
                        Ok(r) => r.map(axum::body::Body::new),
                        Err(never) => match never {},
                    }
                } else {
                    spa(request).await
                }
            }
        };
        let hashed = std::sync::Arc::new(self.hashed.clone());
        Router::new()
            .route("/", get(shell.clone()))
            .route("/index.html", get(shell))
            .fallback(files)
            .layer(middleware::from_fn(move |req: Request, next: Next| {
                let hashed = hashed.clone();
                async move { cache_control(&hashed, req, next).await }
            }))
    }
}

/// Whether `path` (relative, `/`-separated) names a regular file under
/// `root` reached through folders only: no link on the way, no `..`.
fn plain_file_under(root: &Path, path: &str) -> bool {
    let mut at = root.to_path_buf();
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || *part == "." || *part == ".." || part.contains('\\') {
            return false;
        }
        at.push(part);
        let Ok(meta) = std::fs::symlink_metadata(&at) else {
            return false;
        };
        let last = i + 1 == parts.len();
        if (last && !meta.is_file()) || (!last && !meta.is_dir()) {
            return false;
        }
    }
    true
}

/// A year, immutable, for hashed files that exist; HTML never kept (a page
/// frozen in the back/forward cache can hold IndexedDB in the middle of a
/// transaction, and the next page's CSV run then waits on it forever);
/// everything else revalidated.
async fn cache_control(hashed: &HashSet<String>, request: Request, next: Next) -> Response {
    let name = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let value = if response.status().is_success() && hashed.contains(&name) {
        "public, max-age=31536000, immutable"
    } else if html {
        "no-store"
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    // The same URL answers br, gzip or plain: caches must keep them apart.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        assert!(is_hashed("numbers-console-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed("numbers-console-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed("main-0123456789abcdef.css"));
        // A hash whose first hex digit was 0, as Trunk writes it.
        assert!(is_hashed("numbers-console-739e13d6ae57f4c.js"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("update-template.csv"));
        assert!(!is_hashed("numbers-console-1a2b3c.js"));
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<head><script>alert(1)</script><script src=\"/a.js\"></script>\
                    <script type=\"module\">import x from '/x.js';</script></head>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        // sha256("alert(1)"), as a browser computes it for CSP.
        assert_eq!(
            hashes[0],
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
        let policy = csp(&hashes);
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("'wasm-unsafe-eval'"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
