//! A sandbox in memory on a free loopback port, stopped when dropped.

#![allow(dead_code)] // each test file uses part of this

use numbers_sandbox::{Config, Sandbox};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::sync::oneshot;

pub struct Srv {
    pub addr: std::net::SocketAddr,
    pub base: String,
    pub client: Client,
    _stop: oneshot::Sender<()>,
}

pub async fn start() -> Srv {
    start_with(Config::ephemeral()).await
}

pub async fn start_with(config: Config) -> Srv {
    let sandbox = Sandbox::bind(config).await.expect("sandbox binds");
    let addr = sandbox.addr();
    let base = format!("http://{addr}");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(sandbox.serve(async {
        let _ = stopped.await;
    }));
    Srv {
        addr,
        base,
        client: Client::new(),
        _stop: stop,
    }
}

pub const OWNER: &str = numbers_sandbox::credential::OWNER_TOKEN;
pub const MEMBER: &str = numbers_sandbox::credential::MEMBER_TOKEN;

impl Srv {
    /// An OCP request with `token` as its bearer token.
    pub fn ocp_as(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}/integrations{path}", self.base))
            .bearer_auth(token)
    }

    pub fn ocp(&self, method: Method, path: &str) -> RequestBuilder {
        self.ocp_as(OWNER, method, path)
    }

    pub fn exotel(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(
                method,
                format!("{}/v1/tenants/sandbox/greenvn{path}", self.base),
            )
            .basic_auth(
                numbers_sandbox::credential::EXOTEL_KEY,
                Some(numbers_sandbox::credential::EXOTEL_TOKEN),
            )
    }

    pub fn huawei(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(
                method,
                format!("{}/v1/sandbox-project/cloud-phone{path}", self.base),
            )
            .header("X-Auth-Token", numbers_sandbox::credential::HUAWEI_TOKEN)
    }

    /// All numbers the owner sees, in number order.
    pub async fn numbers(&self) -> Vec<Value> {
        let page = json(
            self.ocp(Method::GET, "/api/numbers?pageSize=10000&orderBy=number")
                .send()
                .await
                .expect("list"),
        )
        .await
        .1;
        page["numbers"].as_array().cloned().unwrap_or_default()
    }

    pub async fn number(&self, number: &str) -> Option<Value> {
        self.numbers()
            .await
            .into_iter()
            .find(|n| n["number"] == number)
    }
}

/// Status and JSON body.
pub async fn json(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

pub async fn send(rb: RequestBuilder) -> (u16, Value) {
    json(rb.send().await.expect("request")).await
}

pub async fn send_json(rb: RequestBuilder, body: Value) -> (u16, Value) {
    send(rb.json(&body)).await
}
