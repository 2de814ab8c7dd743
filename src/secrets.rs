//! Secrets in the browser, kept as the platform lets them be kept out of
//! reach of other scripts:
//!
//! - a Huawei secret access key is imported once as a WebCrypto HMAC key
//!   that cannot be exported ([`SigningKey`]): requests are signed with it,
//!   and its text is never kept. With "remember on this device" the key
//!   itself (not its text) is kept in IndexedDB; otherwise only in memory.
//! - what the console keeps in sessionStorage or localStorage (sessions,
//!   tokens, settings) is sealed with AES-GCM under a device key that
//!   cannot be exported either, kept in IndexedDB ([`seal`], [`open`]).
//!
//! A script injected into the page could still *use* these keys while the
//! page is open (sign a request, open a sealed value); what it cannot do
//! is read a secret as text from storage, or carry the Huawei key away.

use std::future::Future;
use std::pin::Pin;

use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::tasks::quietly;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;

/// Why a secret could not be kept or used, as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("this page is not in a secure context (https, or localhost), so the browser offers no cryptography: open the console at its https address")]
    NoCrypto,
    #[error("the browser refused the key ({0})")]
    Refused(String),
    #[error("the browser's key store is not available ({0}): signed-in sessions are kept in this tab's memory only")]
    NoStore(String),
    #[error("a value kept by this browser cannot be opened (it was sealed by another key): sign in again")]
    Unreadable,
    #[error("the console's code for keys could not be loaded: reload the page")]
    NotLoaded,
}

impl From<leptos::wasm_split::SplitLoaderError> for SecretError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Self::NotLoaded
    }
}

fn refused(e: JsValue) -> SecretError {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "no reason given".into());
    SecretError::Refused(text)
}

fn subtle() -> Result<SubtleCrypto, SecretError> {
    let window = web_sys::window().ok_or(SecretError::NoCrypto)?;
    if !window.is_secure_context() {
        return Err(SecretError::NoCrypto);
    }
    Ok(window.crypto().map_err(|_| SecretError::NoCrypto)?.subtle())
}

/// `{name: …}` and more fields, as WebCrypto takes an algorithm.
fn algorithm(name: &str, fields: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"name".into(), &name.into());
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o
}

fn usages(list: &[&str]) -> JsValue {
    list.iter()
        .map(|u| JsValue::from_str(u))
        .collect::<js_sys::Array>()
        .into()
}

async fn promised(p: Result<js_sys::Promise, JsValue>) -> Result<JsValue, SecretError> {
    JsFuture::from(p.map_err(refused)?).await.map_err(refused)
}

/// A Huawei secret access key as a WebCrypto HMAC-SHA256 key that cannot
/// be exported. Equal only to itself (and its clones).
#[derive(Clone)]
pub struct SigningKey {
    key: SendWrapper<CryptoKey>,
    id: u64,
}

impl PartialEq for SigningKey {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(#{})", self.id)
    }
}

thread_local! {
    static NEXT_KEY: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

impl SigningKey {
    fn wrap(key: CryptoKey) -> Self {
        let id = NEXT_KEY.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        Self {
            key: SendWrapper::new(key),
            id,
        }
    }

    /// Imports `secret` once; the text can be dropped after.
    pub async fn import(secret: &str) -> Result<Self, SecretError> {
        let subtle = subtle()?;
        let bytes = js_sys::Uint8Array::from(secret.as_bytes());
        let alg = algorithm("HMAC", &[("hash", "SHA-256".into())]);
        let key =
            promised(subtle.import_key_with_object("raw", &bytes, &alg, false, &usages(&["sign"])))
                .await?;
        Ok(Self::wrap(key.unchecked_into()))
    }

    /// The HMAC-SHA256 of `text`, in hex.
    pub async fn sign_hex(&self, text: &str) -> Result<String, SecretError> {
        let subtle = subtle()?;
        let data = js_sys::Uint8Array::from(text.as_bytes());
        let mac = promised(subtle.sign_with_object_and_js_u8_array(
            &algorithm("HMAC", &[]),
            &self.key,
            &data,
        ))
        .await?;
        let bytes = js_sys::Uint8Array::new(&mac).to_vec();
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// The key store: an IndexedDB database of its own, holding WebCrypto
/// keys as the browser keeps them (structured clones, never their bytes).
const DB: &str = "numbers-console-keys";
const STORE: &str = "keys";
/// The AES-GCM key that seals what is kept in storage.
const DEVICE_KEY: &str = "device";

async fn store() -> Result<Database, SecretError> {
    Database::open(DB)
        .with_version(1u8)
        .with_on_upgrade_needed(|_, db| {
            if !db.object_store_names().any(|n| n == STORE) {
                db.create_object_store(STORE).build()?;
            }
            Ok(())
        })
        .await
        .map_err(|e| SecretError::NoStore(e.to_string()))
}

async fn kept(name: &str) -> Result<Option<CryptoKey>, SecretError> {
    let db = store().await?;
    let found = async {
        let tx = db.transaction(STORE).build()?;
        let s = tx.object_store(STORE)?;
        let value: Option<JsValue> = s.get(name).primitive()?.await?;
        Ok::<_, indexed_db_futures::error::Error>(value)
    }
    .await
    .map_err(|e| SecretError::NoStore(e.to_string()));
    db.close();
    Ok(found?
        .filter(|v| v.is_instance_of::<CryptoKey>())
        .map(JsCast::unchecked_into))
}

async fn keep(name: &str, key: Option<&CryptoKey>) -> Result<(), SecretError> {
    let db = store().await?;
    let done = async {
        let tx = db
            .transaction(STORE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let s = tx.object_store(STORE)?;
        match key {
            Some(k) => {
                let v: &JsValue = k;
                s.put(v.clone()).with_key(name).primitive()?.await?;
            }
            None => s.delete(name).primitive()?.await?,
        }
        tx.commit().await?;
        Ok::<_, indexed_db_futures::error::Error>(())
    }
    .await
    .map_err(|e| SecretError::NoStore(e.to_string()));
    db.close();
    done
}

/// What a split function's chunk gives back: the work, to be awaited.
type Work<T> = Pin<Box<dyn Future<Output = Result<T, SecretError>>>>;

/// Functions whose code is a chunk of its own (`secrets`), fetched the
/// first time something is kept or opened: a first visit has neither
/// (scripts/split-wasm.sh splits at them). Each gives back its work, to
/// be awaited. The wasm tests' module is never split: there they are
/// plain functions.
macro_rules! split_points {
    ($(fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty $body:block)*) => {
        $(
            #[cfg(not(test))]
            #[allow(improper_ctypes_definitions, improper_ctypes)]
            #[leptos::wasm_split::wasm_split(secrets, wasm_split_path = ::leptos::wasm_split, fallible)]
            fn $name($($arg: $ty),*) -> Result<Work<$out>, SecretError> {
                Ok(Box::pin(async move $body))
            }
            #[cfg(test)]
            async fn $name($($arg: $ty),*) -> Result<Work<$out>, SecretError> {
                Ok(Box::pin(async move $body))
            }
        )*
    };
}

split_points! {
    fn keeping(name: String, key: Option<SigningKey>) -> () {
        keep(&name, key.as_ref().map(|k| &*k.key)).await
    }
    fn finding(name: String) -> Option<SigningKey> {
        Ok(kept(&name).await?.map(SigningKey::wrap))
    }
    fn sealing(text: String) -> String {
        seal_now(&text).await
    }
    fn opening(sealed: String) -> String {
        open_now(&sealed).await
    }
    fn warming() -> () {
        device_key().await.map(|_| ())
    }
}

/// Gets sealing ready (its code and the device key) while something else
/// is under way — a sign-in's request — so that what it gives is sealed
/// and kept at once, before a reload can come.
pub fn warm_up() {
    quietly(async {
        if let Ok(work) = warming().await {
            let _ = work.await;
        }
    });
}

/// Keeps `key` on this device under `name`, or forgets what is kept there.
pub async fn keep_signing_key(name: &str, key: Option<&SigningKey>) -> Result<(), SecretError> {
    keeping(name.to_string(), key.cloned()).await?.await
}

/// The signing key kept on this device under `name`, if any.
pub async fn kept_signing_key(name: &str) -> Option<SigningKey> {
    match finding(name.to_string()).await {
        Ok(work) => work.await.ok().flatten(),
        Err(_) => None,
    }
}

/// `text` sealed with the device key (AES-GCM, a fresh 96-bit nonce).
pub async fn seal(text: &str) -> Result<String, SecretError> {
    sealing(text.to_string()).await?.await
}

/// What [`seal`] sealed.
pub async fn open(sealed: &str) -> Result<String, SecretError> {
    opening(sealed.to_string()).await?.await
}

thread_local! {
    /// The device key once read or made: sealing then needs no store.
    static DEVICE: std::cell::RefCell<Option<CryptoKey>> = const { std::cell::RefCell::new(None) };
}

/// The device's sealing key: made (and kept) on first use.
async fn device_key() -> Result<CryptoKey, SecretError> {
    if let Some(k) = DEVICE.with(|d| d.borrow().clone()) {
        return Ok(k);
    }
    let key = read_or_make_device_key().await?;
    DEVICE.with(|d| *d.borrow_mut() = Some(key.clone()));
    Ok(key)
}

async fn read_or_make_device_key() -> Result<CryptoKey, SecretError> {
    if let Some(k) = kept(DEVICE_KEY).await? {
        return Ok(k);
    }
    let subtle = subtle()?;
    let alg = algorithm("AES-GCM", &[("length", 256.into())]);
    let key: CryptoKey =
        promised(subtle.generate_key_with_object(&alg, false, &usages(&["encrypt", "decrypt"])))
            .await?
            .unchecked_into();
    keep(DEVICE_KEY, Some(&key)).await?;
    // Two tabs may make one at once: both use the one that was kept.
    kept(DEVICE_KEY).await?.ok_or(SecretError::NoStore(
        "the key just kept is not there".into(),
    ))
}

/// How a sealed value starts, so an older plain one is told apart.
pub const SEALED: &str = "sealed:v1:";

async fn seal_now(text: &str) -> Result<String, SecretError> {
    use base64::Engine;
    let key = device_key().await?;
    let window = web_sys::window().ok_or(SecretError::NoCrypto)?;
    let mut iv = [0u8; 12];
    window
        .crypto()
        .map_err(|_| SecretError::NoCrypto)?
        .get_random_values_with_u8_array(&mut iv)
        .map_err(refused)?;
    let alg = algorithm(
        "AES-GCM",
        &[("iv", js_sys::Uint8Array::from(&iv[..]).into())],
    );
    let sealed = promised(subtle()?.encrypt_with_object_and_js_u8_array(
        &alg,
        &key,
        &js_sys::Uint8Array::from(text.as_bytes()),
    ))
    .await?;
    let mut bytes = iv.to_vec();
    bytes.extend(js_sys::Uint8Array::new(&sealed).to_vec());
    Ok(format!(
        "{SEALED}{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

async fn open_now(sealed: &str) -> Result<String, SecretError> {
    use base64::Engine;
    let body = sealed.strip_prefix(SEALED).ok_or(SecretError::Unreadable)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| SecretError::Unreadable)?;
    if bytes.len() < 12 {
        return Err(SecretError::Unreadable);
    }
    if kept(DEVICE_KEY).await?.is_none() {
        return Err(SecretError::Unreadable);
    }
    let key = device_key().await?;
    let (iv, data) = bytes.split_at(12);
    let alg = algorithm("AES-GCM", &[("iv", js_sys::Uint8Array::from(iv).into())]);
    let plain = JsFuture::from(
        subtle()?
            .decrypt_with_object_and_js_u8_array(&alg, &key, &js_sys::Uint8Array::from(data))
            .map_err(refused)?,
    )
    .await
    .map_err(|_| SecretError::Unreadable)?;
    String::from_utf8(js_sys::Uint8Array::new(&plain).to_vec()).map_err(|_| SecretError::Unreadable)
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    // The split functions' chunk exists only in a split build (trunk's):
    // the tests call what they run.
    #[wasm_bindgen_test]
    async fn a_sealed_text_opens_and_reads_as_nothing_else() {
        let sealed = seal_now("refresh-token-123").await.expect("sealed");
        assert!(sealed.starts_with(SEALED));
        assert!(!sealed.contains("refresh-token-123"));
        assert_eq!(open_now(&sealed).await.as_deref(), Ok("refresh-token-123"));
        let twice = seal_now("refresh-token-123").await.expect("sealed");
        assert_ne!(sealed, twice, "a fresh nonce each time");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push('A');
        assert_eq!(open_now(&tampered).await, Err(SecretError::Unreadable));
    }

    #[wasm_bindgen_test]
    async fn a_signing_key_signs_as_the_rules_do_and_is_kept_as_a_key() {
        use numbers_core::huawei::signing;
        let key = SigningKey::import("sandbox-secret-key").await.expect("key");
        let unsigned = signing::prepare("p", "GET", "h", "/v1/p/cloud-phone/phones", "", 0);
        let hex = key
            .sign_hex(&unsigned.string_to_sign)
            .await
            .expect("signed");
        let by_rules = signing::sign(
            &signing::Key {
                access: "AK",
                secret: "sandbox-secret-key",
                project: "p",
            },
            "GET",
            "h",
            "/v1/p/cloud-phone/phones",
            "",
            0,
        );
        assert_eq!(unsigned.signed_with("AK", &hex), by_rules);
        keep_signing_key("test:key", Some(&key))
            .await
            .expect("kept");
        let again = kept_signing_key("test:key").await.expect("found");
        assert_eq!(
            again.sign_hex("x").await.expect("signed"),
            key.sign_hex("x").await.expect("signed")
        );
        keep_signing_key("test:key", None).await.expect("forgotten");
        assert!(kept_signing_key("test:key").await.is_none());
    }
}
