//! `idv`: the service and its operator commands. Thin: parse, load config, call the library.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use app::server::{audit::Actor, config::Config, outbox, partners, telemetry};
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
        /// Also read the ID photo as this document type (passport, id_card, driving_licence),
        /// beside the face engine as a check does.
        #[arg(long)]
        document: Option<String>,
    },
    /// The liveness track of one video, frame by frame, for calibration.
    Trace {
        video: std::path::PathBuf,
        /// The challenge (JSON, as `idv-eval render` prints it) to check the video against.
        #[arg(long)]
        challenge: Option<String>,
    },
    /// The real clips (DIR/clips.tsv, scripts/eval-media.sh's `ensure_real_clips`), each as
    /// shipped and as the page re-encodes it, through the liveness track without a challenge:
    /// frames tracked, blinks (against the labels where a `.tag` file is beside the clip), the
    /// passive risks and the rejecting ones (false rejects); prints a table, writes JSON.
    Real {
        dir: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// The document reading evaluation: every photo of a labelled set (DIR/labels.json, made
    /// by scripts/document_set.py) read as a check reads it; prints the read rates and times,
    /// writes JSON.
    Documents {
        dir: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Read only the first N documents.
        #[arg(long)]
        limit: Option<usize>,
        /// Write every zone crop and its OCR text into this directory (for tuning).
        #[arg(long)]
        trace: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum PartnerCmd {
    /// Create a partner; prints its keys and webhook secrets once: {"partner_id", "api_key",
    /// "test_api_key", "secret_key", "test_secret_key", "webhook_secret", "test_webhook_secret"}.
    Create(PartnerFields),
    /// List partners as JSON, one per line.
    List,
    /// Change a partner's settings (--webhook-url and --allowed-origin apply to --mode).
    Update {
        id: String,
        #[command(flatten)]
        fields: PartnerFields,
        /// The mode whose webhook URL and allowed origins change.
        #[arg(long, value_parser = ["live", "test"], default_value = "live")]
        mode: String,
    },
    /// Issue a new key (printed once). The old keys of that kind and mode keep working for
    /// --grace (IDV_KEY_ROTATION_GRACE by default), or fail at once with --revoke-now. Also
    /// issues a partner's first secret key.
    RotateKey {
        id: String,
        /// capture (the guide's api_key, for capture links) or secret (/v1, the dashboard).
        #[arg(long, value_parser = ["capture", "secret"], default_value = "capture")]
        kind: String,
        #[arg(long, value_parser = ["live", "test"], default_value = "live")]
        mode: String,
        /// How long the old key keeps working, e.g. 1h (default IDV_KEY_ROTATION_GRACE).
        #[arg(long, value_parser = parse_grace, conflicts_with = "revoke_now")]
        grace: Option<std::time::Duration>,
        /// The old key fails on the next request (a leaked key).
        #[arg(long)]
        revoke_now: bool,
    },
    /// Issue a new webhook secret for a mode (printed once); its webhooks carry a signature
    /// with the old one too for IDV_KEY_ROTATION_GRACE.
    RotateWebhookSecret {
        id: String,
        #[arg(long, value_parser = ["live", "test"], default_value = "live")]
        mode: String,
    },
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
    /// Keep what was read off identity documents when the retention sweep deletes the files
    /// (`true` or `false`; off by default).
    #[arg(long)]
    keep_document_data: Option<bool>,
    /// The capture page's language when the user's browser names none of its languages
    /// (`en`, `es`, `fr`, `de`, `pt-BR`, `it`, `nl`, `pl`, `tr`, `ar`, `hi`, `zh-CN`; empty
    /// clears it).
    #[arg(long)]
    locale: Option<String>,
    /// A help page offered on the capture page to users who cannot use the camera (empty
    /// clears it).
    #[arg(long)]
    help_url: Option<String>,
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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // traces (when configured) are sent from this runtime
    let command = cli.command.unwrap_or(Command::Serve);
    let traced = matches!(command, Command::Serve | Command::Worker);
    {
        let _rt = rt.enter();
        let no_traces = Default::default();
        let metrics = if traced { &config.metrics } else { &no_traces };
        telemetry::init(config.log_format, metrics);
    }
    let result = rt.block_on(run(command, config));
    // the last batch of spans, sent while the runtime still runs
    rt.block_on(async { tokio::task::spawn_blocking(telemetry::shutdown).await.ok() });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idv: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn parse_grace(s: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("`{s}`: {e}"))
}

fn mode(s: &str) -> partners::KeyMode {
    partners::KeyMode::parse(s).unwrap_or_default()
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
        Command::Webhook(cmd) => webhook_cmd(cmd, config).await,
        Command::Eval(cmd) => eval_cmd(cmd, config).await,
        Command::Partner(cmd) => partner_cmd(cmd, config).await,
    }
}

/// `idv webhook …`: an operator's view of a check's deliveries, and redelivery.
async fn webhook_cmd(cmd: WebhookCmd, config: Config) -> anyhow::Result<()> {
    let state = open_core(config).await?;
    match cmd {
        WebhookCmd::List { check_id } => {
            let list = outbox::list_for_check(&state.db, &check_id).await?;
            anyhow::ensure!(
                !list.is_empty(),
                "no webhook deliveries for check {check_id}"
            );
            for d in list {
                print_json(&d);
            }
        }
        WebhookCmd::Redeliver { check_id } => {
            let n = outbox::redeliver(&state.db, &check_id, &Actor::Operator).await?;
            print_json(&serde_json::json!({"check_id": check_id, "queued": n}));
        }
    }
    Ok(())
}

/// `idv eval documents`: the document reading evaluation (it needs no face model).
fn eval_documents(
    dir: &std::path::Path,
    out: &std::path::Path,
    limit: Option<usize>,
    trace: Option<&std::path::Path>,
    config: &Config,
) -> anyhow::Result<()> {
    use app::server::document;
    if let Some(t) = trace {
        std::fs::create_dir_all(t)?;
    }
    let reader = document::Reader::new(&config.models_dir, config.media_timeout)?
        .with_trace(trace.map(std::path::Path::to_path_buf));
    let report = document::eval::documents(&reader, dir, limit)?;
    std::fs::write(out, serde_json::to_vec_pretty(&report)?)?;
    print!("{}", document::eval::table(&report));
    eprintln!("idv: wrote {}", out.display());
    Ok(())
}

/// `idv eval …`: the face model's accuracy and speed reports.
async fn eval_cmd(cmd: EvalCmd, config: Config) -> anyhow::Result<()> {
    use app::server::verify::{eval, face::FaceModels, mesh::FaceMesh};
    if let EvalCmd::Documents {
        dir,
        out,
        limit,
        trace,
    } = &cmd
    {
        return eval_documents(dir, out, *limit, trace.as_deref(), &config);
    }
    let models = FaceModels::load(&config.models_dir)?;
    let mesh = FaceMesh::load(&config.models_dir)?;
    match cmd {
        EvalCmd::Faces { dir, out } => {
            let report = eval::faces(&models, &dir, config.match_threshold)?;
            std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
            eprintln!("idv: wrote {}", out.display());
        }
        EvalCmd::Speed {
            video,
            id,
            runs,
            document,
        } => {
            let reader = match &document {
                Some(_) => Some(app::server::document::Reader::new(
                    &config.models_dir,
                    config.media_timeout,
                )?),
                None => None,
            };
            let kind = match document.as_deref() {
                Some(t) => Some(app::contract::DocumentType::parse(t).ok_or_else(|| {
                    anyhow::anyhow!("--document must be one of passport, id_card, driving_licence")
                })?),
                None => None,
            };
            let stages = eval::speed(
                &models,
                &mesh,
                &video,
                &id,
                runs.max(1),
                config.media_timeout,
                reader.as_ref().zip(kind),
            )
            .await?;
            print!("{}", eval::speed_table(&stages));
        }
        EvalCmd::Real { dir, out } => {
            let (report, table) =
                eval::real_clips(&models, &mesh, &dir, config.media_timeout).await?;
            std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
            print!("{table}");
            eprintln!("idv: wrote {}", out.display());
        }
        EvalCmd::Documents { .. } => unreachable!("handled above"),
        EvalCmd::Trace { video, challenge } => {
            let challenge = challenge
                .map(|j| serde_json::from_str::<serde_json::Value>(&j))
                .transpose()?
                .map(|v| serde_json::from_value(v.get("challenge").cloned().unwrap_or(v)))
                .transpose()?;
            print!(
                "{}",
                eval::trace(
                    &models,
                    &mesh,
                    &video,
                    challenge.as_ref(),
                    config.media_timeout
                )
                .await?
            );
        }
    }
    Ok(())
}

/// `idv partner …`: partners, keys and secrets; each change is audited as the operator.
async fn partner_cmd(cmd: PartnerCmd, config: Config) -> anyhow::Result<()> {
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
                    keep_document_data: f.keep_document_data.unwrap_or(false),
                    default_locale: f.locale,
                    help_url: f.help_url,
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
        PartnerCmd::Update {
            id,
            fields: f,
            mode: m,
        } => {
            let p = partners::update(
                db,
                &id,
                partners::PartnerUpdate {
                    name: f.name,
                    display_name: f.display_name,
                    primary_color: f.primary_color,
                    accent_color: f.accent_color,
                    logo_url: f.logo_url,
                    mode: mode(&m),
                    webhook_url: f.webhook_url,
                    allowed_origins: (!f.allowed_origins.is_empty()).then_some(f.allowed_origins),
                    keep_document_data: f.keep_document_data,
                    default_locale: f.locale,
                    help_url: f.help_url,
                },
                &Actor::Operator,
            )
            .await?;
            print_json(&p);
        }
        PartnerCmd::RotateKey {
            id,
            kind,
            mode: m,
            grace: g,
            revoke_now,
        } => {
            let kind = partners::KeyKind::parse(&kind).unwrap_or_default();
            let retire = if revoke_now {
                partners::Retire::Now
            } else {
                partners::Retire::After(g.unwrap_or(grace))
            };
            let key =
                partners::rotate_key(db, &id, kind, mode(&m), retire, &Actor::Operator).await?;
            let valid_for = match retire {
                partners::Retire::Now => 0,
                partners::Retire::After(d) => d.as_secs(),
            };
            print_json(&serde_json::json!({
                "partner_id": id,
                "kind": kind.as_str(),
                "mode": m,
                "api_key": key,
                "previous_key_valid_for_secs": valid_for,
            }));
        }
        PartnerCmd::RotateWebhookSecret { id, mode: m } => {
            let secret = partners::rotate_webhook_secret(
                db,
                &state.master_key,
                &id,
                mode(&m),
                grace,
                &Actor::Operator,
            )
            .await?;
            print_json(
                &serde_json::json!({ "partner_id": id, "mode": m, "webhook_secret": secret, "previous_secret_signs_for_secs": grace.as_secs() }),
            );
        }
        PartnerCmd::Disable { id } => {
            partners::set_disabled(db, &id, true, &Actor::Operator).await?;
            print_json(&serde_json::json!({ "partner_id": id, "disabled": true }));
        }
        PartnerCmd::Enable { id } => {
            partners::set_disabled(db, &id, false, &Actor::Operator).await?;
            print_json(&serde_json::json!({ "partner_id": id, "disabled": false }));
        }
    }
    state.db.pool.close().await;
    Ok(())
}
