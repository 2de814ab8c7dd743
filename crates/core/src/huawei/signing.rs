//! Huawei Cloud's access-key signatures (`SDK-HMAC-SHA256`), as its API
//! gateway checks them and its official SDKs make them: a canonical
//! request (method, path, sorted query, the signed headers, the body's
//! SHA-256), a string to sign with the `X-Sdk-Date`, and an HMAC-SHA256
//! with the secret key. The console signs in the browser (for the
//! environment's real host, which the gateway forwards to); the sandbox
//! verifies. Tested against signatures the official Python SDK made.

use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

/// The algorithm an `Authorization` header names.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The header that dates a signed request.
pub const DATE_HEADER: &str = "x-sdk-date";
/// The header that names the project.
pub const PROJECT_HEADER: &str = "x-project-id";
/// The header of the body's SHA-256, when it is signed that way.
pub const CONTENT_HASH_HEADER: &str = "x-sdk-content-sha256";
/// The value of [`CONTENT_HASH_HEADER`] that leaves a body out of the
/// signature.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// How far `X-Sdk-Date` may be from the server's clock (Huawei's API
/// gateway allows 15 minutes).
pub const SKEW_MS: i64 = 15 * 60_000;

const EMPTY_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A request as it is signed.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path as sent (percent-encoded or not: it is decoded first).
    pub path: &'a str,
    /// The query's pairs, decoded.
    pub query: &'a [(String, String)],
    /// Every header with its value; names in any case.
    pub headers: &'a [(String, String)],
    /// The body, as sent.
    pub body: &'a [u8],
}

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded, as Python's
/// `quote(s, safe='~')` (the SDK's) does.
const SIGNED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode(s: &str) -> String {
    utf8_percent_encode(s, SIGNED).to_string()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The headers an SDK signs: every one it sends (names without `_`),
/// lower-case, sorted.
pub fn signed_headers(headers: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(k, _)| k.to_ascii_lowercase())
        .filter(|k| !k.contains('_'))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The canonical request of `r`, signing `signed` (lower-case names),
/// with the body's hash `payload` (see [`payload_hash`]).
pub fn canonical_request(r: &Request<'_>, signed: &[String], payload: &str) -> String {
    let mut uri = percent_decode_str(r.path.split('?').next().unwrap_or_default())
        .decode_utf8_lossy()
        .split('/')
        .map(encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let mut pairs: Vec<(String, String)> = r
        .query
        .iter()
        .map(|(k, v)| (encode(k), encode(v)))
        .collect();
    pairs.sort();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let headers: String = signed
        .iter()
        .map(|name| {
            format!(
                "{name}:{}\n",
                header(r.headers, name).unwrap_or_default().trim()
            )
        })
        .collect();
    format!(
        "{}\n{uri}\n{query}\n{headers}\n{}\n{payload}",
        r.method.to_ascii_uppercase(),
        signed.join(";")
    )
}

/// The body's own SHA-256, in hex.
fn body_hash(body: &[u8]) -> String {
    if body.is_empty() {
        EMPTY_HASH.to_string()
    } else {
        hex::encode(Sha256::digest(body))
    }
}

/// The payload hash a request is signed with, as Huawei's API gateway
/// and its SDKs take it: an empty body's hash for no body; otherwise the
/// body's own, unless `X-Sdk-Content-Sha256` is one of the signed headers.
/// A signed one must be the body's hash, or `UNSIGNED-PAYLOAD` where
/// Huawei allows a body out of the signature: a body that is not JSON (an
/// upload; the SDKs send it for those only). CPH's changes are JSON and
/// carry their whole meaning in the body. An unsigned header is never
/// read: it would let whoever relays the request replace the body and keep
/// the signature.
pub fn payload_hash(r: &Request<'_>, signed: &[String]) -> Result<String, SignError> {
    let own = body_hash(r.body);
    if r.body.is_empty() || !signed.iter().any(|h| h == CONTENT_HASH_HEADER) {
        return Ok(own);
    }
    let json = header(r.headers, "content-type").is_some_and(|t| {
        let t = t.trim_start().to_ascii_lowercase();
        t.starts_with("application/json") || t.starts_with("application/bson")
    });
    match header(r.headers, CONTENT_HASH_HEADER).map(str::trim) {
        Some(UNSIGNED_PAYLOAD) if !json => Ok(UNSIGNED_PAYLOAD.to_string()),
        Some(UNSIGNED_PAYLOAD) => Err(SignError::UnsignedPayload),
        Some(given) if given.eq_ignore_ascii_case(&own) => Ok(own),
        _ => Err(SignError::Mismatch),
    }
}

/// What is signed: the algorithm, the date (`YYYYMMDDTHHMMSSZ`) and the
/// canonical request's hash.
pub fn string_to_sign(canonical: &str, date: &str) -> String {
    format!(
        "{ALGORITHM}\n{date}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    )
}

/// The HMAC-SHA256 of `to_sign` keyed with the secret key `sk`.
fn mac(to_sign: &str, sk: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(sk.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(to_sign.as_bytes());
    mac
}

/// The string `r` signs at `date` with `signed` headers (a client's: the
/// body's own hash).
fn client_string_to_sign(r: &Request<'_>, signed: &[String], date: &str) -> String {
    let payload = payload_hash(r, signed).unwrap_or_else(|_| body_hash(r.body));
    string_to_sign(&canonical_request(r, signed, &payload), date)
}

/// The signature of `r` with secret key `sk` at `date`, in hex.
pub fn signature(r: &Request<'_>, signed: &[String], date: &str, sk: &str) -> String {
    hex::encode(
        mac(&client_string_to_sign(r, signed, date), sk)
            .finalize()
            .into_bytes(),
    )
}

/// The `Authorization` value naming access key `ak`, the `signed`
/// headers and the `signature` (hex).
pub fn authorization_value(ak: &str, signed: &[String], signature: &str) -> String {
    format!(
        "{ALGORITHM} Access={ak}, SignedHeaders={}, Signature={signature}",
        signed.join(";")
    )
}

/// The `Authorization` value of `r` (whose headers include `Host` and
/// `X-Sdk-Date`) signed with access key `ak` and secret key `sk`.
pub fn authorization(r: &Request<'_>, ak: &str, sk: &str) -> String {
    let signed = signed_headers(r.headers);
    let date = header(r.headers, DATE_HEADER).unwrap_or_default();
    authorization_value(ak, &signed, &signature(r, &signed, date, sk))
}

/// An access key pair and the project its requests name.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    /// The access key ID.
    pub access: &'a str,
    /// The secret key.
    pub secret: &'a str,
    /// The project the request is for.
    pub project: &'a str,
}

/// A request made ready to sign with a key kept elsewhere (the browser's
/// WebCrypto key, which never leaves it as text): what to HMAC, and the
/// headers to send besides `Authorization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsigned {
    /// The headers it signs, lower case, sorted.
    pub signed: Vec<String>,
    /// What the HMAC-SHA256 with the secret key is taken of.
    pub string_to_sign: String,
    /// `X-Sdk-Date` and `X-Project-Id`, to send as they are.
    pub headers: [(&'static str, String); 2],
}

impl Unsigned {
    /// The three headers to send once the HMAC is `signature` (hex),
    /// `Authorization` first.
    pub fn signed_with(self, access: &str, signature: &str) -> [(&'static str, String); 3] {
        let [date, project] = self.headers;
        [
            (
                "Authorization",
                authorization_value(access, &self.signed, signature),
            ),
            date,
            project,
        ]
    }
}

/// What a client signs to send `method target` (a path and its query, as
/// sent) for `host` at `now_ms` in `project`: `Host`, `X-Sdk-Date`,
/// `X-Project-Id` and, with a body, `Content-Type: application/json`.
pub fn prepare(
    project: &str,
    method: &str,
    host: &str,
    target: &str,
    body: &str,
    now_ms: i64,
) -> Unsigned {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let date = format_date(now_ms);
    let mut headers = vec![
        ("Host".to_string(), host.to_string()),
        ("X-Sdk-Date".to_string(), date.clone()),
        ("X-Project-Id".to_string(), project.to_string()),
    ];
    if !body.is_empty() {
        headers.push(("Content-Type".to_string(), "application/json".to_string()));
    }
    let request = Request {
        method,
        path,
        query: &query,
        headers: &headers,
        body: body.as_bytes(),
    };
    let signed = signed_headers(&headers);
    let string_to_sign = client_string_to_sign(&request, &signed, &date);
    Unsigned {
        signed,
        string_to_sign,
        headers: [("X-Sdk-Date", date), ("X-Project-Id", project.to_string())],
    }
}

/// What a client sends to sign `method target` (a path and its query, as
/// sent) for `host` at `now_ms`: `Authorization`, `X-Sdk-Date` and
/// `X-Project-Id`, besides `Host` and, with a body, `Content-Type:
/// application/json`, which are signed too.
pub fn sign(
    key: &Key<'_>,
    method: &str,
    host: &str,
    target: &str,
    body: &str,
    now_ms: i64,
) -> [(&'static str, String); 3] {
    let unsigned = prepare(key.project, method, host, target, body, now_ms);
    let signature = hex::encode(
        mac(&unsigned.string_to_sign, key.secret)
            .finalize()
            .into_bytes(),
    );
    unsigned.signed_with(key.access, &signature)
}

/// What an `Authorization: SDK-HMAC-SHA256 …` header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The access key ID it names.
    pub access: String,
    /// The headers it signed, lower case.
    pub signed_headers: Vec<String>,
    /// The signature, in hex.
    pub signature: String,
}

/// Reads an `Authorization` value; `None` if it is not an access-key signature.
pub fn parse(value: &str) -> Option<Signed> {
    let rest = value.trim().strip_prefix(ALGORITHM)?.trim();
    let mut access = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k.trim() {
            "Access" => access = Some(v.trim().to_string()),
            "SignedHeaders" => {
                signed = Some(
                    v.trim()
                        .split(';')
                        .map(|h| h.trim().to_ascii_lowercase())
                        .collect(),
                )
            }
            "Signature" => signature = Some(v.trim().to_string()),
            _ => {}
        }
    }
    Some(Signed {
        access: access.filter(|a| !a.is_empty())?,
        signed_headers: signed?,
        signature: signature?,
    })
}

/// Why a signed request is refused, as Huawei's API gateway says it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("Incorrect IAM authentication information: the Authorization header is not an access-key signature")]
    /// The `Authorization` header is not a signature.
    Malformed,
    #[error("Incorrect IAM authentication information: the access key is unknown")]
    /// The access key is not known.
    UnknownKey,
    #[error("Incorrect IAM authentication information: the signed headers must include host and x-sdk-date")]
    /// A header that must be signed is not.
    Unsigned,
    #[error(
        "Incorrect IAM authentication information: x-sdk-date is missing or not YYYYMMDDTHHMMSSZ"
    )]
    /// The request has no date.
    NoDate,
    #[error("Incorrect IAM authentication information: the x-sdk-date of the request is more than 15 minutes from the server's time")]
    /// The date is more than 15 minutes away.
    Stale,
    #[error("Incorrect IAM authentication information: verify aksk signature fail")]
    /// The signature does not match.
    Mismatch,
    #[error("Incorrect IAM authentication information: x-sdk-content-sha256 UNSIGNED-PAYLOAD is not accepted for a JSON body: sign the body")]
    /// The request asks to leave its body out of the signature.
    UnsignedPayload,
}

impl SignError {
    /// The API gateway's code for it.
    pub fn code(&self) -> &'static str {
        "APIGW.0301"
    }
}

/// Milliseconds since 1970 of an `X-Sdk-Date` (`20261202T073000Z`).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() != 16 || &s[8..9] != "T" || !s.ends_with('Z') {
        return None;
    }
    let day = crate::history::day_start_ms(&format!("{}-{}-{}", &s[0..4], &s[4..6], &s[6..8]))?;
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<i64>().ok();
    let (h, m, sec) = (n(9, 11)?, n(11, 13)?, n(13, 15)?);
    (h < 24 && m < 60 && sec < 60).then_some(day + ((h * 60 + m) * 60 + sec) * 1000)
}

/// `X-Sdk-Date` for milliseconds since 1970.
pub fn format_date(ms: i64) -> String {
    crate::history::format_time(ms)
        .replace(['-', ':'], "")
        .replace(' ', "T")
        + "Z"
}

/// Checks `r`'s signature against the secret key `secret_of` gives for its
/// access key, at the server's time `now_ms`.
pub fn verify(
    r: &Request<'_>,
    authorization: &str,
    secret_of: impl Fn(&str) -> Option<String>,
    now_ms: i64,
) -> Result<Signed, SignError> {
    let signed = parse(authorization).ok_or(SignError::Malformed)?;
    let sk = secret_of(&signed.access).ok_or(SignError::UnknownKey)?;
    let names = &signed.signed_headers;
    if !names.iter().any(|h| h == "host") || !names.iter().any(|h| h == DATE_HEADER) {
        return Err(SignError::Unsigned);
    }
    let date = header(r.headers, DATE_HEADER).ok_or(SignError::NoDate)?;
    let at = parse_date(date).ok_or(SignError::NoDate)?;
    if (now_ms - at).abs() > SKEW_MS {
        return Err(SignError::Stale);
    }
    let given = hex::decode(&signed.signature).map_err(|_| SignError::Mismatch)?;
    let payload = payload_hash(r, names)?;
    let to_sign = string_to_sign(&canonical_request(r, names, &payload), date.trim());
    // In constant time, whatever differs first.
    mac(&to_sign, &sk)
        .verify_slice(&given)
        .map_err(|_| SignError::Mismatch)?;
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK: &str = "HPUAEXAMPLEAK0000001";
    const SK: &str = "ExampleSecretKey/For+Vectors0000000000001";
    const PROJECT: &str = "0123456789abcdef0123456789abcdef";
    const HOST: &str = "cph.ap-southeast-1.myhuaweicloud.com";

    fn headers(content_type: &str) -> Vec<(String, String)> {
        [
            ("Content-Type", content_type),
            ("X-Sdk-Date", "20261202T073000Z"),
            ("X-Project-Id", PROJECT),
            ("Host", HOST),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Made by huaweicloudsdkcore 3.1.219's `Signer` for the same inputs
    /// (AK, SK, project, host, date above).
    #[test]
    fn signatures_are_the_official_sdks() {
        let list = format!("/v1/{PROJECT}/cloud-phone/phones");
        let query = pairs(&[
            ("offset", "0"),
            ("limit", "100"),
            ("status", "2"),
            ("phone_name", "phone a/b"),
        ]);
        let h = headers("application/json");
        let r = Request {
            method: "GET",
            path: &list,
            query: &query,
            headers: &h,
            body: b"",
        };
        assert_eq!(
            authorization(&r, AK, SK),
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=d8844bda6e66f927c9617c88c4c078fb075a58119868642ea9ed9c563978ad39"
        );
        let divert = format!("/v1/{PROJECT}/cloud-phone/phones-traffic");
        let body = br#"{"traffic_type": "routing", "phone_ids": ["p-1", "p-2"]}"#;
        let h = headers("application/json;charset=UTF-8");
        let r = Request {
            method: "POST",
            path: &divert,
            query: &[],
            headers: &h,
            body,
        };
        assert_eq!(
            authorization(&r, AK, SK),
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=b481acafdae4e30b986184ff07c65849aefe019c0dc43102c4fc4f575325afe8"
        );
        let jobs = format!("/v1/{PROJECT}/cloud-phone/jobs");
        let query = pairs(&[
            ("request_ids", "r-2"),
            ("request_ids", "r-1"),
            ("limit", "10"),
        ]);
        let h = headers("application/json");
        let r = Request {
            method: "GET",
            path: &jobs,
            query: &query,
            headers: &h,
            body: b"",
        };
        assert_eq!(
            authorization(&r, AK, SK),
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=cd4de68e3a1265323bd52bf1f6c1027560f9bd826f061c9495c21fa4fa2d40f1"
        );
    }

    #[test]
    fn the_server_refuses_a_wrong_stale_or_unsigned_request() {
        let path = format!("/v1/{PROJECT}/cloud-phone/phones");
        let h = headers("application/json");
        let r = Request {
            method: "GET",
            path: &path,
            query: &[],
            headers: &h,
            body: b"",
        };
        let auth = authorization(&r, AK, SK);
        let secret = |ak: &str| (ak == AK).then(|| SK.to_string());
        let at = parse_date("20261202T073000Z").expect("date");
        assert_eq!(format_date(at), "20261202T073000Z");
        assert!(verify(&r, &auth, secret, at + 60_000).is_ok());
        assert_eq!(
            verify(&r, &auth, secret, at + SKEW_MS + 1000),
            Err(SignError::Stale)
        );
        assert_eq!(verify(&r, &auth, |_| None, at), Err(SignError::UnknownKey));
        assert_eq!(
            verify(&r, "Bearer x", secret, at),
            Err(SignError::Malformed)
        );
        let tampered = Request {
            method: "DELETE",
            ..r
        };
        assert_eq!(
            verify(&tampered, &auth, secret, at),
            Err(SignError::Mismatch)
        );
        let wrong = auth.replace("Signature=", "Signature=0");
        assert_eq!(verify(&r, &wrong, secret, at), Err(SignError::Mismatch));
        let no_host = auth.replace("host;", "");
        assert_eq!(verify(&r, &no_host, secret, at), Err(SignError::Unsigned));
    }

    #[test]
    fn what_a_client_signs_the_server_accepts_as_received() {
        let key = Key {
            access: AK,
            secret: SK,
            project: PROJECT,
        };
        let at = parse_date("20261202T073000Z").expect("date");
        let target = format!("/v1/{PROJECT}/cloud-phone/phones?phone_name=a%20b%2Bc&limit=10");
        let body = r#"{"phone_ids":["x"]}"#;
        let sent = sign(&key, "POST", HOST, &target, body, at);
        assert_eq!(sent[1], ("X-Sdk-Date", "20261202T073000Z".to_string()));
        // As a server receives it: its own header names, the query decoded.
        let received: Vec<(String, String)> = [
            ("host", HOST),
            ("x-sdk-date", sent[1].1.as_str()),
            ("x-project-id", PROJECT),
            ("content-type", "application/json"),
            ("accept", "*/*"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (path, query) = target.split_once('?').expect("query");
        let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let r = Request {
            method: "POST",
            path,
            query: &query,
            headers: &received,
            body: body.as_bytes(),
        };
        let secret = |ak: &str| (ak == AK).then(|| SK.to_string());
        assert!(verify(&r, &sent[0].1, secret, at).is_ok(), "{}", sent[0].1);
        let other_body = Request { body: b"{}", ..r };
        assert_eq!(
            verify(&other_body, &sent[0].1, secret, at),
            Err(SignError::Mismatch)
        );
    }

    /// The swap a relay (or anyone between) could try: the body signed for
    /// one change, another body sent, and an unsigned content hash of the
    /// signed body added to make the check pass.
    #[test]
    fn a_body_swapped_behind_an_unsigned_content_hash_is_refused() {
        let key = Key {
            access: AK,
            secret: SK,
            project: PROJECT,
        };
        let at = parse_date("20261202T073000Z").expect("date");
        let target = format!("/v1/{PROJECT}/cloud-phone/phones-traffic");
        let signed_body = r#"{"traffic_type":"routing","phone_ids":["p1"]}"#;
        let swapped = r#"{"traffic_type":"direct","phone_ids":["p1","p2","p3"]}"#;
        let sent = sign(&key, "POST", HOST, &target, signed_body, at);
        let hash = hex::encode(Sha256::digest(signed_body.as_bytes()));
        let received = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
            [
                ("host", HOST),
                ("x-sdk-date", sent[1].1.as_str()),
                ("x-project-id", PROJECT),
                ("content-type", "application/json"),
            ]
            .iter()
            .chain(extra)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        let secret = |ak: &str| (ak == AK).then(|| SK.to_string());
        let with_hash = received(&[(CONTENT_HASH_HEADER, &hash)]);
        let request = |headers, body: &'static str| Request {
            method: "POST",
            path: &target,
            query: &[],
            headers,
            body: body.as_bytes(),
        };
        assert!(verify(&request(&with_hash, signed_body), &sent[0].1, secret, at).is_ok());
        assert_eq!(
            verify(&request(&with_hash, swapped), &sent[0].1, secret, at),
            Err(SignError::Mismatch)
        );
        // Signed, the header must be the body's own hash, and a body may
        // not be left out of the signature.
        let headers_with = |value: &str| received(&[(CONTENT_HASH_HEADER, value)]);
        let sign_with = |headers: &[(String, String)], body: &str| {
            let r = Request {
                method: "POST",
                path: &target,
                query: &[],
                headers,
                body: body.as_bytes(),
            };
            let names = signed_headers(headers);
            let payload = payload_hash(&r, &names).unwrap_or_else(|_| hash.clone());
            let to_sign = string_to_sign(&canonical_request(&r, &names, &payload), &sent[1].1);
            authorization_value(
                AK,
                &names,
                &hex::encode(mac(&to_sign, SK).finalize().into_bytes()),
            )
        };
        let signed_hash = headers_with(&hash);
        let auth = sign_with(&signed_hash, signed_body);
        assert!(auth.contains("x-sdk-content-sha256"), "{auth}");
        assert!(verify(&request(&signed_hash, signed_body), &auth, secret, at).is_ok());
        assert_eq!(
            verify(&request(&signed_hash, swapped), &auth, secret, at),
            Err(SignError::Mismatch)
        );
        let unsigned_payload = headers_with(UNSIGNED_PAYLOAD);
        let auth = sign_with(&unsigned_payload, swapped);
        assert_eq!(
            verify(&request(&unsigned_payload, swapped), &auth, secret, at),
            Err(SignError::UnsignedPayload)
        );
        // An upload (not JSON) may leave its body out, as the SDKs do.
        let upload: Vec<(String, String)> = unsigned_payload
            .iter()
            .map(|(k, v)| {
                let v = if k == "content-type" {
                    "application/octet-stream"
                } else {
                    v
                };
                (k.clone(), v.to_string())
            })
            .collect();
        let auth = sign_with(&upload, "any bytes");
        let r = Request {
            method: "POST",
            path: &target,
            query: &[],
            headers: &upload,
            body: b"any bytes",
        };
        assert!(verify(&r, &auth, secret, at).is_ok());
    }

    #[test]
    fn a_request_prepared_for_a_key_kept_elsewhere_signs_as_sign_does() {
        let key = Key {
            access: AK,
            secret: SK,
            project: PROJECT,
        };
        let at = parse_date("20261202T073000Z").expect("date");
        let target = format!("/v1/{PROJECT}/cloud-phone/phones?limit=1");
        let unsigned = prepare(PROJECT, "GET", HOST, &target, "", at);
        let hmac = hex::encode(mac(&unsigned.string_to_sign, SK).finalize().into_bytes());
        assert_eq!(
            unsigned.signed_with(AK, &hmac),
            sign(&key, "GET", HOST, &target, "", at)
        );
    }
}
