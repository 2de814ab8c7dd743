use clap::Parser;
use numbers_sandbox::{Config, Sandbox};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    let sandbox = match Sandbox::bind(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("numbers-sandbox: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{}", sandbox.banner());
    let shutdown = async {
        // Without a signal handler there is nothing to wait for; serve forever.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    match sandbox.serve(shutdown).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("numbers-sandbox: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
