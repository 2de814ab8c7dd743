use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use numbers_gateway::{Config, Gateway, Options};

/// Serves Numbers Console and relays its calls to the configured provider
/// environments on the same origin.
#[derive(Debug, Parser)]
#[command(name = "numbers-gateway", version)]
struct Args {
    /// Address to listen on (behind a TLS terminator in production).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A TOML file merged over the built-in environments (see gateway.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The built console (trunk's dist/).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Also run the sandbox (its database in data/sandbox.sqlite, demo data
    /// on first start) and offer it as an environment of each provider
    /// (a gateway built with the `sandbox` feature, as scripts/run.sh does).
    #[arg(long)]
    sandbox: bool,
}

async fn stopped() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate => {},
    }
    tracing::info!("stopping: finishing the requests under way");
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut config = match Config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("numbers-gateway: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Beside the config file, or with the sandbox's database in data/.
    let dir = match args.config.as_deref().and_then(std::path::Path::parent) {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        Some(_) => PathBuf::from("."),
        None => PathBuf::from("data"),
    };
    let history = &mut config.history;
    if history.url.is_none() {
        history.url = Some(format!("sqlite://{}", dir.join("history.sqlite").display()));
    }
    // A SQLite history keeps its spool beside its file; PostgreSQL's waits here.
    if history.spool.is_none()
        && history
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("postgres"))
    {
        history.spool = Some(dir.join("history.spool"));
    }
    #[cfg(not(feature = "sandbox"))]
    if args.sandbox {
        eprintln!("numbers-gateway: this gateway was built without the sandbox (a deployed build); build it with `--features sandbox` to run one, as scripts/run.sh does");
        return ExitCode::FAILURE;
    }
    // The sandbox shows four eyes at work: its OCP environment has the
    // demo review policy (README: "Four eyes on risky changes").
    if args.sandbox {
        config.sandbox_review = Some(numbers_core::review::Policy::demo());
    }
    let options = Options {
        listen: args.listen,
        config,
        dist: Some(args.dist),
        #[cfg(feature = "sandbox")]
        sandbox: args.sandbox.then(|| numbers_sandbox::Config {
            db: "data/sandbox.sqlite".into(),
            ..numbers_sandbox::Config::ephemeral()
        }),
        clock: None,
    };
    let gateway = match Gateway::bind(options).await {
        Ok(g) => g,
        Err(e) => {
            eprintln!("numbers-gateway: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", gateway.banner());
    match gateway.serve(stopped()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("numbers-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}
