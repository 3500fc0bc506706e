//! `idv`: the service and its operator commands. Thin: parse, load config, call the library.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use app::server::{audit::Actor, config::Config, partners, telemetry, webhooks};
use clap::{Args, Parser, Subcommand};
use idv::{Application, open_core};

#[derive(Parser)]
#[command(
    name = "idv",
    version,
    about = "Self-hosted identity verification service"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage partners and their keys.
    #[command(subcommand)]
    Partner(PartnerCmd),
    /// Deliver webhooks only (no HTTP service, no face model); run as many as needed.
    Worker,
    /// Inspect and redeliver webhooks.
    #[command(subcommand)]
    Webhook(WebhookCmd),
    /// Evaluate the local face model (scripts/bench.sh accuracy | speed run these).
    #[command(subcommand)]
    Eval(EvalCmd),
}

#[derive(Subcommand)]
enum WebhookCmd {
    /// A check's deliveries and every attempt, as JSON (one delivery per line).
    List {
        #[arg(long = "check")]
        check_id: String,
    },
    /// Send a check's webhooks again (same webhook-id, fresh retry schedule).
    Redeliver { check_id: String },
}

#[derive(Subcommand)]
enum EvalCmd {
    /// Accuracy and per-image time on a labelled image set (DIR/manifest.tsv); writes JSON.
    Faces {
        dir: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Scoring time of one submission, stage by stage (p50/p95 over --runs).
    Speed {
        #[arg(long)]
        video: std::path::PathBuf,
        #[arg(long)]
        id: std::path::PathBuf,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
}

#[derive(Subcommand)]
enum PartnerCmd {
    /// Create a partner; prints {"partner_id", "api_key", "webhook_secret"} once.
    Create(PartnerFields),
    /// List partners as JSON, one per line.
    List,
    /// Change a partner's settings.
    Update {
        id: String,
        #[command(flatten)]
        fields: PartnerFields,
    },
    /// Issue a new API key; the old one works for IDV_KEY_ROTATION_GRACE.
    RotateKey { id: String },
    /// Issue a new webhook secret (printed once); webhooks carry a signature with the old one
    /// too for IDV_KEY_ROTATION_GRACE.
    RotateWebhookSecret { id: String },
    /// Disable a partner: its keys stop working.
    Disable { id: String },
    /// Enable a disabled partner.
    Enable { id: String },
}

#[derive(Args, Default)]
struct PartnerFields {
    #[arg(long)]
    name: Option<String>,
    /// Name shown on the capture page (defaults to --name).
    #[arg(long)]
    display_name: Option<String>,
    #[arg(long)]
    webhook_url: Option<String>,
    #[arg(long)]
    primary_color: Option<String>,
    #[arg(long)]
    accent_color: Option<String>,
    #[arg(long)]
    logo_url: Option<String>,
    /// An origin allowed to embed the page or receive redirects (repeatable).
    #[arg(long = "allowed-origin")]
    allowed_origins: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("idv: {e}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(config.log_format);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idv: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_json(v: &impl serde::Serialize) {
    println!("{}", serde_json::to_string(v).expect("serializable"));
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(config).await?;
            tracing::info!(addr = %app.local_addr(), public_url = %app.state().config.public_url, "listening");
            app.run_until_stopped().await
        }
        Command::Migrate => {
            open_core(config).await?;
            eprintln!("idv: migrations applied");
            Ok(())
        }
        Command::Worker => idv::run_worker(config, idv::shutdown_signal()).await,
        Command::Webhook(cmd) => {
            let state = open_core(config).await?;
            match cmd {
                WebhookCmd::List { check_id } => {
                    let list = webhooks::list_for_check(&state.db, &check_id).await?;
                    anyhow::ensure!(
                        !list.is_empty(),
                        "no webhook deliveries for check {check_id}"
                    );
                    for d in list {
                        print_json(&d);
                    }
                }
                WebhookCmd::Redeliver { check_id } => {
                    let n = webhooks::redeliver(&state.db, &check_id, &Actor::Operator).await?;
                    print_json(&serde_json::json!({"check_id": check_id, "queued": n}));
                }
            }
            Ok(())
        }
        Command::Eval(cmd) => {
            use app::server::verify::{eval, face::FaceModels};
            let models = FaceModels::load(&config.models_dir)?;
            match cmd {
                EvalCmd::Faces { dir, out } => {
                    let report = eval::faces(&models, &dir, config.match_threshold)?;
                    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
                    eprintln!("idv: wrote {}", out.display());
                }
                EvalCmd::Speed { video, id, runs } => {
                    let stages =
                        eval::speed(&models, &video, &id, runs.max(1), config.media_timeout)
                            .await?;
                    print!("{}", eval::speed_table(&stages));
                }
            }
            Ok(())
        }
        Command::Partner(cmd) => {
            let grace = config.key_rotation_grace;
            let state = open_core(config).await?;
            let db = &state.db;
            match cmd {
                PartnerCmd::Create(f) => {
                    let name = f
                        .name
                        .ok_or_else(|| anyhow::anyhow!("--name is required"))?;
                    let created = partners::create(
                        db,
                        &state.master_key,
                        partners::NewPartner {
                            name,
                            display_name: f.display_name,
                            webhook_url: f.webhook_url,
                            primary_color: f.primary_color,
                            accent_color: f.accent_color,
                            logo_url: f.logo_url,
                            allowed_origins: f.allowed_origins,
                        },
                    )
                    .await?;
                    print_json(&created);
                }
                PartnerCmd::List => {
                    for p in partners::list(db).await? {
                        print_json(&p);
                    }
                }
                PartnerCmd::Update { id, fields: f } => {
                    let p = partners::update(
                        db,
                        &id,
                        partners::PartnerUpdate {
                            name: f.name,
                            display_name: f.display_name,
                            webhook_url: f.webhook_url,
                            primary_color: f.primary_color,
                            accent_color: f.accent_color,
                            logo_url: f.logo_url,
                            allowed_origins: (!f.allowed_origins.is_empty())
                                .then_some(f.allowed_origins),
                        },
                    )
                    .await?;
                    print_json(&p);
                }
                PartnerCmd::RotateKey { id } => {
                    let key = partners::rotate_key(
                        db,
                        &id,
                        partners::KeyMode::Live,
                        grace,
                        &Actor::Operator,
                    )
                    .await?;
                    print_json(
                        &serde_json::json!({ "partner_id": id, "api_key": key, "previous_key_valid_for_secs": grace.as_secs() }),
                    );
                }
                PartnerCmd::RotateWebhookSecret { id } => {
                    let secret = partners::rotate_webhook_secret(
                        db,
                        &state.master_key,
                        &id,
                        grace,
                        &Actor::Operator,
                    )
                    .await?;
                    print_json(
                        &serde_json::json!({ "partner_id": id, "webhook_secret": secret, "previous_secret_signs_for_secs": grace.as_secs() }),
                    );
                }
                PartnerCmd::Disable { id } => {
                    partners::set_disabled(db, &id, true).await?;
                    print_json(&serde_json::json!({ "partner_id": id, "disabled": true }));
                }
                PartnerCmd::Enable { id } => {
                    partners::set_disabled(db, &id, false).await?;
                    print_json(&serde_json::json!({ "partner_id": id, "disabled": false }));
                }
            }
            state.db.pool.close().await;
            Ok(())
        }
    }
}
